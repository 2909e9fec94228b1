#!/usr/bin/env node
/**
 * Benchmark: how long the embedded anvil takes to start (spawn → first JSON-RPC answer) for each way of
 * tying it to patchgate (src/chain/child.ts), against the plain spawn patchgate used before (`hooks`: exit and
 * signal hooks only, which SIGKILL bypasses). Runs interleaved, same process, medians. anvil keeps its chain in
 * memory: nothing is written. No command starts only anvil: the command a user runs that starts it,
 * `patchgate simulate`, is timed as a user runs it by bench/simulate.mjs.
 * Needs `npm run build` first.   node bench/anvil.mjs [--runs N] [--json FILE]
 */
import { arg, figure, median, report, root } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const RUNS = arg('--runs', 15);
const { startAnvil } = await import(`${root}dist/chain/anvil.js`);
const { tieMethod } = await import(`${root}dist/chain/child.js`);

const methods = ['hooks', 'pdeathsig', 'pipe'].filter(
  (m) => m !== 'pdeathsig' || tieMethod() === 'pdeathsig',
);
const times = Object.fromEntries(methods.map((m) => [m, []]));

await (await startAnvil()).stop(); // warm-up (binary in the page cache)
for (let run = 0; run < RUNS; run++) {
  for (const tie of methods) {
    const t = performance.now();
    const anvil = await startAnvil({ tie });
    times[tie].push(performance.now() - t);
    await anvil.stop();
  }
}
const base = { label: 'hooks (plain spawn; does not die on SIGKILL)', value: median(times.hooks) };
const figures = methods.map((tie) =>
  tie === 'hooks'
    ? figure('anvil start → first answer, hooks (baseline)', base.value, 'ms', RUNS)
    : figure(
        `anvil start → first answer, ${tie} (dies with its parent on SIGKILL)`,
        median(times[tie]),
        'ms',
        RUNS,
        base,
      ),
);
const result = report('anvil', RUNS, figures, [`Default tie method on this machine: ${tieMethod()}.`]);
console.log(`anvil start → first answer, median of ${RUNS} (default here: ${tieMethod()})`);
console.log(renderLines(result).join('\n'));
