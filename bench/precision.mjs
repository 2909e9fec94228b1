#!/usr/bin/env node
/**
 * Benchmark (issue 10, "Prove it"): precision and speed of `patchgate check` on the precision corpus
 * (test/fixtures/corpus, safe and unsafe upgrade pairs with their ground truth), side by side with
 * OpenZeppelin upgrades-core alone on the same pairs and the same compiler output.
 *
 * 1. A confusion table per class — right / false alarm (a safe pair blocked) / missed (an unsafe pair passed)
 *    — for patchgate and for upgrades-core alone (its validate + getErrors + getStorageUpgradeReport per pair;
 *    it blocks a pair when it reports an error or an incompatible layout, or refuses the pair outright), with
 *    totals and the false-alarm rate on safe pairs. A pair patchgate cannot check (exit 2/3) counts as blocked:
 *    it never passes.
 * 2. Timing on the pairs patchgate can check: the whole corpus in one process (`check --pairs`), one process
 *    per pair (the CLI spawned per pair), both with a warm compile cache and no analysis cache, and
 *    upgrades-core alone in one process; the ratios. Target: one process under 3× upgrades-core.
 *
 * Writes only under a fresh temp dir (state dir included; removed at exit): the first compile of the corpus is
 * paid in the run, untimed. Needs `npm run build` first (uses dist/ and the compiled CLI, as users do).
 *
 *   node bench/precision.mjs [--runs N] [--json FILE]   (N rounds of the one-process runs, default 3; one round per pair)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, cli, figure, freshDir, median, report, root, timedNode } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const corpus = join(root, 'test/fixtures/corpus');

/**
 * upgrades-core alone, in this process: read the compiler output, then for each pair validate the pair's
 * sources (with their imports, as upgrades-core requires), ask for the candidate's errors and the storage
 * layout report. Writes `[{name, blocked, errors, layoutOk, refused?}]` to `outFile`.
 */
export async function upgradesCoreWorker(unitFile, pairsFile, outFile) {
  const oz = await import('@openzeppelin/upgrades-core');
  const { importClosure } = await import(join(root, 'dist/build/closure.js'));
  const error = console.error;
  console.error = () => {};
  oz.silenceWarnings();
  const unit = JSON.parse(readFileSync(unitFile, 'utf8'));
  const pairs = JSON.parse(readFileSync(pairsFile, 'utf8'));
  const pick = (record, keep) =>
    Object.fromEntries(Object.entries(record ?? {}).filter(([k]) => keep.has(k)));
  const fqn = (name) => {
    for (const [source, contracts] of Object.entries(unit.output.contracts)) {
      if (name in contracts)
        return { source, fqn: `${source}:${name}`, methods: contracts[name].evm.methodIdentifiers };
    }
    throw new Error(`${name} not found`);
  };
  const runs = new Map();
  const results = [];
  for (const pair of pairs) {
    const ref = fqn(pair.reference);
    const cand = fqn(pair.candidate);
    const kind = pair.kind ?? ('proxiableUUID()' in cand.methods ? 'uups' : 'transparent');
    try {
      const keep = importClosure(unit, [ref.source, cand.source]);
      const key = [...keep].sort().join('|');
      let run = runs.get(key);
      if (!run) {
        const output = {
          ...unit.output,
          sources: pick(unit.output.sources, keep),
          contracts: pick(unit.output.contracts, keep),
        };
        const input = { ...unit.input, sources: pick(unit.input.sources, keep) };
        const namespaced = unit.namespacedOutput && {
          ...unit.namespacedOutput,
          sources: pick(unit.namespacedOutput.sources, keep),
          contracts: pick(unit.namespacedOutput.contracts, keep),
        };
        run = oz.validate(
          output,
          oz.solcInputOutputDecoder(input, output),
          unit.solcVersion,
          input,
          namespaced,
        );
        runs.set(key, run);
      }
      const opts = oz.withValidationDefaults({ kind });
      const errors = oz.getErrors([run], oz.getContractVersion(run, cand.fqn), opts);
      const layout = oz.getStorageUpgradeReport(
        oz.getStorageLayout([run], oz.getContractVersion(run, ref.fqn)),
        oz.getStorageLayout([run], oz.getContractVersion(run, cand.fqn)),
        opts,
      );
      results.push({
        name: pair.name,
        blocked: errors.length > 0 || !layout.ok,
        errors: errors.map((e) => e.kind),
        layoutOk: layout.ok,
      });
    } catch (e) {
      results.push({
        name: pair.name,
        blocked: true,
        errors: [],
        layoutOk: false,
        refused: String(e.message).split('\n')[0],
      });
    }
  }
  console.error = error;
  writeFileSync(outFile, JSON.stringify(results));
}

