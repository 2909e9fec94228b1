/** `patchgate drift`: which of the config's chains still run the vulnerable code, or code nobody can name. */
import { Command } from 'commander';
import { internalError } from '../core/errors.js';
import type { DriftEntry, DriftResult } from '../lifecycle/drift.js';
import { assertWritableOut } from '../report/index.js';
import { emit } from './lifecycle.js';
import {
  addChainsOption,
  addOutputOptions,
  addPatchOption,
  addProjectOptions,
  addStoreOptions,
  type OutputOptions,
  type ProjectOptions,
  type StoreOptions,
  stateDirOf,
} from './options.js';
import { projectContext } from './project-context.js';

interface DriftOptions extends ProjectOptions, StoreOptions, OutputOptions<'text' | 'json'> {
  patch?: string;
  chains?: string[];
}

const MARK: Record<DriftEntry['status'], string> = {
  patched: 'patched',
  vulnerable: 'VULNERABLE',
  unknown: 'UNKNOWN',
};

/** One line per chain and contract (the drifting ones marked), then the verdict and who drifts. */
function driftText(result: DriftResult): string[] {
  const width = (f: (e: DriftEntry) => string) => Math.max(...result.entries.map((e) => f(e).length));
  const chain = (e: DriftEntry) => `${e.chain} (${e.chainId})`;
  const [cw, nw] = [width(chain), width((e) => e.contract)];
  const lines = result.entries.map((e) => {
    const what =
      e.status === 'patched'
        ? `patch ${e.patch}`
        : e.status === 'vulnerable'
          ? `the reference ${e.build}`
          : (e.reason ?? '');
    const where = [
      e.implementation ? `implementation ${e.implementation}` : e.proxy ? `proxy ${e.proxy}` : '',
      e.codehash ? `codehash ${e.codehash}` : '',
    ]
      .filter(Boolean)
      .join('  ');
    const note = e.status === 'vulnerable' && e.reason ? ` (${e.reason})` : '';
    return `${e.status === 'patched' ? ' ' : '!'} ${chain(e).padEnd(cw)}  ${e.contract.padEnd(nw)}  ${MARK[e.status].padEnd(10)}  ${what}${note}${where ? `  ${where}` : ''}`;
  });
  const drifting = result.entries.filter((e) => e.status !== 'patched');
  const total = result.entries.length;
  lines.push(
    drifting.length === 0
      ? `PASS  every chain runs the patch (${total} of ${total})`
      : `FAIL  ${drifting.length} of ${total} not patched: ${drifting.map((e) => `${e.chain}/${e.contract} ${e.status}`).join(', ')}`,
  );
  return lines;
}

export function driftCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('drift').description(
    "list the config's chains still running the vulnerable code (or code matching no build); exit 1 if any",
  );
  addPatchOption(cmd, 'only this patch: its contract, and only its candidate counts as patched');
  addChainsOption(cmd, 'only these chains of the config (comma-separated names; default: all)');
  addProjectOptions(cmd);
  addStoreOptions(cmd, { database: false });
  addOutputOptions(cmd, ['text', 'json']);
  cmd.action(async (opts: DriftOptions) => {
    assertWritableOut(opts.out);
    const { project } = await projectContext(opts, { config: 'always' });
    if (!project) throw internalError('drift: no project although the config is always loaded');
    const { drift } = await import('../lifecycle/drift.js');
    const result = await drift(
      { config: project.config, projectDir: project.projectDir, stateDir: stateDirOf(opts) },
      { ...(opts.patch ? { patch: opts.patch } : {}), ...(opts.chains ? { chains: opts.chains } : {}) },
    );
    emit(opts, result, () => driftText(result));
    onExit(result.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
