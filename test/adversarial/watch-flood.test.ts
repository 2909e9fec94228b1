/**
 * Flooding the mempool to slow the watcher down: 200 pending calls sent just before the attack, blocks mined every
 * 5 s. The watcher judges pending transactions a few at a time, best-paying first, and never lets the backlog hold
 * the block pass up: the attack (which pays to be first, as an attacker racing a pause must) is still judged and
 * the pause still lands first in the same block.
 */
import { parseAbi } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountFor } from '../../src/system/model.js';
import { type LiveExample, startLiveExample } from '../helpers/live.js';
import { exampleWatcher, until } from '../helpers/watch.js';
import { armedExploit, attackCall, contract } from '../helpers/watch-state.js';

const PAUSABLE = parseAbi(['function paused() view returns (bool)']);
const ERC20 = parseAbi(['function approve(address spender, uint256 amount) returns (bool)']);

let live: LiveExample;
beforeAll(async () => {
  live = await startLiveExample();
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
    const mined = await until(
      'the pause to be mined',
      () =>
        watcher
          .lines()
          .find(
            (l) => l.event === 'pause-progress' && (l.progress as { status: string }).status === 'mined',
          ) as { progress: { txHash: `0x${string}` } } | undefined,
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
});
