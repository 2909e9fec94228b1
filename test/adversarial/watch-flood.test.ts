/**
 * Flooding the mempool to slow the watcher down: 200 pending calls sent just before the attack, blocks mined every
 * 5 s. The watcher judges pending transactions a few at a time, best-paying first, and never lets the backlog hold
 * the block pass up: the attack (which pays to be first, as an attacker racing a pause must) is still judged and
 * the pause still lands first in the same block. And a node (or a rule) that cannot judge pending transactions at
 * all, under a steady stream of them, must not stop the block rules: the mined drain is paused in the next block.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAbi } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountFor } from '../../src/system/model.js';
import { type LiveExample, startLiveExample } from '../helpers/live.js';
import { exampleWatcher, leakedKeyUpgrade, until } from '../helpers/watch.js';
import { armedExploit, attackCall, contract } from '../helpers/watch-state.js';

const PAUSABLE = parseAbi(['function paused() view returns (bool)']);
const ERC20 = parseAbi(['function approve(address spender, uint256 amount) returns (bool)']);

let live: LiveExample;
/** The example as deployed: each test starts from it (the first one leaves the vault paused). */
let base: `0x${string}`;
beforeAll(async () => {
  live = await startLiveExample();
  base = await live.clients.test.snapshot();
});
afterAll(async () => {
  await live?.anvil.stop();
});

it('a flood of 200 pending calls sent before the attack does not stop the pause from landing first', async () => {
  const exploit = await armedExploit(live);
  const token = contract(live, 'token').address;
  const watcher = exampleWatcher(live);
  try {
    await until('the watcher to lead', () => watcher.lines().find((l) => l.event === 'leader'));
    await live.clients.test.setAutomine(false);
    await live.clients.public.request({ method: 'evm_setIntervalMining' as never, params: [5] as never });
    const flooder = live.clients.wallet(accountFor('user:5'));
    await live.clients.test.setBalance({ address: accountFor('user:5').address, value: 10n ** 20n });
    const base = await live.clients.public.getTransactionCount({
      address: accountFor('user:5').address,
      blockTag: 'pending',
    });
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        flooder.writeContract({
          address: token,
          abi: ERC20,
          functionName: 'approve',
          args: [exploit, BigInt(i)],
          nonce: base + i,
          gas: 60_000n,
        }),
      ),
    );
    const attack = await live.clients.wallet(accountFor('attacker')).writeContract({
      ...attackCall(live, exploit),
      maxPriorityFeePerGas: 5_000_000_000n,
    });
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash: attack });
    // The pause as mined: the one sent, or its replacement (same nonce, higher fee) if a block took longer than
    // watch.pause.replaceAfter to come.
    // Up to 3 min: the watcher judges all 200 pending calls (one eth_simulateV1 each) before it reports the mined
    // pause, and on a loaded CI machine that alone took over a minute once. Where the pause landed is asserted below.
    const mined = await until(
      'the pause to be mined',
      () =>
        watcher
          .lines()
          .find(
            (l) => l.event === 'pause-progress' && (l.progress as { status: string }).status === 'mined',
          ) as { progress: { txHash: `0x${string}` } } | undefined,
      180_000,
    );
    expect(watcher.lines().filter((l) => l.event === 'pause')).toHaveLength(1);
    const pauseReceipt = await live.clients.public.getTransactionReceipt({ hash: mined.progress.txHash });
    expect(pauseReceipt.blockNumber).toBe(receipt.blockNumber);
    expect(pauseReceipt.transactionIndex).toBeLessThan(receipt.transactionIndex);
    expect(receipt.status).toBe('reverted');
    expect(
      await live.clients.public.readContract({
        address: contract(live, 'vault').address,
        abi: PAUSABLE,
        functionName: 'paused',
      }),
    ).toBe(true);
  } finally {
    watcher.child.kill('SIGTERM');
    expect((await watcher.done).code).toBe(0);
    await live.clients.public.request({ method: 'evm_setIntervalMining' as never, params: [0] as never });
  }
}, 300_000);

it('pending judgements that always fail, under a steady stream of pending transactions, do not stop the block rules: a leaked-key upgrade is paused', async () => {
  await live.clients.public.request({ method: 'evm_setIntervalMining' as never, params: [0] as never });
  await live.clients.public.request({ method: 'anvil_dropAllTransactions' as never });
  await live.clients.test.setAutomine(true);
  expect(await live.clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(
    true,
  );
  const dir = mkdtempSync(join(tmpdir(), 'pg-watch-nosim-'));
  // Stands for a node without eth_simulateV1: every pending judgement throws.
  writeFileSync(
    join(dir, 'no-simulate.mjs'),
    `export default () => ({
  name: 'no-simulate',
  async evaluate() { return []; },
  async evaluatePending() { throw new Error('the method eth_simulateV1 does not exist'); },
});
`,
  );
  const config = JSON.parse(readFileSync(join(live.configDir, 'patchgate.config.json'), 'utf8'));
  // Only rules that judge blocks, besides the one that fails every pending judgement: the attack (an upgrade by a
  // leaked key) can only be caught by judging its block.
  config.watch = {
    ...config.watch,
    rules: {
      ...config.watch.rules,
      invariants: { ...config.watch.rules?.invariants, enabled: false },
      outflows: { ...config.watch.rules?.outflows, enabled: false },
    },
    custom: [{ module: join(dir, 'no-simulate.mjs') }],
  };
  const file = join(dir, 'patchgate.config.json');
  writeFileSync(file, JSON.stringify(config));
  const watcher = exampleWatcher(live, [], file);
  const sender = accountFor('user:6');
  const wallet = live.clients.wallet(sender);
  let streaming = true;
  const stream = (async () => {
    await live.clients.test.setBalance({ address: sender.address, value: 10n ** 20n });
    let nonce = await live.clients.public.getTransactionCount({
      address: sender.address,
      blockTag: 'pending',
    });
    while (streaming) {
      await wallet.sendTransaction({
        to: sender.address,
        value: 0n,
        nonce: nonce++,
        gas: 21_000n,
        maxFeePerGas: 50_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      });
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  try {
    await until('the watcher to lead', () => watcher.lines().find((l) => l.event === 'leader'));
    await live.clients.test.setAutomine(false);
    await live.clients.public.request({ method: 'evm_setIntervalMining' as never, params: [1] as never });
    await until('a pending judgement to fail', () => watcher.lines().find((l) => l.event === 'error'));
    await leakedKeyUpgrade(live);
    await until(
      'the vault to be paused',
      async () =>
        (await live.clients.public.readContract({
          address: contract(live, 'vault').address,
          abi: PAUSABLE,
          functionName: 'paused',
        })) || undefined,
      15_000,
    );
    const errors = watcher.lines().filter((l) => l.event === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(String(errors[0]?.message)).toContain('pending transactions not judged');
  } finally {
    streaming = false;
    await stream.catch(() => undefined);
    watcher.child.kill('SIGTERM');
    expect((await watcher.done).code).toBe(0);
    await live.clients.public.request({ method: 'evm_setIntervalMining' as never, params: [0] as never });
    await live.clients.test.setAutomine(true);
  }
});
