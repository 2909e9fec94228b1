#!/usr/bin/env node
/**
 * Benchmark: the differential fuzzer's throughput (simulate's `fuzz` stage) against a plain viem `eth_call` loop
 * on the same anvil, after the same upgrade.
 *
 * The example system is deployed on one embedded anvil and upgraded to the fix through the real governance path
 * (the simulate phases prepare and upgrade, from dist/). Then, alternating, RUNS times:
 * - the fuzzer: every external function of the vault, `--calls` generated calls each (shrinking included when a
 *   difference shows). One call = one generated input run on the state before the upgrade AND on the state after
 *   it (debug_traceCall with the callTracer; a second trace, prestateTracer, when the call may write storage and
 *   succeeded), compared — at least two traced executions per call;
 * - the baseline: as many `eth_call`s, one after the other (`await client.call(…)` in a loop), on the vault's
 *   functions with fixed arguments — one untraced execution per call, nothing compared.
 * calls/s of each, the ratio fuzzer / loop (target ≥ 0.7).
 * Needs `npm run build` first.   node bench/fuzz.mjs [--runs N] [--calls N] [--json FILE]
 */
import { join } from 'node:path';
import { arg, figure, freshDir, median, report, root } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const RUNS = arg('--runs', 3);
const CALLS = arg('--calls', 40);
const dist = (p) => import(`${root}dist/${p}`);
const { loadConfig } = await dist('config/load.js');
const { loadProject } = await dist('build/index.js');
const { projectErrorsAbi } = await dist('build/errors-abi.js');
const { startAnvil } = await dist('chain/anvil.js');
const { stageRecorder } = await dist('core/stages.js');
const { checkRequest, prepareRun } = await dist('simulate/prepare.js');
const { runUpgrade } = await dist('simulate/upgrade.js');
const { fuzzStage, markBeforeUpgrade } = await dist('simulate/fuzz/stage.js');
const { accountFor } = await dist('system/model.js');
const { encodeFunctionData } = await import('viem');

const work = freshDir('fuzz');
const exampleDir = join(root, 'examples/vault');
const stateDir = join(work, 'state');
const { config } = await loadConfig({ searchDir: exampleDir });
const params = {
  config: { ...config, fuzz: { ...config.fuzz, runs: CALLS, timeBudgetMs: 600_000 } },
  projectDir: exampleDir,
  stateDir,
  patch: 'fix-flash-deposit',
};
const request = await checkRequest(params);
const project = await loadProject({ dir: exampleDir, stateDir });
const anvil = await startAnvil({ args: ['--steps-tracing'] });
try {
  const run = await prepareRun(request, project, projectErrorsAbi(project), anvil.rpcUrl, stageRecorder());
  const before = await markBeforeUpgrade(run);
  const upgrade = await runUpgrade(run);
  const vault = run.target.address;
  const token = run.system.contracts.get('token').address;
  const user = accountFor('user:1').address;
  const abi = run.target.abi;
  // The baseline's calldata: the vault's functions with fixed, valid arguments (most return, a few revert).
  const calls = abi
    .filter((f) => f.type === 'function')
    .map((f) => {
      const args = f.inputs.map((p) => {
        if (p.type === 'address') return token;
        if (p.type.startsWith('uint')) return 1000n;
        if (p.type === 'bool') return true;
        if (p.type === 'string') return '';
        const fixed = /^bytes(\d+)$/.exec(p.type);
        return fixed ? `0x${'00'.repeat(Number(fixed[1]))}` : '0x';
      });
      return encodeFunctionData({ abi: [f], functionName: f.name, args });
    });
  const fuzzRates = [];
  const loopRates = [];
  let callsRun = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const { fuzz } = await fuzzStage(run, upgrade, before);
    const ms = performance.now() - t;
    callsRun = fuzz.callsRun;
    fuzzRates.push(fuzz.callsRun / (ms / 1000));
    const t2 = performance.now();
    for (let n = 0; n < fuzz.callsRun; n++) {
      try {
        await run.clients.public.call({ account: user, to: vault, data: calls[n % calls.length] });
      } catch {
        // a revert is an answer: counted like a return
      }
    }
    loopRates.push(fuzz.callsRun / ((performance.now() - t2) / 1000));
  }
  const base = { label: 'plain viem eth_call loop, same anvil', value: median(loopRates) };
  const result = report(
    'fuzz',
    RUNS,
    [
      figure(
        `differential fuzzing, ${callsRun} calls (${CALLS} per function), each traced before and after and compared`,
        median(fuzzRates),
        'calls/s',
        RUNS,
        base,
      ),
    ],
    [
      'One fuzzer call = one generated input run on the state before AND after the upgrade (debug_traceCall, callTracer; plus the prestateTracer when it may write and succeeded), then compared; one loop call = one eth_call. Target: ratio ≥ 0.7.',
      'The fuzzer runs 6 functions at a time, each with its before and after traces in flight together, as JSON-RPC batches; the loop awaits each call.',
    ],
  );
  console.log(renderLines(result).join('\n'));
} finally {
  await anvil.stop();
}
