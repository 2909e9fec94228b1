/**
 * RFC 9162 §2.1 proofs over stored node hashes. A node is named by (level, index): it is the root of the
 * perfect subtree over leaves [index·2^level, (index+1)·2^level). Such a node is *complete* once the tree has
 * that many leaves, and its hash never changes after that — so a log stores every complete node once, as it
 * completes, and any subtree the RFC's recursion needs is either one stored node or the right-edge part of the
 * tree, which is the fold of O(log n) stored nodes.
 *
 * Proofs are computed in two steps: plan (which nodes, pure arithmetic) then resolve (one batched read from a
 * `NodeSource`, then hashing). The same plan runs over memory and over the database.
 */
import { EMPTY_ROOT, type Hash, nodeHash } from './hash.js';

export interface NodeId {
  level: number;
  index: number;
}

/** Where complete node hashes come from: memory, the database, an export. */
export interface NodeSource {
  /** The hashes of these complete nodes, in the order asked. */
  nodes(ids: readonly NodeId[]): Promise<Hash[]> | Hash[];
}

/** A proof element: the subtree hash that is the right fold of these complete nodes. */
export type Plan = NodeId[][];

/** The largest power of two strictly smaller than `n` (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete nodes that make up leaves [lo, hi), left to right. For the ranges the RFC recursion produces
 * (lo aligned to a power of two at least hi − lo) they come in strictly decreasing sizes, and
 * `MTH(D[lo:hi])` is their right fold.
 */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  const out: NodeId[] = [];
  while (lo < hi) {
    let size = 1;
    while (lo % (size * 2) === 0 && lo + size * 2 <= hi) size *= 2;
    out.push({ level: Math.log2(size), index: lo / size });
    lo += size;
  }
  return out;
}

/** `h1 : (h2 : (… : hk))`, the hash of a subtree from its complete parts. */
export function fold(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1] as Hash;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Hash, acc);
  return acc;
}

function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} ${value} is not a tree size`);
}

/** PATH(m, D[n]) (RFC 9162 §2.1.3.1) as a plan, leaf-side element first. */
export function inclusionPlan(index: number, size: number): Plan {
  assertSize('size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`);
  }
  const plan: Plan = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      plan.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(rangeNodes(lo, lo + k));
      lo += k;
    }
  }
  return plan.reverse();
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1) as a plan; empty when m is 0 or n. */
export function consistencyPlan(from: number, to: number): Plan {
  assertSize('from', from);
  assertSize('to', to);
  if (from > to) throw new RangeError(`tree size ${from} is larger than ${to}`);
  const plan: Plan = [];
  if (from === 0 || from === to) return plan;
  let lo = 0;
  let hi = to;
  let m = from;
  let whole = true; // SUBPROOF's b: is this subtree the whole old tree?
  for (;;) {
    if (m === hi - lo) {
      if (!whole) plan.push(rangeNodes(lo, hi));
      break;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      plan.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(rangeNodes(lo, lo + k));
      m -= k;
      lo += k;
      whole = false;
    }
  }
  return plan.reverse();
}

/** Reads every node the plans name in one batch, then folds each proof element. */
async function resolve(source: NodeSource, plans: readonly Plan[]): Promise<Hash[][]> {
  const ids = plans.flat(2);
  const hashes = await source.nodes(ids);
  if (hashes.length !== ids.length) throw new Error(`node source returned ${hashes.length} of ${ids.length}`);
  let at = 0;
  return plans.map((plan) =>
    plan.map((group) => {
      const part = hashes.slice(at, at + group.length);
      at += group.length;
      return fold(part);
    }),
  );
}

/** MTH(D[0:size]) from complete nodes: the fold of the tree's right-edge subtree roots. */
export async function rootAt(source: NodeSource, size: number): Promise<Hash> {
  assertSize('size', size);
  const [[root]] = (await resolve(source, [[rangeNodes(0, size)]])) as [[Hash]];
  return root;
}

export interface InclusionProof {
  index: number;
  size: number;
  leafHash: Hash;
  root: Hash;
  proof: Hash[];
}

/** The audit path of leaf `index` in the tree of `size` leaves, with that tree's root and the leaf hash. */
export async function inclusionProof(
  source: NodeSource,
  index: number,
  size: number,
): Promise<InclusionProof> {
  const plan = inclusionPlan(index, size);
  const [proof, [root], [leaf]] = (await resolve(source, [
    plan,
    [rangeNodes(0, size)],
    [[{ level: 0, index }]],
  ])) as [Hash[], [Hash], [Hash]];
  return { index, size, leafHash: leaf, root, proof };
}

export interface ConsistencyProof {
  from: number;
  to: number;
  fromRoot: Hash;
  toRoot: Hash;
  proof: Hash[];
}

/** The proof that the tree of `from` leaves is a prefix of the tree of `to` leaves, with both roots. */
export async function consistencyProof(
  source: NodeSource,
  from: number,
  to: number,
): Promise<ConsistencyProof> {
  const plan = consistencyPlan(from, to);
  const [proof, [fromRoot], [toRoot]] = (await resolve(source, [
    plan,
    [rangeNodes(0, from)],
    [rangeNodes(0, to)],
  ])) as [Hash[], [Hash], [Hash]];
  return { from, to, fromRoot, toRoot, proof };
}
