/**
 * The watcher against the example's real exploit (FlashDepositExploit on VaultV1), the CLI in a child process on
 * one anvil:
 * 1. in the mempool, blocks mined on an interval: the watcher sees the attack pending, simulates it, and its
 *    pause — priced above the attacker's fee — is mined first in the same block; the attack reverts and the
 *    depositors lose nothing;
 * 2. already mined (no mempool view): the drain is alerted and the vault paused in the next block; the loss is
 *    the one transaction, and the alert says how much.
 */
import { type Hex, parseAbi } from 'viem';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { accountFor } from '../src/system/model.js';
import { type LiveExample, startLiveExample } from './helpers/live.js';
import { exampleWatcher, until } from './helpers/watch.js';
import { armedExploit, attackCall, contract } from './helpers/watch-state.js';

const PAUSABLE = parseAbi(['function paused() view returns (bool)']);
const ERC20 = parseAbi(['function balanceOf(address) view returns (uint256)']);

let live: LiveExample;
let base: Hex;
beforeAll(async () => {
  live = await startLiveExample();
  base = await live.clients.test.snapshot();
});
afterAll(async () => {
  await live?.anvil.stop();
});
beforeEach(async () => {
  await live.clients.public.request({ method: 'anvil_dropAllTransactions' as never });
  await live.clients.public.request({ method: 'evm_setIntervalMining' as never, params: [0] as never });
  await live.clients.test.setAutomine(true);
  expect(await live.clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(
    true,
  );
  base = await live.clients.test.snapshot();
});

const watch = () => exampleWatcher(live);

const vault = () => contract(live, 'vault').address;
const token = () => contract(live, 'token').address;
const vaultAssets = () =>
  live.clients.public.readContract({
    address: token(),
    abi: ERC20,
    functionName: 'balanceOf',
    args: [vault()],
  });
const paused = () =>
  live.clients.public.readContract({ address: vault(), abi: PAUSABLE, functionName: 'paused' });

it('front-runs a pending exploit with the pause: the attack reverts in the same block, depositors lose nothing', async () => {
  const exploit = await armedExploit(live);
  const before = await vaultAssets();
  const watcher = watch();
  try {
    await until('the watcher to start', () => watcher.lines().find((l) => l.event === 'started'));
    // Blocks every 2 s from now on: the attack waits in the mempool until the next one.
    await live.clients.test.setAutomine(false);
    await live.clients.public.request({ method: 'evm_setIntervalMining' as never, params: [2] as never });
    const attack = await live.clients.wallet(accountFor('attacker')).writeContract(attackCall(live, exploit));
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash: attack });
    const pause = await until(
      'the pause to be reported',
      () =>
        watcher.lines().find((l) => l.event === 'pause') as
          | { outcomes: { status: string; txHash?: Hex }[] }
          | undefined,
    );
    const sent = pause.outcomes.find((o) => o.status === 'sent');
    expect(sent?.txHash).toBeDefined();
    const pauseReceipt = await live.clients.public.waitForTransactionReceipt({ hash: sent?.txHash as Hex });
    // Same block, pause first: the attack hit a paused vault.
    expect(pauseReceipt.blockNumber).toBe(receipt.blockNumber);
    expect(pauseReceipt.transactionIndex).toBeLessThan(receipt.transactionIndex);
    expect(pauseReceipt.status).toBe('success');
    expect(receipt.status).toBe('reverted');
    expect(await paused()).toBe(true);
    expect(await vaultAssets()).toBe(before);
    const alerts = watcher
      .lines()
      .filter((l) => l.event === 'alert')
      .map((l) => l.alert as Record<string, unknown>);
    expect(alerts.some((a) => a.pending === attack)).toBe(true);
  } finally {
    watcher.child.kill('SIGTERM');
    const done = await watcher.done;
    expect(done.code).toBe(0);
  }
});

it('pauses in the next block after an exploit already mined, and says what the one transaction took', async () => {
  const exploit = await armedExploit(live);
  const before = await vaultAssets();
  const watcher = watch();
  try {
    await until('the watcher to start', () => watcher.lines().find((l) => l.event === 'started'));
    const attack = await live.clients.wallet(accountFor('attacker')).writeContract(attackCall(live, exploit));
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash: attack });
    expect(receipt.status).toBe('success');
    const lost = before - (await vaultAssets());
    expect(lost).toBeGreaterThan(0n);
    const outflow = await until('the outflow alert', () =>
      watcher
        .lines()
        .map((l) => l.alert as Record<string, unknown> | undefined)
        .find((a) => a?.id === 'watch-outflow-over-cap' && a.tx === attack),
    );
    expect(String(outflow.message)).toContain(String(lost));
    const pause = await until('the pause', () =>
      watcher
        .lines()
        .find((l) => l.event === 'pause-progress' && (l.progress as { status: string }).status === 'mined'),
    );
    const mined = pause.progress as { blockNumber: string };
    expect(BigInt(mined.blockNumber)).toBe(receipt.blockNumber + 1n);
    expect(await paused()).toBe(true);
  } finally {
    watcher.child.kill('SIGTERM');
    expect((await watcher.done).code).toBe(0);
  }
});
