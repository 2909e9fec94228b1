#!/usr/bin/env node
/**
 * Benchmark: how long the embedded anvil takes to start (spawn → first JSON-RPC answer) for each way of
 * tying it to patchgate (src/chain/child.ts), against the plain spawn patchgate used before (`hooks`: exit and
 * signal hooks only, which SIGKILL bypasses). Runs interleaved, same process, medians.
 * Needs `npm run build` first.   node bench/anvil.mjs [--runs N]
 */
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 15;
const { startAnvil } = await import(`${root}dist/chain/anvil.js`);
const { tieMethod } = await import(`${root}dist/chain/child.js`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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
const base = median(times.hooks);
console.log(`anvil start → first answer, median of ${RUNS} (default here: ${tieMethod()})`);
for (const tie of methods) {
  const m = median(times[tie]);
  console.log(
    `  ${tie.padEnd(10)} ${m.toFixed(0).padStart(5)} ms  (min ${Math.min(...times[tie]).toFixed(0)}, max ${Math.max(...times[tie]).toFixed(0)})  ${tie === 'hooks' ? 'baseline: dies on SIGKILL? no' : `×${(m / base).toFixed(2)} vs baseline; dies on SIGKILL: yes`}`,
  );
}
