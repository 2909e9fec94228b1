/** The log's tree against the published RFC 6962/9162 known answers, and the shape of the node plans. */
import { bytesToHex } from '@noble/hashes/utils';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, leafHash } from './hash.js';
import { memoryTree } from './memory.js';
import {
  consistencyPlan,
  consistencyProof,
  inclusionPlan,
  inclusionProof,
  rangeNodes,
  rootAt,
} from './merkle.js';
import { naivePath, naiveProof, naiveRoot } from './naive.js';
import { CONSISTENCY, EMPTY_TREE_ROOT, INCLUSION, LEAVES, ROOTS } from './vectors.fixture.js';

const hex = (h: Uint8Array) => bytesToHex(h);

function vectorTree() {
  const tree = memoryTree();
  for (const leaf of LEAVES) tree.append(leaf);
  return tree;
}

describe('RFC 6962/9162 known answers', () => {
  it('hashes the empty tree to SHA-256("")', () => {
    expect(hex(EMPTY_ROOT)).toBe(EMPTY_TREE_ROOT);
    expect(hex(naiveRoot([]))).toBe(EMPTY_TREE_ROOT);
    expect(hex(memoryTree().root())).toBe(EMPTY_TREE_ROOT);
  });

  it('gives the published root after every append, incrementally and from stored nodes', async () => {
    const tree = memoryTree();
    for (const [i, leaf] of LEAVES.entries()) {
      tree.append(leaf);
      expect(hex(tree.root())).toBe(ROOTS[i]);
    }
    for (let size = 1; size <= 8; size++) {
      expect(hex(await rootAt(tree.nodes, size))).toBe(ROOTS[size - 1]);
      expect(hex(naiveRoot(LEAVES.slice(0, size)))).toBe(ROOTS[size - 1]);
    }
  });

  it('hashes a leaf with the 0x00 prefix: leaf "" is SHA-256(0x00)', () => {
    expect(hex(leafHash(new Uint8Array()))).toBe(ROOTS[0]);
  });

  it.each(INCLUSION)('gives the published audit path of leaf $index in the tree of $size', async (v) => {
    const tree = vectorTree();
    const p = await inclusionProof(tree.nodes, v.index, v.size);
    expect(p.proof.map(hex)).toEqual(v.proof);
    expect(hex(p.root)).toBe(ROOTS[v.size - 1]);
    expect(hex(p.leafHash)).toBe(hex(leafHash(LEAVES[v.index] as Uint8Array)));
    expect(naivePath(v.index, LEAVES.slice(0, v.size)).map(hex)).toEqual(v.proof);
  });

  it.each(CONSISTENCY)('gives the published consistency proof from $from to $to', async (v) => {
    const tree = vectorTree();
    const p = await consistencyProof(tree.nodes, v.from, v.to);
    expect(p.proof.map(hex)).toEqual(v.proof);
    expect(hex(p.fromRoot)).toBe(ROOTS[v.from - 1]);
    expect(hex(p.toRoot)).toBe(ROOTS[v.to - 1]);
    expect(naiveProof(v.from, LEAVES.slice(0, v.to)).map(hex)).toEqual(v.proof);
  });
});

describe('node plans (which stored nodes a proof reads)', () => {
  const ids = (plan: Array<Array<{ level: number; index: number }>>) =>
    plan.map((g) => g.map((n) => `${n.level}.${n.index}`).join('+'));

  it('covers a range with complete nodes, largest first', () => {
    expect(rangeNodes(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(8, 12)).toEqual([{ level: 2, index: 2 }]);
    expect(rangeNodes(0, 0)).toEqual([]);
  });

  it('reads the right-edge sibling of a 7-leaf tree as two nodes to fold (l = hash(i, j))', () => {
    // a b | c d | e f | j: the path of leaf 0 is b, h, then l = hash(i, j) which is not stored.
    expect(ids(inclusionPlan(0, 7))).toEqual(['0.1', '1.1', '1.2+0.6']);
    expect(ids(inclusionPlan(4, 7))).toEqual(['0.5', '0.6', '2.0']);
    expect(ids(inclusionPlan(6, 7))).toEqual(['1.2', '2.0']);
    expect(ids(inclusionPlan(0, 1))).toEqual([]);
  });

  it('plans consistency proofs as RFC 9162 SUBPROOF does', () => {
    expect(ids(consistencyPlan(5, 7))).toEqual(['0.4', '0.5', '0.6', '2.0']); // e f j k
    expect(ids(consistencyPlan(3, 7))).toEqual(['0.2', '0.3', '1.0', '1.2+0.6']); // c d g l
    expect(ids(consistencyPlan(4, 7))).toEqual(['1.2+0.6']); // l (the old tree is the node k itself)
    expect(ids(consistencyPlan(7, 8))).toEqual(['0.6', '0.7', '1.2', '2.0']);
    expect(consistencyPlan(0, 9)).toEqual([]);
    expect(consistencyPlan(9, 9)).toEqual([]);
  });

  it('reads O(log n) nodes for a proof in a tree of a million leaves', () => {
    const n = 1_000_000;
    for (const index of [0, 1, 499_999, 999_998, 999_999]) {
      expect(inclusionPlan(index, n).flat().length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
    }
    expect(consistencyPlan(777_777, n).flat().length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
  });

  it('rejects an index outside the tree and a shrinking consistency range', () => {
    expect(() => inclusionPlan(8, 8)).toThrow(RangeError);
    expect(() => inclusionPlan(0, 0)).toThrow(RangeError);
    expect(() => inclusionPlan(-1, 4)).toThrow(RangeError);
    expect(() => consistencyPlan(9, 8)).toThrow(RangeError);
  });
});
