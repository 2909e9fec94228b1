/**
 * Finding the first bad entry against a trusted root. Trusted hashes (a signed root, or the frontier it
 * authenticates) are walked down the tree: at each node, a child pair is trusted only if it hashes to the
 * trusted parent — from the entries as recomputed, or from any of the node hashes the export carries for that
 * node (an export with moved or repeated lines can claim one node several times; the claims are candidates,
 * and only one that hashes to the trusted parent is believed). The walk stops at a leaf (that entry is bad,
 * exactly) or where nothing hashes to the parent (everything before that subtree is proven; from its start on,
 * nothing is). Entries before the reported index are always proven by the trusted root, whatever else an
 * attacker changed.
 */
import { equalHash, type Hash, nodeHash } from './hash.js';
import { splitPoint } from './merkle.js';

/** A subtree hash over leaves [lo, hi), or `undefined` when it cannot be computed. */
export type RangeHash = (lo: number, hi: number) => Hash | undefined;

/** The candidate hashes the export claims for the subtree over leaves [lo, hi), first claim first. */
export type RangeClaims = (lo: number, hi: number) => readonly Hash[];

export interface Located {
  /** The first index not proven by the trusted hashes. */
  index: number;
  /** True when that entry is proven bad; false when the walk could only narrow it down to `range`. */
  exact: boolean;
  range: [number, number];
}

export interface LocateInput {
  /** Trusted subtree hashes covering [0, size) left to right: the root alone, or a head's frontier. */
  tops: ReadonlyArray<{ lo: number; hi: number; hash: Hash }>;
  recomputed: RangeHash;
  supplied: RangeClaims;
}

const same = (a: Hash | undefined, b: Hash) => a !== undefined && equalHash(a, b);
const join = (l: Hash | undefined, r: Hash | undefined) => (l && r ? nodeHash(l, r) : undefined);

/** `undefined` when the recomputed tree matches every trusted hash. */
export function locate({ tops, recomputed, supplied }: LocateInput): Located | undefined {
  for (const top of tops) {
    if (same(recomputed(top.lo, top.hi), top.hash)) continue;
    let { lo, hi, hash: trusted } = top;
    for (;;) {
      if (hi - lo <= 1) return { index: lo, exact: hi - lo === 1, range: [lo, hi] };
      const mid = lo + splitPoint(hi - lo);
      const rl = recomputed(lo, mid);
      const rr = recomputed(mid, hi);
      const sls = supplied(lo, mid);
      const srs = supplied(mid, hi);
      const right = srs.find((sr) => same(join(rl, sr), trusted));
      if (right) {
        // The left half is as trusted: the first bad entry is on the right.
        lo = mid;
        trusted = right;
        continue;
      }
      const seconds = rr ? [...srs, rr] : srs;
      const left = sls.find((sl) => seconds.some((r) => same(nodeHash(sl, r), trusted)));
      if (left) {
        // The trusted left half differs from the recomputed one.
        hi = mid;
        trusted = left;
        continue;
      }
      return { index: lo, exact: false, range: [lo, hi] };
    }
  }
  return undefined;
}
