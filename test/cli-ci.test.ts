/**
 * `patchgate ci` and the GitHub Action around it, end to end (test/helpers/action.ts runs action.yml's script with
 * bash and GitHub's variables against a stand-in for the REST API on 127.0.0.1).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeRepo, type Repo, runAction, setPatches } from './helpers/action.js';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR } from './helpers/example.js';
import { type FakeGitHub, startFakeGitHub } from './helpers/github-api.js';

// Each run builds the head and (once per commit) the base with solc-js: slow on a busy 2-core machine.
vi.setConfig({ testTimeout: 600_000 });

let api: FakeGitHub;

beforeAll(async () => {
  api = await startFakeGitHub();
});
afterAll(() => api.close());

describe('the GitHub Action on a pull request', () => {
  let repo: Repo;
  beforeAll(() => {
    repo = makeRepo(['fix-flash-deposit']);
  });
  afterAll(() => rmSync(repo.root, { recursive: true, force: true }));

  it('a pull request adding an unsafe patch fails the job, with the summary, one comment, annotations and SARIF', async () => {
    setPatches(repo.project, ['fix-flash-deposit', 'storage-collision']);
    const r = await runAction(api, repo, 11);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ verdict: 'fail', blocking: expect.stringMatching(/^[1-9]\d*$/) });
    expect(r.summary).toContain('## patchgate: FAIL');
    expect(r.summary).toContain(repo.base.slice(0, 12));
    expect(r.summary).toContain('storage-layout-incompatible');
    // The annotation names the file from the repository's top level: that is where GitHub looks.
    expect(r.stdout).toMatch(
      /^::error file=contracts\/src\/bad\/VaultV2StorageCollision\.sol,line=\d+,title=/m,
    );
    const comments = api.comments.get(11) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('storage-layout-incompatible');
    expect(r.sarif.map((f) => f.split('/').pop())).toEqual(['check.sarif']);
    const sarif = JSON.parse(readFileSync(r.sarif[0] as string, 'utf8'));
    expect(sarif.runs[0].automationDetails).toEqual({ id: 'patchgate/check/' });
    const uris = sarif.runs[0].results.flatMap(
      (x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) =>
        x.locations.map((l) => l.physicalLocation.artifactLocation.uri),
    );
    expect(uris).toContain('contracts/src/bad/VaultV2StorageCollision.sol');
  });

  it('the next push that drops it passes, and the same comment is updated in place', async () => {
    setPatches(repo.project, ['fix-flash-deposit']);
    const r = await runAction(api, repo, 11);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: 'pass', blocking: '0' });
    const comments = api.comments.get(11) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('## patchgate: PASS');
    expect(comments[0]?.body).not.toContain('storage-layout-incompatible');
  });

  it("a fork's read-only token: the comment is a warning, the verdict still decides the job", async () => {
    api.failNext = [403];
    const r = await runAction(api, repo, 12);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::warning::pull-request comment not written: .*HTTP 403/m);
    expect(r.summary).toContain('## patchgate: PASS');
  });

  it('with the comment turned off, nothing is sent to the API', async () => {
    const before = api.requests.length;
    const r = await runAction(api, repo, 13, { INPUT_COMMENT: 'false' });
    expect(r.code).toBe(0);
    expect(api.requests.length).toBe(before);
  });

  it('a base commit that is not in the repository fails closed (exit 2), and the summary says why', async () => {
    const r = await runAction(api, repo, 14, { INPUT_BASE: 'd'.repeat(40) });
    expect(r.code).toBe(2);
    expect(r.outputs.verdict).toBe('error');
    expect(r.summary).toContain('## patchgate: ERROR');
    expect(r.summary).toContain('could not run');
    expect(r.stderr).toContain('d'.repeat(12));
    expect(r.stderr).toContain('--base');
    expect(r.stderr).not.toContain('--reference-git');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('patchgate ci outside GitHub', () => {
  it('an in-place edit of the live contract is checked against the base revision and writes its reports', () => {
    const repo = makeRepo(['fix-flash-deposit']);
    try {
      // The pull request edits the live contract in place (the usual shape): the reference is the base commit's.
      const config = JSON.parse(readFileSync(join(repo.project, 'patchgate.config.json'), 'utf8'));
      config.contracts.vault.reference = 'src/VaultV1.sol:VaultV1';
      config.patches = [{ name: 'edit-in-place', contract: 'vault', candidate: 'src/VaultV1.sol:VaultV1' }];
      writeFileSync(join(repo.project, 'patchgate.config.json'), JSON.stringify(config, null, 2));
      const v1 = join(repo.project, 'src', 'VaultV1.sol');
      // A new state variable inserted before the existing ones: the layout of the live proxy breaks.
      const source = readFileSync(v1, 'utf8').replace(
        /(contract VaultV1[^{]*\{)/,
        '$1\n    uint256 public inserted;',
      );
      writeFileSync(v1, source);
      const md = join(repo.root, 'report.md');
      const r = runCli(
        ['ci', '--base', 'main', '--project', repo.project, '--simulate', 'never', '--markdown', md],
        { cwd: repo.root, env: { GITHUB_ACTIONS: '' } },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^patchgate ci: FAIL \(\d+ blocking\)/m);
      expect(readFileSync(md, 'utf8')).toContain('storage-layout-incompatible');
    } finally {
      rmSync(repo.root, { recursive: true, force: true });
    }
  });

  it('simulates each patch when the config declares a system to deploy, one SARIF file per report', () => {
    const repo = makeRepo(['fix-flash-deposit']);
    try {
      const md = join(repo.root, 'report.md');
      const sarif = join(repo.root, 'sarif');
      const r = runCli(
        ['ci', '--base', 'main', '--project', repo.project, '--markdown', md, '--sarif-dir', sarif],
        { cwd: repo.root, env: { GITHUB_ACTIONS: '' } },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^patchgate ci: PASS · 1 checked, 1 simulated/m);
      expect(readdirSync(sarif).sort()).toEqual(['check.sarif', 'simulate-fix-flash-deposit.sarif']);
      const run = JSON.parse(readFileSync(join(sarif, 'simulate-fix-flash-deposit.sarif'), 'utf8')).runs[0];
      expect(run.automationDetails).toEqual({ id: 'patchgate/simulate/fix-flash-deposit/' });
      expect(readFileSync(md, 'utf8')).toContain('### simulate `fix-flash-deposit`');
    } finally {
      rmSync(repo.root, { recursive: true, force: true });
    }
  });

  it('without a base revision it is exit 2 naming the fix', () => {
    const r = runCli(['ci', '--project', EXAMPLE_DIR, '--simulate', 'never'], {
      env: { GITHUB_ACTIONS: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--base REV');
  });
});
