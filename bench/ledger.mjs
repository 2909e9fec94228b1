#!/usr/bin/env node
/**
 * Benchmark: the transparency log.
 *
 * 1. Appends per second into the embedded store (PGlite), durable commits (the default: fsync per commit)
 *    beside PGlite as shipped (fsync=off), in the same run: one caller awaiting each append (one transaction
 *    per entry: the baseline), `appendMany` (one transaction per batch: the bulk API), and 1,000 `append()`
 *    calls handed in at once. PGlite is one connection in one process: those 1,000 calls are not independent
 *    transactions, the ledger's group commit writes them together — batching, reported with its transaction
 *    count, not as concurrency.
 * 2. Inclusion and consistency proofs, generated and verified, at 10^5 entries (PGlite and memory) and 10^6
 *    (the in-memory node store: same proof code and node layout as `ledger_nodes`; filling PGlite with 2·10^6
 *    node rows takes minutes per run), side by side with the naive baseline that recomputes the tree from every
 *    entry (RFC 9162 read literally, src/ledger/naive.ts). Indexes are exact and distinct (bench/lib/sample.mjs).
 * 3. The commands as a user runs them on the 10^5-entry store: `patchgate log proof` and `log consistency`
 *    (a new process each: Node start, opening the store, the proof), beside the in-process PGlite figure.
 *
 * Writes only under a fresh temp dir, removed at exit. Needs `npm run build` first.
 *
 *   node bench/ledger.mjs [--appends N] [--batch N] [--proofs N] [--naive-runs N] [--cli-runs N] [--max N] [--json FILE]
 */
import { join } from 'node:path';
import { arg, cli, figure, freshDir, median, report, root, timedNode } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';
import { distinctIndexes } from './lib/sample.mjs';

const APPENDS = arg('--appends', 50_000);
const BATCH = arg('--batch', 1_000);
const PROOFS = arg('--proofs', 1_000);
const NAIVE_RUNS = arg('--naive-runs', 3);
const CLI_RUNS = arg('--cli-runs', 5);
const MAX = arg('--max', 1_000_000);
const CALLERS = 1_000;
const dist = (p) => import(`${root}dist/${p}`);
const { openPglite } = await dist('store/db.js');
const { dbNodeSource, openLedger } = await dist('store/ledger-store.js');
const { memoryTree } = await dist('ledger/memory.js');
const { inclusionProof, consistencyProof, rootAt } = await dist('ledger/merkle.js');
const { toHex } = await dist('ledger/hash.js');
const { verifyInclusion, verifyConsistency } = await dist('ledger/verify.js');
const { naivePath, naiveProof, naiveRoot } = await dist('ledger/naive.js');
const { canonicalEntry } = await dist('ledger/entry.js');

const work = freshDir('ledger');
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
const figures = [];

// 1. Appends. The database handle counts the transactions the ledger opens: what group commit really did.
async function appendRates(durable) {
  const dir = join(work, durable ? 'durable' : 'relaxed');
  const raw = await openPglite(join(dir, 'db'), { create: true, durable });
  let transactions = 0;
  const db = {
    ...raw,
    transaction: (fn) => {
      transactions++;
      return raw.transaction(fn);
    },
  };
  const ledger = await openLedger(db, { origin: 'bench' });
  const [{ fsync }] = await raw.query('show fsync');
  const single = Math.min(2_000, APPENDS);
  let t = performance.now();
  for (let i = 0; i < single; i++) await ledger.append(entry(i));
  const singleRate = single / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = single; i < APPENDS; i += BATCH) {
    await ledger.appendMany(Array.from({ length: Math.min(BATCH, APPENDS - i) }, (_, k) => entry(i + k)));
  }
  const batchRate = (APPENDS - single) / ((performance.now() - t) / 1000);
  const waves = Math.max(1, Math.floor(Math.min(10_000, APPENDS) / CALLERS));
  const before = transactions;
  t = performance.now();
  for (let w = 0; w < waves; w++) {
    const base = APPENDS + w * CALLERS;
    await Promise.all(Array.from({ length: CALLERS }, (_, k) => ledger.append(entry(base + k))));
  }
  const calledRate = (waves * CALLERS) / ((performance.now() - t) / 1000);
  const calledTx = transactions - before;
  return { dir, raw, ledger, fsync, single, singleRate, batchRate, waves, calledRate, calledTx };
}
const relaxed = await appendRates(false);
await relaxed.raw.close();
const durable = await appendRates(true);
const called = durable.waves * CALLERS;
const perTx = (r) => (called / r.calledTx).toFixed(0);
const oneTx = { label: 'one transaction per entry', value: durable.singleRate };
figures.push(
  figure(
    'appends, one caller awaiting each (one transaction per entry), durable',
    durable.singleRate,
    'entries/s',
    1,
    undefined,
    `${durable.single} entries`,
  ),
  figure(
    `appends, appendMany ${BATCH} per transaction, durable`,
    durable.batchRate,
    'entries/s',
    1,
    oneTx,
    `${APPENDS - durable.single} entries`,
  ),
  figure(
    `appends, ${CALLERS} append() calls at once, durable — group commit: ${durable.calledTx} transactions of ~${perTx(durable)} entries (batching, not ${CALLERS} independent transactions)`,
    durable.calledRate,
    'entries/s',
    1,
    oneTx,
    `${called} entries`,
  ),
  figure('appends, one transaction per entry, fsync=off', relaxed.singleRate, 'entries/s', 1, {
    label: 'durable',
    value: durable.singleRate,
  }),
  figure(`appends, appendMany ${BATCH} per transaction, fsync=off`, relaxed.batchRate, 'entries/s', 1, {
    label: 'durable',
    value: durable.batchRate,
  }),
  figure(
    `appends, ${CALLERS} append() calls at once, fsync=off (${relaxed.calledTx} transactions)`,
    relaxed.calledRate,
    'entries/s',
    1,
    { label: 'durable', value: durable.calledRate },
  ),
);
console.log(`appends into PGlite (fsync: durable ${durable.fsync}, baseline ${relaxed.fsync}), entries/s`);

