import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { below, distinctIndexes, mulberry32 } from '../bench/lib/sample.mjs';

/** A generator that returns the given uint32 values in turn. */
const scripted = (values: number[]) => {
  let i = 0;
  return () => values[i++] as number;
};

describe('bench index sampler', () => {
  it('mulberry32 gives the same uint32 integers for the same seed and others for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(xs);
    for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
    expect(Array.from({ length: 1000 }, mulberry32(43))).not.toEqual(xs);
  });

  it('below rejects draws past the last whole multiple of n (no modulo bias)', () => {
    // 2^32 mod 3 = 1, so 2^32 - 1 is the one value that would favour index 0: it is drawn again.
    expect(below(scripted([2 ** 32 - 1, 5]), 3)).toBe(2);
    expect(below(scripted([2 ** 32 - 2]), 3)).toBe((2 ** 32 - 2) % 3);
    expect(below(scripted([2 ** 32 - 1]), 2 ** 32)).toBe(2 ** 32 - 1);
  });

  it('below stays an exact integer in [0, n) up to n = 2^32 and refuses larger n', () => {
    const next = mulberry32(7);
    for (const n of [1, 2, 1000, 1_000_000, 2 ** 31 + 1, 2 ** 32]) {
      for (let k = 0; k < 200; k++) {
        const x = below(next, n);
        expect(Number.isSafeInteger(x) && x >= 0 && x < n).toBe(true);
      }
    }
    expect(() => below(next, 2 ** 32 + 1)).toThrow(RangeError);
    expect(() => below(next, 0)).toThrow(RangeError);
    expect(() => below(next, 1.5)).toThrow(RangeError);
  });

  it('below spreads evenly: each of 10 buckets within 3% of 10,000 in 100,000 draws', () => {
    const next = mulberry32(1);
    const buckets = new Array(10).fill(0);
    for (let k = 0; k < 100_000; k++) buckets[below(next, 10)]++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(300);
  });

  it('distinctIndexes(10^6, 1000) gives exactly 1,000 distinct indexes in [0, 10^6), the same for a seed', () => {
    const xs = distinctIndexes(1_000_000, 1000, 1);
    expect(xs).toHaveLength(1000);
    expect(new Set(xs).size).toBe(1000);
    for (const x of xs) expect(Number.isInteger(x) && x >= 0 && x < 1_000_000).toBe(true);
    expect(distinctIndexes(1_000_000, 1000, 1)).toEqual(xs);
    expect(distinctIndexes(1_000_000, 1000, 2)).not.toEqual(xs);
  });

  it('distinctIndexes of all n is a permutation of [0, n), and more than n is refused', () => {
    expect([...distinctIndexes(50, 50)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(distinctIndexes(5, 0)).toEqual([]);
    expect(() => distinctIndexes(5, 6)).toThrow(/cannot pick 6 distinct indexes from \[0, 5\)/);
    expect(() => distinctIndexes(5, -1)).toThrow(RangeError);
  });

  it('distinctIndexes returns count distinct in-range integers for any n and count ≤ n', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5000 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        ([n, count], seed) => {
          const xs = distinctIndexes(n, count, seed);
          return (
            xs.length === count &&
            new Set(xs).size === count &&
            xs.every((x) => Number.isInteger(x) && x >= 0 && x < n)
          );
        },
      ),
    );
  });
});
