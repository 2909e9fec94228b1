/**
 * An in-memory log: the frontier for appends and every complete node in one flat buffer per level (32 bytes a
 * node, no per-node objects), so a million-leaf tree costs about 64 MiB. Used by the export verifier, the
 * tests and the benchmark; the database keeps the same nodes in `ledger_nodes`.
 */

import { appendLeaf, type CompletedNode, EMPTY_FRONTIER, type Frontier, frontierRoot } from './frontier.js';
import { HASH_SIZE, type Hash, leafHash } from './hash.js';
import type { NodeId, NodeSource } from './merkle.js';

interface Level {
  buf: Uint8Array;
  count: number;
}

export interface MemoryNodes extends NodeSource {
  /** Stores a complete node; nodes of one level arrive in index order. */
  put(node: CompletedNode): void;
  get(level: number, index: number): Hash | undefined;
}

function memoryNodes(): MemoryNodes {
  const levels: Level[] = [];
  const get = (level: number, index: number): Hash | undefined => {
    const l = levels[level];
    if (!l || index < 0 || index >= l.count) return undefined;
    return l.buf.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  };
  return {
    put({ level, index, hash }) {
      let l = levels[level];
      if (!l) {
        l = { buf: new Uint8Array(HASH_SIZE * 64), count: 0 };
        levels[level] = l;
      }
      if (index !== l.count)
        throw new Error(`node (${level}, ${index}) out of order: expected index ${l.count}`);
      if ((index + 1) * HASH_SIZE > l.buf.length) {
        const grown = new Uint8Array(l.buf.length * 2);
        grown.set(l.buf);
        l.buf = grown;
      }
      l.buf.set(hash, index * HASH_SIZE);
      l.count += 1;
    },
    get,
    nodes(ids: readonly NodeId[]) {
      return ids.map(({ level, index }) => {
        const h = get(level, index);
        if (!h) throw new Error(`node (${level}, ${index}) is not complete`);
        return h;
      });
    },
  };
}

export interface MemoryTree {
  readonly nodes: MemoryNodes;
  size(): number;
  root(): Hash;
  frontier(): Frontier;
  /** Appends a leaf by its hash; returns its index and the nodes it completed. */
  appendLeafHash(leaf: Hash): { index: number; completed: CompletedNode[] };
  /** Appends an entry's bytes (hashed as a leaf). */
  append(entry: Uint8Array): { index: number; completed: CompletedNode[] };
}

export function memoryTree(): MemoryTree {
  const nodes = memoryNodes();
  let frontier = EMPTY_FRONTIER;
  const appendLeafHash = (leaf: Hash) => {
    const index = frontier.size;
    const next = appendLeaf(frontier, leaf);
    for (const node of next.completed) nodes.put(node);
    frontier = next.frontier;
    return { index, completed: next.completed };
  };
  return {
    nodes,
    size: () => frontier.size,
    root: () => frontierRoot(frontier),
    frontier: () => frontier,
    appendLeafHash,
    append: (entry) => appendLeafHash(leafHash(entry)),
  };
}
