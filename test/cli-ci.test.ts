/**
 * `patchgate ci` and the GitHub Action around it, end to end: the `run:` script of action.yml run by bash with the
 * variables GitHub sets, on a real git repository (the base commit holds the live version, the working tree the
 * pull request), against a stand-in for GitHub's REST API on 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, REPO_ROOT } from './helpers/example.js';
import { type FakeGitHub, startFakeGitHub } from './helpers/github-api.js';

/** The `run:` block of the step with `id: ci` in action.yml, as GitHub hands it to bash. */
function actionScript(): string {
  const lines = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8').split('\n');
  const id = lines.findIndex((l) => /^\s+id: ci$/.test(l));
  const run = lines.findIndex((l, i) => i > id && /^\s+run: \|$/.test(l));
  const indent = (lines[run]?.match(/^\s*/)?.[0].length ?? 0) + 2;
  const body: string[] = [];
  for (const l of lines.slice(run + 1)) {
    if (l.trim() !== '' && (l.match(/^\s*/)?.[0].length ?? 0) < indent) break;
    body.push(l.slice(indent));
  }
  return body.join('\n');
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();
}

interface Repo {
  root: string;
  base: string;
  project: string;
}

/**
 * A protocol's repository: the example under contracts/ (not at the top level, as in many monorepos), with the
 * config's patches cut to `patches` at the base commit.
 */
function makeRepo(patches: string[]): Repo {
  const root = mkdtempSync(join(tmpdir(), 'pg-ci-repo-'));
  const project = join(root, 'contracts');
  cpSync(EXAMPLE_DIR, project, { recursive: true, filter: (src) => !src.includes('.patchgate') });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.patchgate\n');
  setPatches(project, patches);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'live');
  return { root, project, base: git(root, 'rev-parse', 'HEAD') };
}

function setPatches(project: string, names: string[]): void {
  const file = join(EXAMPLE_DIR, 'patchgate.config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { patches: Array<{ name: string }> };
  config.patches = config.patches.filter((p) => names.includes(p.name));
  writeFileSync(join(project, 'patchgate.config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  sarif: string[];
}

// Each run builds the head and (once per commit) the base with solc-js: slow on a busy 2-core machine.
vi.setConfig({ testTimeout: 600_000 });

let api: FakeGitHub;
let work: string;

beforeAll(async () => {
  api = await startFakeGitHub();
  work = mkdtempSync(join(tmpdir(), 'pg-ci-run-'));
});
afterAll(() => api.close());

/** The action's script, as a runner runs it: bash, the action's checkout in GITHUB_ACTION_PATH, the repo as cwd. */
async function runAction(repo: Repo, pr: number, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const run = mkdtempSync(join(work, 'step-'));
  const event = join(run, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ pull_request: { number: pr, base: { sha: repo.base }, head: { sha: 'c'.repeat(40) } } }),
  );
  const summary = join(run, 'summary.md');
  const output = join(run, 'output');
  // Not spawnSync: the stand-in API answers from this process's event loop.
  const child = spawn('bash', ['-e', '-c', actionScript()], {
    cwd: repo.root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: REPO_ROOT,
      GITHUB_WORKSPACE: repo.root,
      GITHUB_REPOSITORY: 'acme/vault',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: api.url,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_SHA: 'c'.repeat(40),
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: run,
      GITHUB_TOKEN: api.token,
      INPUT_PROJECT: 'contracts',
      INPUT_CONFIG: '',
      INPUT_BASE: '',
      INPUT_SIMULATE: 'never',
      INPUT_COMMENT: 'true',
      ...inputs,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  const outputs: Record<string, string> = {};
  let text = '';
  try {
    text = readFileSync(output, 'utf8');
  } catch {}
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
    outputs[m[1] as string] = m[3] as string;
  const sarifDir = outputs['sarif-dir'];
  let summaryText = '';
  try {
    summaryText = readFileSync(summary, 'utf8');
  } catch {}
  return {
    code,
    stdout,
    stderr,
    summary: summaryText,
    outputs,
    sarif: sarifDir ? readdirSync(sarifDir).map((f) => join(sarifDir, f)) : [],
  };
}

describe('the GitHub Action on a pull request', () => {
  let repo: Repo;
  beforeAll(() => {
    repo = makeRepo(['fix-flash-deposit']);
  });
  afterAll(() => rmSync(repo.root, { recursive: true, force: true }));

  it('a pull request adding an unsafe patch fails the job, with the summary, one comment, annotations and SARIF', async () => {
    setPatches(repo.project, ['fix-flash-deposit', 'storage-collision']);
    const r = await runAction(repo, 11);
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
    const r = await runAction(repo, 11);
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
    const r = await runAction(repo, 12);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::warning::pull-request comment not written: .*HTTP 403/m);
    expect(r.summary).toContain('## patchgate: PASS');
  });

  it('with the comment turned off, nothing is sent to the API', async () => {
    const before = api.requests.length;
    const r = await runAction(repo, 13, { INPUT_COMMENT: 'false' });
    expect(r.code).toBe(0);
    expect(api.requests.length).toBe(before);
  });

  it('a base commit that is not in the repository fails closed (exit 2), and the summary says why', async () => {
    const r = await runAction(repo, 14, { INPUT_BASE: 'd'.repeat(40) });
    expect(r.code).toBe(2);
    expect(r.outputs.verdict).toBe('error');
    expect(r.summary).toContain('## patchgate: ERROR');
    expect(r.summary).toContain('could not run');
    expect(r.stderr).toContain('d'.repeat(12));
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('an input can not run code: a base that is a shell expression is passed as a value', async () => {
    const marker = join(work, 'pwned');
    const r = await runAction(repo, 15, { INPUT_BASE: `$(touch ${marker})`, INPUT_COMMENT: 'false' });
    expect(r.code).toBe(2);
    expect(() => readFileSync(marker)).toThrow();
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

  it('without a base revision it is exit 2 naming the fix', () => {
    const r = runCli(['ci', '--project', EXAMPLE_DIR, '--simulate', 'never'], {
      env: { GITHUB_ACTIONS: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--base REV');
  });
});
