/**
 * The state dir holds caches that are trusted as they are (compiler output, analyses, solver answers, keyed by
 * content hashes anyone can compute): one committed to the repository is whoever committed it's to forge — a
 * cached "no findings" or "proved" for their own unsafe patch, trusted by the next `check` run on that checkout.
 * Refused by every command that reads those caches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { inputError } from '../core/errors.js';

/**
 * @param elsewhere the hint's example of a state dir outside the checkout (`ci`: the runner's temp dir).
 */
export function assertStateNotCommitted(
  stateDir: string,
  projectDir: string,
  elsewhere = '--state-dir ~/.cache/…',
): void {
  if (!existsSync(stateDir)) return;
  let tracked = '';
  try {
    tracked = execFileSync('git', ['ls-files', '-z', '--', '.'], {
      cwd: stateDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return; // not inside a git repository: nothing of it came with a commit
  }
  if (tracked.length > 0) {
    throw inputError(
      'state-dir-committed',
      `the state dir ${relative(projectDir, stateDir) || stateDir} holds files committed to the repository (${tracked.split('\0')[0]}): cached results there are not trusted`,
      `remove it from git (git rm -r --cached) and keep it out of the checkout (.gitignore, or ${elsewhere})`,
    );
  }
}
