/**
 * The compact frontier of an append-only Merkle tree: the roots of the perfect subtrees along its right edge,
 * largest first (one per set bit of the size). Appending a leaf merges equal-sized subtrees like a binary
 * counter carries, so an append hashes O(log n) times and reports the nodes it completed — the only new
 * hashes a store has to write.
 */
import { EMPTY_ROOT, type Hash, nodeHash } from './hash.js';
import { fold } from './merkle.js';

export interface Frontier {
  size: number;
  /** The right-edge subtree roots, largest first: `rangeNodes(0, size)`'s hashes. */
  nodes: Hash[];
}

export interface CompletedNode {
  level: number;
  index: number;
  hash: Hash;
}

export const EMPTY_FRONTIER: Frontier = { size: 0, nodes: [] };

/** How many right-edge subtrees a tree of `size` leaves has (the set bits of size). */
export function frontierLength(size: number): number {
  let n = 0;
  for (let s = size; s > 0; s = Math.floor(s / 2)) n += s % 2;
  return n;
}

/** Adds one leaf; returns the new frontier and the nodes this leaf completed, the leaf itself first. */
export function appendLeaf(
  frontier: Frontier,
  leaf: Hash,
): { frontier: Frontier; completed: CompletedNode[] } {
  const nodes = [...frontier.nodes, leaf];
  const completed: CompletedNode[] = [{ level: 0, index: frontier.size, hash: leaf }];
  let level = 0;
  let index = frontier.size;
  while (index % 2 === 1) {
    const right = nodes.pop() as Hash;
    const left = nodes.pop() as Hash;
    const parent = nodeHash(left, right);
    nodes.push(parent);
    level += 1;
    index = (index - 1) / 2;
    completed.push({ level, index, hash: parent });
  }
  return { frontier: { size: frontier.size + 1, nodes }, completed };
}

/** MTH of the whole tree from its frontier alone. */
export function frontierRoot(frontier: Frontier): Hash {
  return frontier.size === 0 ? EMPTY_ROOT : fold(frontier.nodes);
}

/** The nodes appending leaf `index` completes: the leaf, then one parent per trailing 1-bit of the index. */
export function completedBy(index: number): Array<{ level: number; index: number }> {
  const out = [{ level: 0, index }];
  let level = 0;
  let i = index;
  while (i % 2 === 1) {
    level += 1;
    i = (i - 1) / 2;
    out.push({ level, index: i });
  }
  return out;
}
