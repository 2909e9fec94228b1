/** The watcher's cursor on both backends: saved and loaded per watcher and chain, block numbers past 2^53 intact. */
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { BACKENDS, backendWithSchema } from './backends.fixture.js';
import { storedCursor } from './watch-cursor.js';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const block = (n: bigint) => ({
  number: n,
  hash: hash(Number(n % 1000n) + 1),
  parentHash: hash(Number(n % 1000n)),
});

describe.each(BACKENDS)('watch cursor on %s', (_name, open) => {
  const db = backendWithSchema(open);

  it('starts empty, then loads exactly what was saved last', async () => {
    const cursor = storedCursor(db(), { name: 'a', chainId: 1 });
    expect(await cursor.load()).toEqual([]);
    const big = 2n ** 60n;
    await cursor.save([block(big), block(big + 1n)]);
    await cursor.save([block(big + 1n), block(big + 2n)]);
    expect(await cursor.load()).toEqual([block(big + 1n), block(big + 2n)]);
  });

  it('keeps one cursor per watcher name and chain', async () => {
    await storedCursor(db(), { name: 'b', chainId: 1 }).save([block(5n)]);
    await storedCursor(db(), { name: 'b', chainId: 10 }).save([block(7n)]);
    expect(await storedCursor(db(), { name: 'b', chainId: 1 }).load()).toEqual([block(5n)]);
    expect(await storedCursor(db(), { name: 'b', chainId: 10 }).load()).toEqual([block(7n)]);
    expect(await storedCursor(db(), { name: 'c', chainId: 1 }).load()).toEqual([]);
  });
});
