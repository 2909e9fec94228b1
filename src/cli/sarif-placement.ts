/**
 * Where a SARIF report places a project's findings, read from the disk: URIs relative to the git repository's top
 * level above the project (GitHub code scanning resolves them from there), and which source paths are files of the
 * repository — not a library under `node_modules/`, not a remapped import that exists nowhere under the project,
 * not a file inside a git submodule (`lib/…` in Foundry projects: GitHub cannot show those either).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { RenderOptions } from '../report/index.js';

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file for worktrees and submodules). */
function repositoryRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * @example
 * ```ts
 * renderReport(report, 'sarif', { ...sarifPlacement(projectDir) });
 * ```
 */
export function sarifPlacement(
  projectDir: string,
): Pick<RenderOptions, 'rootDir' | 'sourceRoot' | 'inRepository'> {
  const root = repositoryRoot(projectDir);
  const top = root ?? resolve(projectDir);
  return {
    rootDir: projectDir,
    ...(root ? { sourceRoot: root } : {}),
    inRepository(file) {
      const path = resolve(projectDir, file);
      const rel = relative(top, path);
      if (!existsSync(path) || rel.startsWith('..') || rel.split(sep).includes('node_modules')) return false;
      // A submodule (or a repository nested in this one) between the file and the top level: not this repository's.
      for (let d = dirname(path); d !== top && d.startsWith(top); d = dirname(d)) {
        if (existsSync(join(d, '.git'))) return false;
      }
      return true;
    },
  };
}
