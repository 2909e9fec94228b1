#!/usr/bin/env node
/**
 * Benchmark: the transparency log. Appends per second into the embedded store (PGlite), one transaction per
 * entry, in batches (`appendMany`: one transaction per batch — the bulk API), and from many concurrent
 * `append()` callers (group commit, as a server would see) — each with durable commits (the default: fsync
 * per commit) beside PGlite as shipped (fsync=off), in the same run; then inclusion and
 * consistency proofs, generated and verified, at 10^5 and 10^6 entries, side by side with the naive baseline
 * that recomputes the tree from every entry (RFC 9162's definitions read literally, src/ledger/naive.ts).
 * The 10^5 tree is measured both in PGlite and in memory; the 10^6 tree is built in the in-memory node store
 * (same proof code, same node layout as `ledger_nodes`) because filling PGlite with 2·10^6 node rows takes
 * minutes per run. Needs `npm run build` first.
 *
 *   node bench/ledger.mjs [--appends N] [--batch N] [--proofs N] [--naive-runs N] [--max 1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const APPENDS = arg('--appends', 50_000);
const BATCH = arg('--batch', 1_000);
const PROOFS = arg('--proofs', 1_000);
const NAIVE_RUNS = arg('--naive-runs', 3);
const MAX = arg('--max', 1_000_000);
const dist = (p) => import(`${root}dist/${p}`);
const { openPglite } = await dist('store/db.js');
const { dbNodeSource, openLedger } = await dist('store/ledger-store.js');
const { memoryTree } = await dist('ledger/memory.js');
const { inclusionProof, consistencyProof, rootAt } = await dist('ledger/merkle.js');
const { toHex } = await dist('ledger/hash.js');
const { verifyInclusion, verifyConsistency } = await dist('ledger/verify.js');
const { naivePath, naiveProof, naiveRoot } = await dist('ledger/naive.js');
const { canonicalEntry } = await dist('ledger/entry.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (x < 1 ? `${(x * 1000).toFixed(1)} µs` : `${x.toFixed(2)} ms`);
const hex = (n, width) => n.toString(16).padStart(width, '0');
/** A realistic entry (an evidence record), different for every i. */
const entry = (i) => ({
  kind: 'evidence',
  digest: `0x${hex(i, 64)}`,
  at: new Date(Date.UTC(2026, 10, 2) + i * 1000),
  stage: i % 2 ? 'check' : 'simulate',
  hash: `0x${hex(i * 7919, 64)}`,
  verdict: 'pass',
});
const encoder = new TextEncoder();
/** Deterministic random indexes (a fixed LCG, so every run asks for the same proofs). */
function* indexes(n, count) {
  let x = 12345;
  for (let k = 0; k < count; k++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield x % n;
  }
}

// 1. Appends into PGlite, durable (the store's default: every commit fsynced, src/store/durable.ts) side by side
// with PGlite as shipped (fsync=off: a commit is in the OS page cache only, lost on power loss).
async function appendRates(durable) {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-bench-ledger-'));
  const db = await openPglite(join(dir, 'db'), { create: true, durable });
  const ledger = await openLedger(db, { origin: 'bench' });
  const [{ fsync }] = await db.query('show fsync');
  const single = Math.min(2_000, APPENDS);
  let t = performance.now();
  for (let i = 0; i < single; i++) await ledger.append(entry(i));
  const singleRate = single / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = single; i < APPENDS; i += BATCH) {
    await ledger.appendMany(Array.from({ length: Math.min(BATCH, APPENDS - i) }, (_, k) => entry(i + k)));
  }
  const batchRate = (APPENDS - single) / ((performance.now() - t) / 1000);
  // Many callers at once (a server): append() commits concurrent calls together (group commit).
  const concurrent = Math.min(10_000, APPENDS);
  t = performance.now();
  for (let i = 0; i < concurrent; i += 1_000) {
    await Promise.all(Array.from({ length: 1_000 }, (_, k) => ledger.append(entry(APPENDS + i + k))));
  }
  const concurrentRate = concurrent / ((performance.now() - t) / 1000);
  return { dir, db, ledger, fsync, single, singleRate, batchRate, concurrent, concurrentRate };
}
const relaxed = await appendRates(false);
await relaxed.db.close();
rmSync(relaxed.dir, { recursive: true, force: true });
const durable = await appendRates(true);
const { dir, db, ledger } = durable;
const rate = (x) => x.toFixed(0).padStart(7);
const cost = (a, b) => `×${(a / b).toFixed(1)}`;
console.log(
  'appends into PGlite (embedded, file-backed, validation + canonical JSON + hashing + SQL), entries/s:',
);
console.log(
  `                                       durable  fsync=off   (fsync: ${durable.fsync} / ${relaxed.fsync}; durable costs)`,
);
console.log(
  `  one transaction per entry         ${rate(durable.singleRate)}    ${rate(relaxed.singleRate)}   ${cost(relaxed.singleRate, durable.singleRate)}  (${durable.single} entries)`,
);
console.log(
  `  appendMany, ${BATCH} per transaction ${rate(durable.batchRate)}    ${rate(relaxed.batchRate)}   ${cost(relaxed.batchRate, durable.batchRate)}  (${APPENDS - durable.single} entries; target ≥ 5,000/s)`,
);
console.log(
  `  append(), 1000 callers at a time  ${rate(durable.concurrentRate)}    ${rate(relaxed.concurrentRate)}   ${cost(relaxed.concurrentRate, durable.concurrentRate)}  (${durable.concurrent} entries, group commit; target ≥ 5,000/s)`,
);
let t;

