/**
 * Deterministic random indexes for the benchmarks: every run asks for the same proofs, and every index is
 * exact. A 32-bit generator (mulberry32) in integer arithmetic only — no float product that overflows 2^53 —
 * and rejection sampling, so an index in [0, n) has no modulo bias.
 */

/** mulberry32: a seeded generator of uint32 values (integer arithmetic, Math.imul). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const TWO32 = 2 ** 32;

/** An integer uniformly in [0, n), 1 ≤ n ≤ 2^32, from a uint32 generator (rejection: no modulo bias). */
export function below(next, n) {
  if (!Number.isSafeInteger(n) || n < 1 || n > TWO32) throw new RangeError(`n ${n} is not in [1, 2^32]`);
  const limit = TWO32 - (TWO32 % n); // the largest multiple of n ≤ 2^32
  for (;;) {
    const x = next();
    if (x < limit) return x % n;
  }
}

/**
 * Exactly `count` distinct integers in [0, n), in a deterministic order for a given seed (Floyd's algorithm:
 * one draw per index, no retries). Throws when more are asked than [0, n) holds.
 */
export function distinctIndexes(n, count, seed = 0x9e3779b9) {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count ${count} is not a count`);
  if (count > n) throw new RangeError(`cannot pick ${count} distinct indexes from [0, ${n})`);
  const next = mulberry32(seed);
  const picked = new Set();
  for (let j = n - count; j < n; j++) {
    const t = below(next, j + 1);
    picked.add(picked.has(t) ? j : t);
  }
  return [...picked];
}
