/**
 * Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) write it, with
 * sizes as plain integers (safe up to 2^53) and shifts as divisions so trees past 2^31 leaves work.
 * A verifier needs nothing but the proof, the sizes and the roots: no log, no store.
 */
import { EMPTY_ROOT, equalHash, HASH_SIZE, type Hash, nodeHash } from './hash.js';

const isSize = (n: number) => Number.isSafeInteger(n) && n >= 0;
const wellFormed = (hashes: readonly Uint8Array[]) => hashes.every((h) => h.length === HASH_SIZE);
const half = (n: number) => Math.floor(n / 2);

export interface InclusionCheck {
  index: number;
  size: number;
  leafHash: Hash;
  proof: readonly Hash[];
  root: Hash;
}

/** The root an inclusion proof leads to, or `undefined` when the proof cannot be for this index and size. */
function rootFromInclusion(p: Omit<InclusionCheck, 'root'>): Hash | undefined {
  if (!isSize(p.index) || !isSize(p.size) || p.index >= p.size) return undefined; // step 1
  if (p.leafHash.length !== HASH_SIZE || !wellFormed(p.proof)) return undefined;
  let fn = p.index; // step 2
  let sn = p.size - 1;
  let r = p.leafHash; // step 3
  for (const e of p.proof) {
    // step 4
    if (sn === 0) return undefined; // 4a
    if (fn % 2 === 1 || fn === sn) {
      // 4b
      r = nodeHash(e, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, e);
    }
    fn = half(fn); // 4c
    sn = half(sn);
  }
  return sn === 0 ? r : undefined; // step 5 (sn part)
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show leaf `index` with `leafHash` in the tree of `size` with `root`?
 *
 * @example
 * ```ts
 * const ledger = await openLedger(lc.store.db, { origin: LOG_ORIGIN });
 * const ok = verifyInclusion(await ledger.inclusionProof(0));
 * ```
 */
export function verifyInclusion(p: InclusionCheck): boolean {
  if (p.root.length !== HASH_SIZE) return false;
  const r = rootFromInclusion(p);
  return r !== undefined && equalHash(r, p.root);
}

export interface ConsistencyCheck {
  from: number;
  to: number;
  fromRoot: Hash;
  toRoot: Hash;
  proof: readonly Hash[];
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `from` leaves with `fromRoot` is a prefix of the tree
 * of `to` leaves with `toRoot`? Sizes the RFC leaves to the caller: equal sizes need equal roots and an empty
 * proof; an empty old tree needs the empty-tree root and an empty proof.
 *
 * @example
 * ```ts
 * const ledger = await openLedger(lc.store.db, { origin: LOG_ORIGIN });
 * const ok = verifyConsistency(await ledger.consistencyProof(3)); // the tree of 3 entries is a prefix of today's
 * ```
 */
export function verifyConsistency(p: ConsistencyCheck): boolean {
  const { from, to, fromRoot, toRoot, proof } = p;
  if (!isSize(from) || !isSize(to) || from > to) return false;
  if (fromRoot.length !== HASH_SIZE || toRoot.length !== HASH_SIZE || !wellFormed(proof)) return false;
  if (from === to) return proof.length === 0 && equalHash(fromRoot, toRoot);
  if (from === 0) return proof.length === 0 && equalHash(fromRoot, EMPTY_ROOT);
  if (proof.length === 0) return false; // step 1
  // step 2: an old tree of 2^k leaves is itself a node of the new tree, so the proof leaves it out.
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1; // step 3
  let sn = to - 1;
  while (fn % 2 === 1) {
    // step 4
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Hash; // step 5
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    // step 6
    if (sn === 0) return false; // 6a
    if (fn % 2 === 1 || fn === sn) {
      // 6b
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn); // 6c
    sn = half(sn);
  }
  return equalHash(fr, fromRoot) && equalHash(sr, toRoot) && sn === 0; // step 7
}

function isPowerOfTwo(n: number): boolean {
  let m = n;
  while (m > 1 && m % 2 === 0) m /= 2;
  return m === 1;
}