// 2. Proofs at 10^5 (PGlite and memory) and 10^6 (memory), against the naive full recompute.
async function timeProofs(label, source, n) {
  const gen = [];
  const ver = [];
  for (const i of indexes(n, PROOFS)) {
    let s = performance.now();
    const p = await inclusionProof(source, i, n);
    gen.push(performance.now() - s);
    s = performance.now();
    if (!verifyInclusion(p)) throw new Error(`proof of ${i} in ${n} does not verify`);
    ver.push(performance.now() - s);
  }
  const cgen = [];
  const cver = [];
  for (const m of indexes(n, Math.min(PROOFS, 200))) {
    let s = performance.now();
    const c = await consistencyProof(source, m + 1, n);
    cgen.push(performance.now() - s);
    s = performance.now();
    if (!verifyConsistency(c)) throw new Error(`consistency ${m + 1} → ${n} does not verify`);
    cver.push(performance.now() - s);
  }
  const out = { inclusion: median(gen) + median(ver), consistency: median(cgen) + median(cver) };
  console.log(
    `  ${label.padEnd(26)} inclusion ${ms(median(gen))} + verify ${ms(median(ver))};  consistency ${ms(median(cgen))} + verify ${ms(median(cver))}   (medians of ${gen.length}/${cgen.length}; target < 1 ms)`,
  );
  return out;
}

function timeNaive(label, data, n) {
  const path = [];
  const proof = [];
  for (const i of indexes(n, NAIVE_RUNS)) {
    let s = performance.now();
    naivePath(i, data.length === n ? data : data.slice(0, n));
    path.push(performance.now() - s);
    s = performance.now();
    naiveProof(i + 1, data.length === n ? data : data.slice(0, n));
    proof.push(performance.now() - s);
  }
  console.log(
    `  ${label.padEnd(26)} inclusion ${ms(median(path))};  consistency ${ms(median(proof))}   (medians of ${NAIVE_RUNS})`,
  );
  return { inclusion: median(path), consistency: median(proof) };
}

const sizes = [100_000, MAX].filter((n, i, a) => n <= MAX && a.indexOf(n) === i);
const dataLength = Math.max(...sizes);
t = performance.now();
const data = Array.from({ length: dataLength }, (_, i) => encoder.encode(canonicalEntry(entry(i)).json));
const tree = memoryTree();
const encodeMs = performance.now() - t;
t = performance.now();
for (let i = 0; i < dataLength; i++) tree.append(data[i]);
const buildMs = performance.now() - t;
console.log(
  `\nin-memory log: ${dataLength} entries appended in ${(buildMs / 1000).toFixed(2)} s (${((dataLength / buildMs) * 1000).toFixed(0)} appends/s, O(log n) each; entries encoded in ${(encodeMs / 1000).toFixed(1)} s)`,
);
t = performance.now();
naiveRoot(data);
console.log(`  naive root of all ${dataLength} entries (full recompute): ${ms(performance.now() - t)}`);

for (const n of sizes) {
  console.log(`\nproofs at ${n.toLocaleString('en')} entries:`);
  const mem = await timeProofs('memory node store', tree.nodes, n);
  if (n === 100_000) {
    // The PGlite log holds the first APPENDS entries; top it up to 10^5 with the bulk API.
    for (let { size } = await ledger.head(); size < n; size += 5_000) {
      await ledger.appendMany(Array.from({ length: Math.min(5_000, n - size) }, (_, k) => entry(size + k)));
    }
    const stored = await ledger.head();
    const same = stored.size === n && stored.root === toHex(await rootAt(tree.nodes, n));
    if (!same) throw new Error('the PGlite log and the in-memory log disagree');
    await timeProofs('PGlite (ledger_nodes)', dbNodeSource(db, 'bench'), n);
  }
  const naive = timeNaive('naive full recompute', data, n);
  console.log(
    `  ratio naive / incremental (memory): inclusion ×${(naive.inclusion / mem.inclusion).toFixed(0)}, consistency ×${(naive.consistency / mem.consistency).toFixed(0)}`,
  );
}
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
await db.close();
rmSync(dir, { recursive: true, force: true });
