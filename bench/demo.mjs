#!/usr/bin/env node
/**
 * Benchmark: `patchgate demo` as a user runs it (`node bin/patchgate.js demo`), on a cold state dir (a fresh one
 * each run: solc-js compiles the example, a new store is created) against a warm one (the same dir again: the
 * compiler cache and the store are there). Runs alternate cold and warm; medians. README's promise: under 60 s
 * cold. Needs `npm run build` first.   node bench/demo.mjs [--runs N] [--json FILE]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { arg, cli, figure, freshDir, median, report, timedNode } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const RUNS = arg('--runs', 2);
const dir = freshDir('demo');
const cold = [];
const warm = [];
for (let run = 0; run < RUNS; run++) {
  const state = join(dir, `state-${run}`);
  mkdirSync(state);
  for (const list of [cold, warm]) {
    // The demo refuses a state dir holding a store it did not make, and reuses its own.
    const r = timedNode([cli, 'demo', '--state-dir', state, '--format', 'json'], dir);
    if (r.code !== 0) {
      console.error(`patchgate demo exited ${r.code}:\n${r.err.slice(-2000)}`);
      process.exit(1);
    }
    list.push(r.ms);
  }
  rmSync(state, { recursive: true, force: true });
}
const warmFigure = { label: 'demo, warm state dir', value: median(warm) };
const result = report(
  'demo',
  RUNS,
  [
    figure('patchgate demo, warm state dir (compiler cache and store there)', warmFigure.value, 'ms', RUNS),
    figure(
      'patchgate demo, cold state dir (compiles the example, new store)',
      median(cold),
      'ms',
      RUNS,
      warmFigure,
    ),
  ],
  [
    'The whole lifecycle on examples/vault on an embedded anvil; every figure is the whole process, Node start to exit.',
  ],
);
console.log(renderLines(result).join('\n'));
