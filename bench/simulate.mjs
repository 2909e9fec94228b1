#!/usr/bin/env node
/**
 * Benchmark: `simulate` on the bundled example.
 *
 * 1. In-process: `runSimulate` (the library call), by phase, RUNS runs after one warm-up.
 * 2. As a user runs it: `node bin/patchgate.js simulate --patch fix-flash-deposit` (a new process each:
 *    Node start, module loading, config, compile cache, anvil start and stop), RUNS runs, beside the
 *    in-process figure (ratio: what the process around the library costs).
 * 3. The differential replay's throughput against a plain viem sendTransaction + receipt loop with the same
 *    calldata on the same anvil (alternating runs).
 *
 * Every state dir is a fresh temp dir (removed at exit); the commands run with that temp dir as their cwd.
 * Needs `npm run build` first.   node bench/simulate.mjs [--runs N] [--txs N] [--json FILE]
 */
import { join } from 'node:path';
import { arg, cli, figure, freshDir, median, report, root, timedNode } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const RUNS = arg('--runs', 5);
const TXS = arg('--txs', 200);
const dist = (p) => import(`${root}dist/${p}`);
const { loadConfig } = await dist('config/load.js');
const { runSimulate } = await dist('simulate/run-simulate.js');
const { loadProject } = await dist('build/index.js');
const { startAnvil } = await dist('chain/anvil.js');
const { connect } = await dist('chain/clients.js');
const { deploySystem, fundAccounts } = await dist('system/deploy.js');
const { encodeCall } = await dist('system/encode.js');
const { accountFor } = await dist('system/model.js');
const { replay } = await dist('simulate/replay.js');
const { projectErrorsAbi } = await dist('build/errors-abi.js');

const work = freshDir('simulate');
const exampleDir = join(root, 'examples/vault');
const stateDir = join(work, 'state');
const patch = 'fix-flash-deposit';
const { config } = await loadConfig({ searchDir: exampleDir });
const figures = [];

// 1. The library call, by phase (the warm-up fills the compile cache in the temp state dir).
await runSimulate({ config, projectDir: exampleDir, stateDir, patch });
const phases = {};
const totals = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  const r = await runSimulate({ config, projectDir: exampleDir, stateDir, patch });
  totals.push(performance.now() - t);
  for (const s of r.stages) phases[s.name] = [...(phases[s.name] ?? []), s.durationMs];
}
const inProcess = median(totals);
console.log(`simulate ${patch}, in-process, median of ${RUNS}, by phase:`);
for (const [name, xs] of Object.entries(phases))
  console.log(`  ${name.padEnd(18)} ${median(xs).toFixed(0).padStart(6)} ms`);

// 2. The command as a user runs it, same compile cache (warm), a new process each run.
const command = () => {
  const r = timedNode(
    [
      cli,
      'simulate',
      '--config',
      join(exampleDir, 'patchgate.config.json'),
      '--patch',
      patch,
      '--state-dir',
      stateDir,
      '--format',
      'json',
    ],
    work,
  );
  if (r.code !== 0) throw new Error(`patchgate simulate exited ${r.code}: ${r.err || r.out.slice(0, 2000)}`);
  return r.ms;
};
command(); // warm-up: pages in node_modules
const commandMs = median(Array.from({ length: RUNS }, command));
const target = { label: 'target', value: 10_000 };
figures.push(
  figure(
    `simulate ${patch}, in-process (runSimulate, anvil start and stop included)`,
    inProcess,
    'ms',
    RUNS,
    target,
  ),
  figure(
    `\`patchgate simulate --patch ${patch}\`, as a user runs it (new process, warm compile cache)`,
    commandMs,
    'ms',
    RUNS,
    {
      label: 'in-process',
      value: inProcess,
    },
  ),
);

// 3. Replay throughput vs a plain viem loop, same calldata, same node.
const project = await loadProject({ dir: exampleDir, stateDir });
const anvil = await startAnvil();
try {
  const clients = await connect(anvil.rpcUrl);
  const system = await deploySystem(clients, project, config.system);
  await fundAccounts(clients, ['user:1']);
  const steps = Array.from({ length: TXS }, () => ({
    from: 'user:1',
    to: 'vault',
    function: 'transfer',
    args: ['@user:2', '1'],
  }));
  const abiFor = (name) => system.contracts.get(name).abi;
  const errorsAbi = projectErrorsAbi(project);
  const vault = system.contracts.get('vault');
  const data = encodeCall(system, vault.abi, { function: 'transfer', args: ['@user:2', '1'] }, 'bench');
  const wallet = clients.wallet(accountFor('user:1'));

  const plain = async () => {
    const t = performance.now();
    for (let i = 0; i < TXS; i++) {
      const hash = await wallet.sendTransaction({ to: vault.address, data });
      await clients.public.waitForTransactionReceipt({ hash });
    }
    return performance.now() - t;
  };
  const ours = async () => {
    const t = performance.now();
    await replay(clients, system, steps, abiFor, errorsAbi);
    return performance.now() - t;
  };
  const p = [];
  const o = [];
  for (let i = 0; i < RUNS; i++) {
    const snap = await clients.test.snapshot();
    p.push(await plain());
    await clients.test.revert({ id: snap });
    const snap2 = await clients.test.snapshot();
    o.push(await ours());
    await clients.test.revert({ id: snap2 });
  }
  figures.push(
    figure(
      `replay of ${TXS} transactions (+ call, events, balances per transaction)`,
      median(o),
      'ms',
      RUNS,
      {
        label: 'plain viem sendTransaction + receipt loop',
        value: median(p),
      },
    ),
  );
} finally {
  await anvil.stop();
}
const result = report('simulate', RUNS, figures, [
  'The command starts Node, loads the CLI and viem, reads the config and the compile cache, starts and stops its own anvil: the in-process figure leaves out only Node and module start-up. Target for the whole simulate: ≤ 10 s; replay overhead target ≤ ×1.5.',
]);
console.log(renderLines(result).join('\n'));
