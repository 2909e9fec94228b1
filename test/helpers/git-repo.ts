/**
 * A throwaway git repository holding a Solidity project (for `check --reference-git`): files written, committed
 * with `git`, and node_modules linked to this repository's, so `@openzeppelin/…` imports resolve as in a real
 * checkout where `npm ci` ran.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EXAMPLE_DIR, REPO_ROOT } from './example.js';

export interface GitRepo {
  root: string;
  /** Write files (path relative to the root → content); a `null` content removes the file. */
  write(files: Record<string, string | null>): void;
  /** Commit everything; returns the commit hash. */
  commit(message: string): string;
  git(...args: string[]): string;
}

export function gitRepo(prefix = 'pg-git-'): GitRepo {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.org',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.org',
      },
    }).trim();
  git('init', '-q', '-b', 'main');
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, '.gitignore'), 'node_modules\n');
  const write = (files: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(files)) {
      const file = join(root, path);
      if (content === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  return { root, write, commit, git };
}

/** An example source with its contract renamed (`VaultV2` → `Vault`): one name across versions, as in a repo. */
export function exampleAs(file: string, from: string, to: string): string {
  return readFileSync(join(EXAMPLE_DIR, 'src', file), 'utf8').replace(
    `contract ${from} is`,
    `contract ${to} is`,
  );
}
