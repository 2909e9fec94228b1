/**
 * RFC 9162 §2.1 read literally: MTH, PATH and PROOF as the recursive definitions over the list of entries,
 * recomputing every subtree from its leaves each time. O(n) hashes per root or proof. This is the reference the
 * property tests compare the incremental log against, and the baseline the benchmark measures it against.
 */
import { EMPTY_ROOT, type Hash, leafHash, nodeHash } from './hash.js';
import { splitPoint } from './merkle.js';

type D = readonly Uint8Array[];

/** MTH(D[lo:hi]) (§2.1.1). */
export function naiveRoot(d: D, lo = 0, hi = d.length): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leafHash(d[lo] as Uint8Array);
  const k = splitPoint(n);
  return nodeHash(naiveRoot(d, lo, lo + k), naiveRoot(d, lo + k, hi));
}

/** PATH(m, D[lo:hi]) (§2.1.3.1), m relative to lo. */
export function naivePath(m: number, d: D, lo = 0, hi = d.length): Hash[] {
  const n = hi - lo;
  if (m < 0 || m >= n) throw new RangeError(`leaf ${m} is not in a tree of ${n}`);
  if (n === 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...naivePath(m, d, lo, lo + k), naiveRoot(d, lo + k, hi)];
  return [...naivePath(m - k, d, lo + k, hi), naiveRoot(d, lo, lo + k)];
}

/** SUBPROOF(m, D[lo:hi], b) (§2.1.4.1). */
function subproof(m: number, d: D, lo: number, hi: number, b: boolean): Hash[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [naiveRoot(d, lo, hi)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, d, lo, lo + k, b), naiveRoot(d, lo + k, hi)];
  return [...subproof(m - k, d, lo + k, hi, false), naiveRoot(d, lo, lo + k)];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) for 0 < m ≤ n; empty for m = 0. */
export function naiveProof(m: number, d: D): Hash[] {
  if (m < 0 || m > d.length) throw new RangeError(`tree size ${m} is not within ${d.length}`);
  return m === 0 ? [] : subproof(m, d, 0, d.length, true);
}
