#!/usr/bin/env node
/**
 * Benchmark: `simulate` on the bundled example split by phase, and the differential replay's throughput
 * against a plain viem sendTransaction + receipt loop with the same calldata on the same anvil.
 * Needs `npm run build` first.   node bench/simulate.mjs [--runs N] [--txs N]
 */
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
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

const exampleDir = `${root}examples/vault`;
const stateDir = `${root}.patchgate`;
const { config } = await loadConfig({ searchDir: exampleDir });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. The whole simulate, by phase.
await runSimulate({ config, projectDir: exampleDir, stateDir, patch: 'fix-flash-deposit' }); // warm-up (compile cache)
const phases = {};
const totals = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  const r = await runSimulate({ config, projectDir: exampleDir, stateDir, patch: 'fix-flash-deposit' });
  totals.push(performance.now() - t);
  for (const s of r.stages) {
    phases[s.name] = [...(phases[s.name] ?? []), s.durationMs];
  }
}
console.log(`simulate fix-flash-deposit, ${RUNS} runs, medians (whole process work incl. anvil start/stop):`);
for (const [name, xs] of Object.entries(phases))
  console.log(`  ${name.padEnd(18)} ${String(median(xs)).padStart(6)} ms`);
console.log(`  ${'total'.padEnd(18)} ${median(totals).toFixed(0).padStart(6)} ms   (target ≤ 10,000 ms)`);

// 2. Replay throughput vs a plain viem loop, same calldata, same node.
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
  const mp = median(p);
  const mo = median(o);
  console.log(`replay of ${TXS} transactions, ${RUNS} runs alternating, medians:`);
  console.log(
    `  plain viem sendTransaction + receipt  ${mp.toFixed(0).padStart(6)} ms  (${((TXS / mp) * 1000).toFixed(0)} tx/s)`,
  );
  console.log(
    `  patchgate replay (+ call, events, balances)  ${mo.toFixed(0).padStart(6)} ms  (${((TXS / mo) * 1000).toFixed(0)} tx/s)`,
  );
  console.log(`  overhead ratio ${(mo / mp).toFixed(2)}   (target ≤ 1.5)`);
} finally {
  await anvil.stop();
}