// 2. Proofs.
async function timeProofs(label, source, n) {
  const gen = [];
  const ver = [];
  for (const i of distinctIndexes(n, PROOFS, 1)) {
    let s = performance.now();
    const p = await inclusionProof(source, i, n);
    gen.push(performance.now() - s);
    s = performance.now();
    if (!verifyInclusion(p)) throw new Error(`proof of ${i} in ${n} does not verify`);
    ver.push(performance.now() - s);
  }
  const cgen = [];
  const cver = [];
  // Earlier tree sizes m in [1, n].
  for (const m of distinctIndexes(n, Math.min(PROOFS, 200), 2)) {
    let s = performance.now();
    const c = await consistencyProof(source, m + 1, n);
    cgen.push(performance.now() - s);
    s = performance.now();
    if (!verifyConsistency(c)) throw new Error(`consistency ${m + 1} → ${n} does not verify`);
    cver.push(performance.now() - s);
  }
  console.log(
    `  ${label.padEnd(26)} inclusion ${ms(median(gen))} + verify ${ms(median(ver))};  consistency ${ms(median(cgen))} + verify ${ms(median(cver))}   (medians of ${gen.length}/${cgen.length} distinct indexes)`,
  );
  return {
    inclusion: median(gen) + median(ver),
    consistency: median(cgen) + median(cver),
    runs: gen.length,
    cruns: cgen.length,
  };
}

function timeNaive(data, n) {
  const path = [];
  const proof = [];
  const slice = data.length === n ? data : data.slice(0, n);
  for (const i of distinctIndexes(n, NAIVE_RUNS, 3)) {
    let s = performance.now();
    naivePath(i, slice);
    path.push(performance.now() - s);
    s = performance.now();
    naiveProof(i + 1, slice);
    proof.push(performance.now() - s);
  }
  return { inclusion: median(path), consistency: median(proof) };
}

/** `patchgate log proof` / `log consistency` on the store, each a new process, median of CLI_RUNS. */
function timeCommands(stateDir, n) {
  const run = (args) => {
    const r = timedNode(
      [cli, 'log', ...args, '--state-dir', stateDir, '--origin', 'bench', '--format', 'json'],
      work,
    );
    if (r.code !== 0) throw new Error(`patchgate log ${args.join(' ')} exited ${r.code}: ${r.err}`);
    return r;
  };
  run(['proof', '--index', '0']); // warm-up: pages in node_modules
  const proof = distinctIndexes(n, CLI_RUNS, 4).map((i) => run(['proof', '--index', String(i)]).ms);
  const cons = distinctIndexes(n, CLI_RUNS, 5).map((m) => run(['consistency', '--from', String(m + 1)]).ms);
  return { proof: median(proof), consistency: median(cons) };
}

