/**
 * The watcher's judgement of a pending transaction, without a chain: every rule judges at once, and a rule that
 * fails while an earlier one is still being awaited fails the pass (an `error` event and a retry for the caller),
 * never the process (an unhandled rejection would crash Node).
 */
import { expect, it } from 'vitest';
import type { Follower } from './follow.js';
import type { BlockRule, PendingTx } from './rule.js';
import { watcher } from './watcher.js';

const head = { number: 1n, hash: `0x${'11'.repeat(32)}`, parentHash: `0x${'00'.repeat(32)}` } as const;
const tx: PendingTx = {
  hash: `0x${'22'.repeat(32)}`,
  from: `0x${'33'.repeat(20)}`,
  to: `0x${'44'.repeat(20)}`,
  input: '0x',
  value: 0n,
  nonce: 0,
};
const idle: Follower = { step: async () => 0 };

it('a rule failing while an earlier one is awaited fails the pass, with no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const slow: BlockRule = {
      name: 'slow',
      evaluate: async () => [],
      evaluatePending: () => new Promise((resolve) => setTimeout(() => resolve([]), 50)),
    };
    const failing: BlockRule = {
      name: 'failing',
      evaluate: async () => [],
      evaluatePending: async () => {
        throw new Error('node down');
      },
    };
    const w = watcher({
      follower: idle,
      rules: [slow, failing],
      ledger: { appendOnce: async () => [] },
      emit: () => {},
    });
    await expect(w.pending(tx, head)).rejects.toThrow('node down');
    await new Promise((r) => setTimeout(r, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