/**
 * right / false alarm / missed of a tool's decisions (`blocked`: pair name → whether it blocked) against the
 * ground truth (`expected`: pair name → {safe}); pairs the map does not hold are not counted.
 */
export function confusion(expected, blocked) {
  const t = { right: 0, falseAlarm: 0, missed: 0 };
  for (const [name, e] of Object.entries(expected)) {
    if (!blocked.has(name)) continue;
    const b = blocked.get(name);
    if (b === !e.safe) t.right++;
    else if (b) t.falseAlarm++;
    else t.missed++;
  }
  return t;
}

/** The whole benchmark: precision tables, then timings (RUNS rounds of the one-process runs). */
export async function main(RUNS = 3) {
  const pairs = JSON.parse(readFileSync(join(corpus, 'pairs.json'), 'utf8'));
  const expected = JSON.parse(readFileSync(join(corpus, 'expected.json'), 'utf8'));
  const { loadProject, ensureNamespaced } = await import(join(root, 'dist/build/index.js'));
  const { runPairs } = await import(join(root, 'dist/analyze/run-pairs.js'));

  const work = freshDir('precision');
  // The compile cache lives in the run's temp dir: the first (untimed) load pays solc; the analysis cache in it
  // is emptied before every timed patchgate run.
  const state = join(work, 'state');
  // One compile for everyone (patchgate's loader; the namespaced layouts made too, so upgrades-core sees them).
  const project = await loadProject({ dir: corpus, stateDir: state });
  for (const unit of project.units) await ensureNamespaced(unit, state);
  const unit = project.units[0];
  const unitFile = join(work, 'unit.json');
  writeFileSync(
    unitFile,
    JSON.stringify({
      solcVersion: unit.solcVersion,
      input: unit.input,
      output: unit.output,
      namespacedOutput: unit.namespacedOutput,
    }),
  );

  const timed = (args) => timedNode(args, work);
  let ozRuns = 0;
  const upgradesCore = (pairsFile) => {
    const out = join(work, `oz-${ozRuns++}.json`);
    const r = timed([fileURLToPath(import.meta.url), '--upgrades-core-worker', unitFile, pairsFile, out]);
    if (r.code !== 0) throw new Error(`upgrades-core worker exited ${r.code}: ${r.err}`);
    return { ms: r.ms, results: JSON.parse(readFileSync(out, 'utf8')) };
  };

  // ---- 1. Precision ----
  const pg = await runPairs({
    projectDir: corpus,
    stateDir: state,
    project,
    pairs,
    cache: false,
    keepGoing: true,
  });
  const pgBlocked = new Map([
    ...pg.pairs.map((p) => [p.name, p.verdict !== 'pass']),
    ...(pg.errors ?? []).map((e) => [e.name, true]),
  ]);
  const pgErrors = new Map((pg.errors ?? []).map((e) => [e.name, e]));
  const allPairsFile = join(work, 'all-pairs.json');
  writeFileSync(allPairsFile, JSON.stringify(pairs));
  const oz = upgradesCore(allPairsFile);
  const ozBlocked = new Map(oz.results.map((r) => [r.name, r.blocked]));

  const tally = (blocked) => confusion(expected, blocked);
  const classes = [...new Set(Object.values(expected).map((e) => e.class))];
  const cell = (t) =>
    `${String(t.right).padStart(3)} ${String(t.falseAlarm).padStart(3)} ${String(t.missed).padStart(3)}`;
  const only = (blocked, cls) => new Map([...blocked].filter(([name]) => expected[name]?.class === cls));
  console.log(`precision on ${pairs.length} pairs of test/fixtures/corpus (right / false alarm / missed)`);
  console.log(
    `${'class'.padEnd(30)} ${'safe'.padStart(4)} ${'unsafe'.padStart(6)}   patchgate    upgrades-core`,
  );
  for (const cls of classes) {
    const members = Object.values(expected).filter((e) => e.class === cls);
    const safe = members.filter((e) => e.safe).length;
    console.log(
      `${cls.padEnd(30)} ${String(safe).padStart(4)} ${String(members.length - safe).padStart(6)}   ${cell(tally(only(pgBlocked, cls)))}  ${cell(tally(only(ozBlocked, cls)))}`,
    );
  }
  const safeCount = Object.values(expected).filter((e) => e.safe).length;
  const pgT = tally(pgBlocked);
  const ozT = tally(ozBlocked);
  console.log(
    `${'total'.padEnd(30)} ${String(safeCount).padStart(4)} ${String(pairs.length - safeCount).padStart(6)}   ${cell(pgT)}  ${cell(ozT)}`,
  );
  const rate = (t) => `${t.falseAlarm}/${safeCount} = ${((100 * t.falseAlarm) / safeCount).toFixed(1)}%`;
  console.log(`false-alarm rate on safe pairs: patchgate ${rate(pgT)}, upgrades-core ${rate(ozT)}`);
  console.log(`missed unsafe pairs: patchgate ${pgT.missed}, upgrades-core ${ozT.missed}`);
  const wrong = (blocked) =>
    Object.entries(expected)
      .filter(([name, e]) => blocked.get(name) === e.safe)
      .map(
        ([name, e]) =>
          `${name}${e.safe ? ' (false alarm)' : ' (missed)'}${pgErrors.has(name) && blocked === pgBlocked ? ` [not checked: ${pgErrors.get(name).code}]` : ''}`,
      );
  console.log(`patchgate wrong on: ${wrong(pgBlocked).join(', ') || 'none'}`);
  console.log(
    `patchgate could not check (counted as blocked: it never passes): ${[...pgErrors.values()].map((e) => `${e.name} (${e.code})`).join(', ') || 'none'}`,
  );
  console.log(`upgrades-core wrong on: ${wrong(ozBlocked).join(', ') || 'none'}`);

  // ---- 2. Timing, on the pairs patchgate can check (the CLI stops at a pair it cannot) ----
  const checkable = pairs.filter((p) => !pgErrors.has(p.name));
  const pairsFile = join(work, 'pairs.json');
  writeFileSync(pairsFile, JSON.stringify(checkable));
  const coldAnalysis = () => rmSync(join(state, 'cache', 'check'), { recursive: true, force: true });
  const onePg = () => {
    const r = timed([
      cli,
      'check',
      '--project',
      corpus,
      '--state-dir',
      state,
      '--pairs',
      pairsFile,
      '--format',
      'json',
    ]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`check --pairs exited ${r.code}: ${r.err}`);
    return r;
  };
  const perPair = () => {
    let ms = 0;
    for (const p of checkable) {
      const args = [
        cli,
        'check',
        '--project',
        corpus,
        '--state-dir',
        state,
        '--reference',
        p.reference,
        '--candidate',
        p.candidate,
      ];
      const r = timed([...args, ...(p.kind ? ['--kind', p.kind] : []), '--format', 'json']);
      if (r.code !== 0 && r.code !== 1) throw new Error(`check ${p.name} exited ${r.code}: ${r.err}`);
      ms += r.ms;
    }
    return ms;
  };
  upgradesCore(pairsFile); // warm-up: pages in node_modules
  const times = { oz: [], pg: [], pgCached: [], perPair: [] };
  for (let i = 0; i < RUNS; i++) {
    times.oz.push(upgradesCore(pairsFile).ms);
    coldAnalysis();
    times.pg.push(onePg().ms);
    times.pgCached.push(onePg().ms);
  }
  coldAnalysis();
  times.perPair.push(perPair());
  const base = median(times.oz);
  const ozBase = { label: 'upgrades-core alone, one process', value: base };
  console.log(
    `\ntiming on ${checkable.length} pairs (${pairs.length - checkable.length} that patchgate cannot check left out), warm compile cache, median of ${RUNS} (per-pair: 1 round)`,
  );
  const ozCounts = (key) => ({ label: 'upgrades-core alone', value: ozT[key] });
  const figures = [
    figure(`missed unsafe pairs, of ${pairs.length - safeCount}`, pgT.missed, 'pairs', 1, ozCounts('missed')),
    figure(`false alarms on safe pairs, of ${safeCount}`, pgT.falseAlarm, 'pairs', 1, ozCounts('falseAlarm')),
    figure('upgrades-core alone, one process', base, 'ms', RUNS),
    figure(
      '`patchgate check --pairs`, one process (no analysis cache)',
      median(times.pg),
      'ms',
      RUNS,
      ozBase,
    ),
    figure(
      '`patchgate check --pairs`, one process (analysis cached)',
      median(times.pgCached),
      'ms',
      RUNS,
      ozBase,
    ),
    figure(
      '`patchgate check`, one process per pair (no analysis cache)',
      median(times.perPair),
      'ms',
      1,
      ozBase,
    ),
  ];
  const result = report('precision', RUNS, figures, [
    `${pairs.length} pairs of test/fixtures/corpus (${safeCount} safe, ${pairs.length - safeCount} unsafe); timing on the ${checkable.length} pairs patchgate can check, warm compile cache; every patchgate figure is the command as a user runs it (a new process).`,
  ]);
  console.log(renderLines(result).join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--upgrades-core-worker') {
    await upgradesCoreWorker(process.argv[3], process.argv[4], process.argv[5]);
  } else {
    await main(arg('--runs', 3));
  }
}
