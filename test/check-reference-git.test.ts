/**
 * `check --reference-git REV`: the reference is the project as it is at a commit of its own repository (what a
 * pull-request check needs: base vs head), built with the same loadProject, cached by commit. Real git, real
 * solc-js, the example's real contracts renamed into one `Vault` that changes between commits.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { exampleAs, type GitRepo, gitRepo } from './helpers/git-repo.js';

const V1 = exampleAs('VaultV1.sol', 'VaultV1', 'Vault');
const V2 = exampleAs('VaultV2.sol', 'VaultV2', 'Vault');

let repo: GitRepo;
let empty: string;
let base: string;
let state: string;

const check = (...args: string[]) =>
  runCli(['check', '--project', 'proj', '--state-dir', state, ...args], { cwd: repo.root });

beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), 'pg-git-state-'));
  repo = gitRepo();
  empty = repo.commit('before the project');
  repo.write({ 'proj/src/Vault.sol': V1 });
  base = repo.commit('base: Vault as deployed');
  repo.git('branch', 'base');
  repo.write({ 'proj/src/Vault.sol': V2 }); // the pull request's change, not committed: the working tree
});

describe('check --reference-git', () => {
  it('checks the working tree against the same contract at the base commit (exit 0 for a compatible fix)', () => {
    const r = check('--reference-git', 'base', '--candidate', 'Vault', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.referenceFrom).toEqual({ source: 'git', rev: 'base', commit: base });
    expect(report.reference.fullyQualifiedName).toBe('src/Vault.sol:Vault');
    expect(report.candidate.fullyQualifiedName).toBe('src/Vault.sol:Vault');
    expect(report.reference.bytecodeHash).not.toBe(report.candidate.bytecodeHash);
    // The fix's new functions are reported as new relative to the base, so the base really was VaultV1.
    const added = report.findings.filter((f: { id: string }) => f.id === 'function-added');
    expect(added.map((f: { message: string }) => f.message).join('\n')).toMatch(/initializeV2/);
  });

  it('reuses the tree of a commit it already built (a second run is a cache hit)', () => {
    const r = check('--reference-git', base, '--candidate', 'Vault', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).cached).toBe(true);
  });

  it('blocks a storage collision made at head, named against the base', () => {
    repo.write({
      'proj/src/VaultV2.sol': exampleAs('VaultV2.sol', 'X', 'X'),
      'proj/src/Vault.sol': exampleAs(
        'bad/VaultV2StorageCollision.sol',
        'VaultV2StorageCollision',
        'Vault',
      ).replace('"../VaultV2.sol"', '"./VaultV2.sol"'),
    });
    try {
      const r = check('--reference-git', 'base', '--candidate', 'Vault');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/storage-layout-incompatible/);
    } finally {
      repo.write({ 'proj/src/VaultV2.sol': null, 'proj/src/Vault.sol': V2 });
    }
  });

  it('with --all, looks every patch reference up at the revision and names a contract new since then', () => {
    const config = (contracts: Record<string, unknown>, patches: unknown[]) =>
      JSON.stringify({ project: '.', contracts, patches });
    repo.write({
      'proj/patchgate.config.json': config({ vault: { kind: 'transparent', reference: 'Vault' } }, [
        { name: 'vault-fix', contract: 'vault', candidate: 'Vault' },
      ]),
    });
    const ok = check('--reference-git', 'base', '--all', '--format', 'json');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.pairs.map((p: { name: string }) => p.name)).toEqual(['vault-fix']);
    expect(report.pairs[0].referenceFrom.commit).toBe(base);

    repo.write({
      'proj/src/Fresh.sol': exampleAs('VaultV1.sol', 'VaultV1', 'Fresh'),
      'proj/patchgate.config.json': config(
        {
          vault: { kind: 'transparent', reference: 'Vault' },
          fresh: { kind: 'transparent', reference: 'Fresh' },
        },
        [
          { name: 'vault-fix', contract: 'vault', candidate: 'Vault' },
          { name: 'fresh-fix', contract: 'fresh', candidate: 'Fresh' },
        ],
      ),
    });
    try {
      const r = check('--reference-git', 'base', '--all', '--format', 'json');
      expect(r.code).toBe(2);
      const doc = JSON.parse(r.stdout);
      expect(doc.error.code).toBe('contract-not-in-revision');
      expect(doc.error.message).toMatch(/pair "fresh-fix": reference Fresh does not exist in proj at base/);
    } finally {
      repo.write({ 'proj/src/Fresh.sol': null, 'proj/patchgate.config.json': null });
    }
  });

  it('--reference names the contract in the revision build; a name absent there is exit 2 saying so', () => {
    const r = check('--reference-git', 'base', '--reference', 'VaultV1', '--candidate', 'Vault');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/reference VaultV1 does not exist in proj at base \([0-9a-f]{10}\)/);
    expect(r.stderr).toMatch(/did you mean: Vault\?/);
  });

  it('refuses a revision that names no commit, naming it and the fix (exit 2)', () => {
    const r = check('--reference-git', 'no-such-branch', '--candidate', 'Vault', '--format', 'json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.error.code).toBe('bad-git-revision');
    expect(doc.error.message).toMatch(/no-such-branch names no commit/);
    expect(doc.error.hint).toMatch(/git fetch/);
  });

  it('refuses a revision where the project folder does not exist yet (exit 2)', () => {
    const r = check('--reference-git', empty, '--candidate', 'Vault');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/project folder proj has no files at --reference-git/);
  });

  it('refuses a project that is not in a git repository (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-nogit-'));
    writeFileSync(join(dir, 'Vault.sol'), V1);
    const args = ['--state-dir', state, '--reference-git', 'main', '--candidate', 'Vault'];
    const r = runCli(['check', '--project', dir, ...args], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a git repository, and .* is not inside one/);
  });

  it('is an environment failure (exit 3) when git is not installed', () => {
    const r = runCli(
      ['check', '--project', 'proj', '--state-dir', state, '--reference-git', 'base', '--candidate', 'Vault'],
      { cwd: repo.root, env: { PATH: join(state, 'no-bin') } },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--reference-git needs git, which is not on PATH/);
  });
});
