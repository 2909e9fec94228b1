/**
 * What `serve` and `worker` run on: the project's config (a file, found in --project, or none), and the chain when
 * `--rpc` names one — read before the store is opened, so a bad URL or config is exit 2 with nothing held.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { connectChain } from '../lifecycle/create.js';
import type { ChainContext } from '../lifecycle/lifecycle.js';
import { type ProjectOptions, type StoreOptions, stateDirOf } from './options.js';

export interface ProjectContext {
  chain?: ChainContext;
  /** Absent when no config was named or found (and no --rpc): nothing project-specific can run. */
  project?: { config: Config; projectDir: string };
}

export async function projectContext(
  opts: ProjectOptions & Partial<StoreOptions> & { rpc?: string },
  need: { config: 'if-named' | 'always' },
): Promise<ProjectContext> {
  if (opts.rpc) {
    const chain = await connectChain({
      rpc: opts.rpc,
      config: opts.config,
      projectDir: opts.project,
      stateDir: stateDirOf(opts),
    });
    return { chain, project: { config: chain.config, projectDir: chain.projectDir } };
  }
  if (need.config === 'if-named' && !opts.config && !opts.project) return {};
  const loaded = await loadConfig({ file: opts.config, searchDir: resolve(opts.project ?? '.') });
  return {
    project: { config: loaded.config, projectDir: opts.project ? resolve(opts.project) : loaded.projectDir },
  };
}
