/**
 * Where a SARIF report places a project's findings, read from the disk: URIs relative to the git repository's top
 * level above the project (GitHub code scanning resolves them from there), and which source paths are files of the
 * repository — not a library under `node_modules/`, not a remapped import that exists nowhere under the project,
 * not a file inside a git submodule (`lib/…` in Foundry projects: GitHub cannot show those either).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { inputError } from '../core/errors.js';
import type { RenderOptions } from '../report/index.js';

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file for worktrees and submodules). */
function repositoryRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** `--source-root DIR`: where SARIF URIs start, when the nearest `.git` is not the right root. */
export function addSourceRootOption(cmd: Command): Command {
  return cmd.option(
    '--source-root <dir>',
    "SARIF: the directory URIs are relative to (default: the git repository's top level above the project)",
  );
}

/**
 * @example
 * ```ts
 * renderReport(report, 'sarif', { ...sarifPlacement(projectDir, opts.sourceRoot) });
 * ```
 */
export function sarifPlacement(
  projectDir: string,
  sourceRoot?: string,
): Pick<RenderOptions, 'rootDir' | 'sourceRoot' | 'inRepository'> {
  if (sourceRoot !== undefined && !statSync(sourceRoot, { throwIfNoEntry: false })?.isDirectory()) {
    throw inputError(
      'invalid-argument',
      `--source-root "${sourceRoot}" is not a directory`,
      "pass the repository's top level (the directory GitHub resolves SARIF paths from), or drop --source-root",
    );
  }
  const root = sourceRoot !== undefined ? resolve(sourceRoot) : repositoryRoot(projectDir);
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
