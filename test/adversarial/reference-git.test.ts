/**
 * Attacks on `check --reference-git REV`: a revision crafted to reach git as an option or a shell, a revision
 * that is a path or a tree rather than a commit, and a cached reference tree edited in the state dir (which
 * would let anyone with write access to the state dir choose the reference a pull request is judged against).
 * Real git, real solc-js; the repository is a throwaway one holding the example's Vault.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { exampleAs, type GitRepo, gitRepo } from '../helpers/git-repo.js';

const V1 = exampleAs('VaultV1.sol', 'VaultV1', 'Vault');
const V2 = exampleAs('VaultV2.sol', 'VaultV2', 'Vault');

let repo: GitRepo;
let state: string;
let sentinel: string;

const check = (...args: string[]) =>
  runCli(['check', '--project', 'proj', '--state-dir', state, '--format', 'json', ...args], {
    cwd: repo.root,
  });

beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), 'pg-git-adv-'));
  sentinel = join(state, 'pwned');
  repo = gitRepo();
  repo.write({ 'proj/src/Vault.sol': V1 });
  repo.commit('base');
  repo.git('branch', 'base');
  repo.write({ 'proj/src/Vault.sol': V2 });
});

function refused(r: ReturnType<typeof check>): void {
  expect(r.code).toBe(2);
  expect(JSON.parse(r.stdout).error.code).toBe('bad-git-revision');
  expect(existsSync(sentinel)).toBe(false);
  expect(existsSync(join(state, 'cache', 'git'))).toBe(false);
}

describe('check --reference-git: hostile revisions and tampered trees', () => {
  it('refuses a revision written as a git option (--upload-pack=…, -x, --output=…) before running git with it', () => {
    for (const rev of [`--upload-pack=touch ${sentinel}`, '-x', `--output=${sentinel}`]) {
      refused(check(`--reference-git=${rev}`, '--candidate', 'Vault'));
    }
  });

  it('runs no shell: a revision holding shell syntax is only a name that git does not know', () => {
    for (const rev of [`base;touch ${sentinel}`, `$(touch ${sentinel})`, `base\`touch ${sentinel}\``]) {
      refused(check('--reference-git', rev, '--candidate', 'Vault'));
    }
  });

  it('refuses a revision that names a path, a tree or a blob instead of a commit', () => {
    for (const rev of ['../../etc', '/etc/passwd', 'base:proj', 'base:proj/src/Vault.sol', 'base^{tree}']) {
      refused(check('--reference-git', rev, '--candidate', 'Vault'));
    }
  });

  it('does not trust a cached reference tree edited after caching: it is checked against git and rebuilt', () => {
    const first = check('--reference-git', 'base', '--candidate', 'Vault');
    expect(first.code).toBe(0);
    const reference = JSON.parse(first.stdout).reference;
    const [key] = readdirSync(join(state, 'cache', 'git')).filter((d) => !d.startsWith('.'));
    const cached = join(state, 'cache', 'git', key as string, 'proj', 'src', 'Vault.sol');
    expect(readFileSync(cached, 'utf8')).toBe(V1);
    // Make the base look like the head (a forged reference would hide every change of the pull request) …
    writeFileSync(cached, V2);
    const forged = check('--reference-git', 'base', '--candidate', 'Vault');
    expect(JSON.parse(forged.stdout).reference).toEqual(reference);
    expect(readFileSync(cached, 'utf8')).toBe(V1);
    // … or add a file, or delete one (a tree a killed run might have left half-written).
    writeFileSync(join(cached, '..', 'Extra.sol'), 'contract Extra {}');
    expect(JSON.parse(check('--reference-git', 'base', '--candidate', 'Vault').stdout).reference).toEqual(
      reference,
    );
    expect(existsSync(join(cached, '..', 'Extra.sol'))).toBe(false);
    rmSync(cached);
    expect(JSON.parse(check('--reference-git', 'base', '--candidate', 'Vault').stdout).reference).toEqual(
      reference,
    );
    expect(readFileSync(cached, 'utf8')).toBe(V1);
  });
});
