#!/usr/bin/env node
/**
 * Benchmark (issue 14): the scan on its labelled corpus (test/fixtures/scan, labels in bench/lib/scan-labels.mjs).
 *
 * 1. Precision and recall per detector. The truth of a contract is what its labels say is there: `expect`
 *    (found and real) and `miss` (real, knowingly not found); `false-alarm` labels are reports on safe code. A
 *    report the truth holds is a true positive, one it does not a false positive (false alarms, and anything
 *    unlabelled), a real bug not reported a false negative. Matched by detector and function (`id@function`).
 * 2. Scan time per contract (all detectors on one contract's typed view), median over --runs, beside one walk
 *    over every AST node of the contract and its bases — the baseline: the scan's cost in whole-AST passes.
 *
 * Compiles the corpus once into a fresh temp state dir (untimed). Needs `npm run build` first (uses dist/).
 *   node bench/scan.mjs [--runs N] [--json FILE]
 */
import { join } from 'node:path';
import { arg, figure, freshDir, median, report, root } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';
import { isProbe, labelledContracts } from './lib/scan-labels.mjs';

const RUNS = arg('--runs', 5);
const corpusDir = join(root, 'test/fixtures/scan');
const { loadProject, findContract } = await import(join(root, 'dist/build/index.js'));
const { contractView, walk } = await import(join(root, 'dist/analyze/ast.js'));
const { scanContract } = await import(join(root, 'dist/analyze/scan/run.js'));
const { DETECTORS } = await import(join(root, 'dist/analyze/scan/registry.js'));

const project = await loadProject({ dir: corpusDir, stateDir: freshDir('scan') });
const corpus = labelledContracts(corpusDir).filter((c) => !isProbe(c));

const counts = new Map(DETECTORS.map((d) => [d.id, { tp: 0, fp: 0, fn: 0 }]));
const count = (label) =>
  counts.get(label.split('@')[0]) ??
  counts.set(label.split('@')[0], { tp: 0, fp: 0, fn: 0 }).get(label.split('@')[0]);
const scanTimes = [];
const viewTimes = [];
for (const c of corpus) {
  const handle = findContract(project, c.fullyQualifiedName);
  const truth = new Set([...c.expect, ...c.miss]);
  const found = new Set(
    scanContract(contractView(handle)).map((f) => `${f.id}@${f.location?.function ?? ''}`),
  );
  for (const label of found) count(label)[truth.has(label) ? 'tp' : 'fp']++;
  for (const label of truth) if (!found.has(label)) count(label).fn++;
  const view = contractView(handle);
  const scans = [];
  const views = [];
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    let nodes = 0;
    walk(view.linearized, () => {
      nodes++;
      return undefined;
    });
    views.push(performance.now() - t);
    const fresh = contractView(handle); // a new view: the call-graph caches start cold, as in a check
    t = performance.now();
    scanContract(fresh);
    scans.push(performance.now() - t);
    if (nodes === 0) throw new Error(`${c.fullyQualifiedName}: no AST`);
  }
  scanTimes.push(median(scans));
  viewTimes.push(median(views));
}

const pct = (n, d) => (d === 0 ? 1 : n / d);
const rows = [...counts].map(([id, { tp, fp, fn }]) => ({
  id,
  tp,
  fp,
  fn,
  precision: pct(tp, tp + fp),
  recall: pct(tp, tp + fn),
}));
console.log(`scan corpus: ${corpus.length} contracts, ${DETECTORS.length} detectors`);
console.log('| detector | true positives | false positives | false negatives | precision | recall |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.id} | ${r.tp} | ${r.fp} | ${r.fn} | ${(r.precision * 100).toFixed(0)} % | ${(r.recall * 100).toFixed(0)} % |`,
  );

const base = { label: 'one walk over every AST node of it and its bases', value: median(viewTimes) };
const tot = rows.reduce((a, r) => ({ tp: a.tp + r.tp, fp: a.fp + r.fp, fn: a.fn + r.fn }), {
  tp: 0,
  fp: 0,
  fn: 0,
});
const figures = [
  figure('scan of one contract, all detectors (median over the corpus)', median(scanTimes), 'ms', RUNS, base),
  figure('scan of one contract, slowest in the corpus', Math.max(...scanTimes), 'ms', RUNS, {
    label: 'one walk over every AST node, slowest',
    value: Math.max(...viewTimes),
  }),
  figure('precision, all detectors', pct(tot.tp, tot.tp + tot.fp) * 100, '%', 1),
  figure('recall, all detectors', pct(tot.tp, tot.tp + tot.fn) * 100, '%', 1),
  ...rows.flatMap((r) => [
    figure(`${r.id}: precision (${r.tp} true, ${r.fp} false alarms)`, r.precision * 100, '%', 1),
    figure(`${r.id}: recall (${r.fn} missed)`, r.recall * 100, '%', 1),
  ]),
];
const result = report('scan', RUNS, figures, [
  `${corpus.length} labelled contracts in test/fixtures/scan (vulnerable ones in the shapes of real incidents, and their fixes); precision and recall by detector and function.`,
  'The corpus is written by the team that wrote the detectors: a floor that catches regressions, not a measure of real-world precision.',
]);
console.log(renderLines(result).join('\n'));
