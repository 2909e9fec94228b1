/**
 * The GitHub Action as a runner runs it: the `run:` script of action.yml's `ci` step, by bash, with the variables
 * GitHub sets, on a real git repository (the base commit holds the live version, the working tree the pull request)
 * against the stand-in REST API of ./github-api.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_DIR, REPO_ROOT, TEST_STATE_DIR } from './example.js';
import type { FakeGitHub } from './github-api.js';

/** The `run:` block of the step with `id: ci` in action.yml, as GitHub hands it to bash. */
export function actionScript(): string {
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

export function git(cwd: string, ...args: string[]): string {
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

export interface Repo {
  root: string;
  /** What GitHub's RUNNER_TEMP is for the job. */
  runnerTemp: string;
  base: string;
  project: string;
}

/**
 * A protocol's repository: the example under contracts/ (not at the top level, as in many monorepos), with the
 * config's patches cut to `patches` at the base commit.
 */
export function makeRepo(patches: string[]): Repo {
  const root = mkdtempSync(join(tmpdir(), 'pg-ci-repo-'));
  const project = join(root, 'contracts');
  cpSync(EXAMPLE_DIR, project, { recursive: true, filter: (src) => !src.includes('.patchgate') });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.patchgate\n');
  setPatches(project, patches);
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'live');
  // One runner temp dir per repository (a job's): the action keeps its state there, so runs share its caches.
  const runnerTemp = mkdtempSync(join(tmpdir(), 'pg-ci-runner-'));
  // The example's compiler output and its proofs, made once per test run (global setup), seeded into both state dirs
  // a run may use: content-addressed, so the head and the base revision of the copy are cache hits, not solc-js runs.
  for (const state of [join(runnerTemp, 'patchgate'), join(root, '.patchgate')]) {
    for (const cache of ['solc', 'smt'])
      cpSync(join(TEST_STATE_DIR, 'cache', cache), join(state, 'cache', cache), { recursive: true });
  }
  return { root, project, runnerTemp, base: git(root, 'rev-parse', 'HEAD') };
}

export function setPatches(
  project: string,
  names: string[],
  edit: (config: ExampleConfig) => void = () => {},
): void {
  const file = join(EXAMPLE_DIR, 'patchgate.config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as ExampleConfig;
  config.patches = config.patches.filter((p) => names.includes(p.name));
  edit(config);
  writeFileSync(join(project, 'patchgate.config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** The parts of the example's config a test edits. */
export interface ExampleConfig {
  contracts: Record<string, { reference: string; kind?: string }>;
  patches: Array<{ name: string }>;
  acknowledge: Array<{ id: string; contract?: string; reason?: string }>;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  sarif: string[];
}

/** The action's script, as a runner runs it: bash, the action's checkout in GITHUB_ACTION_PATH, the repo as cwd. */
export async function runAction(
  api: FakeGitHub,
  repo: Repo,
  pr: number,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  const run = mkdtempSync(join(tmpdir(), 'pg-ci-step-'));
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
      RUNNER_TEMP: repo.runnerTemp,
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
