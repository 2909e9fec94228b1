#!/usr/bin/env node
/**
 * Benchmark: `patchgate check` against `openzeppelin-upgrades-core validate` on the same Hardhat
 * build-info of the bundled example (VaultV1 → VaultV2), side by side in one run.
 * Every figure is a command as a user runs it (a new process each, timed spawn to exit); prints medians, ratios
 * and peak RSS. Writes only under a fresh temp dir (removed at exit). Needs `npm run build` first.
 *
 *   node bench/check.mjs [--runs N] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arg, cli, figure, freshDir, median, report, root } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const RUNS = arg('--runs', 7);
const { loadProject } = await import(join(root, 'dist/build/index.js'));

const work = freshDir('check');
const example = join(root, 'examples/vault');
const exampleState = join(work, 'example-state');
const project = await loadProject({ dir: example, stateDir: exampleState });

// A Hardhat-layout project made from the same compiler output: what both tools read.
const hh = join(work, 'hardhat');
mkdirSync(join(hh, 'artifacts/build-info'), { recursive: true });
writeFileSync(join(hh, 'hardhat.config.js'), 'module.exports = {};\n');
project.units.forEach((u, i) => {
  const buildInfo = {
    _format: 'hh-sol-build-info-1',
    id: `bench${i}`,
    solcVersion: u.solcVersion,
    solcLongVersion: u.solcLongVersion,
    input: u.input,
    output: u.output,
  };
  writeFileSync(join(hh, 'artifacts/build-info', `bench${i}.json`), JSON.stringify(buildInfo));
});

function timed(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', cwd: work });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const rssKb = Number(r.stderr.trim().split('\n').at(-1));
  return { ms, rssKb, code: r.status, out: r.stdout, err: r.stderr };
}

const ozCli = join(root, 'node_modules/@openzeppelin/upgrades-core/dist/cli/cli.js');
/** One `patchgate check VaultV1 → VaultV2` run of the compiled CLI. */
const patchgate = (project, state) =>
  timed(process.execPath, [
    cli,
    'check',
    '--project',
    project,
    '--reference',
    'VaultV1',
    '--candidate',
    'VaultV2',
    '--state-dir',
    state,
    '--format',
    'json',
  ]);

let coldRuns = 0;
const cases = {
  'upgrades-core validate (build-info)': () =>
    timed(process.execPath, [
      ozCli,
      'validate',
      join(hh, 'artifacts/build-info'),
      '--contract',
      'VaultV2',
      '--reference',
      'VaultV1',
    ]),
  'patchgate check (build-info, cold cache)': () => {
    const state = join(work, `cold-${coldRuns++}`);
    const r = patchgate(hh, state);
    rmSync(state, { recursive: true, force: true });
    return r;
  },
  'patchgate check (build-info, warm cache)': () => patchgate(hh, join(work, 'warm')),
  'patchgate check (plain sources, cached re-run)': () => patchgate(example, exampleState),
};

// One warm-up of each (fills the warm caches, pages in node_modules).
const results = {};
for (const [name, run] of Object.entries(cases)) {
  const first = run();
  if (name.startsWith('patchgate') && first.code !== 0) {
    console.error(`${name} exited ${first.code}:\n${first.err}`);
    process.exit(1);
  }
  results[name] = { ms: [], rss: [], code: first.code };
}
for (let i = 0; i < RUNS; i++) {
  for (const [name, run] of Object.entries(cases)) {
    const r = run();
    results[name].ms.push(r.ms);
    results[name].rss.push(r.rssKb);
  }
}
const baseName = 'upgrades-core validate (build-info)';
const base = { label: 'upgrades-core validate', value: median(results[baseName].ms) };
const figures = [];
for (const [name, r] of Object.entries(results)) {
  const peak = `peak RSS ${(Math.max(...r.rss) / 1024).toFixed(0)} MiB, exit ${r.code}`;
  figures.push(figure(name, median(r.ms), 'ms', RUNS, name === baseName ? undefined : base, peak));
}
const result = report('check', RUNS, figures, [
  'check VaultV1 → VaultV2 of the bundled example; every figure is the whole process (Node start to exit), the command as a user runs it.',
]);
console.log(`check VaultV1 → VaultV2, ${RUNS} runs each, median wall time and peak RSS (whole process)`);
console.log(renderLines(result).join('\n'));