const sizes = [100_000, MAX].filter((n, i, a) => n <= MAX && a.indexOf(n) === i);
const dataLength = Math.max(...sizes);
let t = performance.now();
const data = Array.from({ length: dataLength }, (_, i) => encoder.encode(canonicalEntry(entry(i)).json));
const tree = memoryTree();
const encodeMs = performance.now() - t;
t = performance.now();
for (let i = 0; i < dataLength; i++) tree.append(data[i]);
const buildMs = performance.now() - t;
t = performance.now();
naiveRoot(data);
const naiveRootMs = performance.now() - t;
console.log(
  `in-memory log: ${dataLength} entries appended in ${(buildMs / 1000).toFixed(2)} s (entries encoded in ${(encodeMs / 1000).toFixed(1)} s); naive root of all of them ${ms(naiveRootMs)}`,
);
figures.push(
  figure(`in-memory log, ${dataLength.toLocaleString('en')} appends (root kept current)`, buildMs, 'ms', 1, {
    label: 'naive root of all entries, once',
    value: naiveRootMs,
  }),
);

for (const n of sizes) {
  const size = n.toLocaleString('en');
  console.log(`proofs at ${size} entries:`);
  const mem = await timeProofs('memory node store', tree.nodes, n);
  const naive = timeNaive(data, n);
  console.log(
    `  naive full recompute: inclusion ${ms(naive.inclusion)}; consistency ${ms(naive.consistency)}`,
  );
  const naiveInc = { label: 'naive full recompute', value: naive.inclusion };
  const naiveCons = { label: 'naive full recompute', value: naive.consistency };
  figures.push(
    figure(
      `inclusion proof + verify at ${size}, in memory`,
      mem.inclusion,
      'ms',
      mem.runs,
      naiveInc,
      `naive: ${NAIVE_RUNS} runs`,
    ),
    figure(
      `consistency proof + verify at ${size}, in memory`,
      mem.consistency,
      'ms',
      mem.cruns,
      naiveCons,
      `naive: ${NAIVE_RUNS} runs`,
    ),
  );
  if (n === 100_000) {
    // The PGlite log holds the first appends; top it up to 10^5 with the bulk API.
    const { ledger, raw } = durable;
    for (let { size: at } = await ledger.head(); at < n; at += 5_000) {
      await ledger.appendMany(Array.from({ length: Math.min(5_000, n - at) }, (_, k) => entry(at + k)));
    }
    const stored = await ledger.head();
    if (stored.size !== n || stored.root !== toHex(await rootAt(tree.nodes, n)))
      throw new Error('the PGlite log and the in-memory log disagree');
    const pg = await timeProofs('PGlite (ledger_nodes)', dbNodeSource(raw, 'bench'), n);
    await raw.close(); // the commands below open the store themselves (one process at a time)
    const cmd = timeCommands(durable.dir, n);
    // What a command pays before its proof: opening the durable store (and the log in it), in-process.
    const opens = [];
    for (let k = 0; k < CLI_RUNS; k++) {
      const s = performance.now();
      const db = await openPglite(join(durable.dir, 'db'), { create: false });
      await openLedger(db, { origin: 'bench' });
      opens.push(performance.now() - s);
      await db.close();
    }
    console.log(
      `  patchgate log proof ${ms(cmd.proof)}; log consistency ${ms(cmd.consistency)} (median of ${CLI_RUNS})`,
    );
    const pgInc = { label: 'in-process, PGlite', value: pg.inclusion };
    const pgCons = { label: 'in-process, PGlite', value: pg.consistency };
    figures.push(
      figure(`inclusion proof + verify at ${size}, PGlite, in-process`, pg.inclusion, 'ms', pg.runs, {
        label: 'in memory',
        value: mem.inclusion,
      }),
      figure(`consistency proof + verify at ${size}, PGlite, in-process`, pg.consistency, 'ms', pg.cruns, {
        label: 'in memory',
        value: mem.consistency,
      }),
      figure(
        `\`patchgate log proof --index i\` at ${size}, as a user runs it (new process)`,
        cmd.proof,
        'ms',
        CLI_RUNS,
        pgInc,
      ),
      figure(
        `\`patchgate log consistency --from m\` at ${size}, as a user runs it`,
        cmd.consistency,
        'ms',
        CLI_RUNS,
        pgCons,
      ),
      figure(
        `opening the ${size}-entry store in-process (openPglite + openLedger, durable)`,
        median(opens),
        'ms',
        CLI_RUNS,
        { label: '`patchgate log proof`', value: cmd.proof },
      ),
    );
  }
}
const result = report('ledger', PROOFS, figures, [
  `PGlite is one connection in one process: the ${CALLERS} simultaneous append() calls are written by group commit in a few transactions (counted above); independent writers would each pay one transaction, the first row's rate.`,
  `Proof indexes: ${PROOFS} distinct per size (200 for consistency), seeded mulberry32, exact integers; the 10^6 tree is the in-memory node store (same proof code and node layout as the database).`,
]);
console.log(renderLines(result).join('\n'));
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
