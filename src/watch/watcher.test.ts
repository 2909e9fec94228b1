/**
 * The watcher's judgement of a pending transaction, without a chain: every rule judges at once, and a rule that
 * fails while an earlier one is still being awaited fails the pass (an `error` event and a retry for the caller),
 * never the process (an unhandled rejection would crash Node). A rule that keeps throwing on a block (a bug) is
 * reported after three attempts and the others go on; a node that does not answer is retried without end.
 */
import { HttpRequestError } from 'viem';
import { expect, it } from 'vitest';
import type { Follower } from './follow.js';
import type { BlockRule, PendingTx, WatchFinding } from './rule.js';
import { type Judged, watcher } from './watcher.js';

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

/** A follower that hands out the same block until a pass over it succeeds (as the real one does). */
const stuckOn: Follower = {
  step: async (handle) => {
    await handle({ kind: 'block', block: head });
    return 1;
  },
};

function recording() {
  const sources: string[] = [];
  const answered: Judged[] = [];
  return {
    sources,
    answered,
    ledger: {
      appendOnce: async (items: readonly { source: string }[]) =>
        items.map((item) => {
          sources.push(item.source);
          return { index: sources.length - 1 };
        }),
    } as unknown as Parameters<typeof watcher>[0]['ledger'],
    respond: async (j: Judged) => {
      answered.push(j);
    },
  };
}

const healthy: BlockRule = {
  name: 'healthy',
  evaluate: async (): Promise<WatchFinding[]> => [
    { id: 'watch-custom', severity: 'high', title: 'x', message: 'seen', hint: '', blocking: false },
  ],
};

it('a rule that throws on a block three times is reported (watch-rule-failed) and the others go on', async () => {
  let calls = 0;
  const buggy: BlockRule = {
    name: 'buggy',
    evaluate: async () => {
      calls++;
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    },
  };
  const r = recording();
  const w = watcher({
    follower: stuckOn,
    rules: [healthy, buggy],
    ledger: r.ledger,
    emit: () => {},
    respond: r.respond,
  });
  await expect(w.step()).rejects.toThrow(TypeError);
  await expect(w.step()).rejects.toThrow(TypeError);
  expect(r.answered).toEqual([]); // nothing answered while the pass is still retried
  expect(await w.step()).toBe(1);
  expect(calls).toBe(3);
  expect(r.answered.map((j) => `${j.rule}:${j.finding.id}`)).toEqual([
    'healthy:watch-custom',
    'buggy:watch-rule-failed',
  ]);
  const failure = r.answered[1]?.finding;
  expect(failure?.message).toBe(
    "rule buggy could not judge block 1 (3 attempts): TypeError: Cannot read properties of undefined (reading 'x')",
  );
  expect(failure?.blocking).toBe(false);
});

it('a rule whose node does not answer is retried from the same block for as long as it takes, never passed over', async () => {
  const down: BlockRule = {
    name: 'down',
    evaluate: async () => {
      throw new HttpRequestError({ url: 'http://user:secret@127.0.0.1:1/', body: {} });
    },
  };
  const r = recording();
  const w = watcher({
    follower: stuckOn,
    rules: [healthy, down],
    ledger: r.ledger,
    emit: () => {},
    respond: r.respond,
  });
  for (let i = 0; i < 6; i++) await expect(w.step()).rejects.toThrow();
  expect(r.answered).toEqual([]);
  expect(r.sources).toEqual([]);
});
