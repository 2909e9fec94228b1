/**
 * Properties, against the RFC read literally (naive.ts): for many tree sizes the incremental log's roots and
 * proofs are the naive ones, they verify, and any tampering with a proof or a root fails.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalHash, type Hash } from './hash.js';
import { memoryTree } from './memory.js';
import { consistencyProof, inclusionProof, rootAt } from './merkle.js';
import { naivePath, naiveProof, naiveRoot } from './naive.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const entriesOf = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`entry ${i}`));

function treeOf(entries: Uint8Array[]) {
  const tree = memoryTree();
  for (const e of entries) tree.append(e);
  return tree;
}

const same = (a: readonly Hash[], b: readonly Hash[]) =>
  a.length === b.length && a.every((x, i) => equalHash(x, b[i] as Hash));

/** A tree size, one of its leaves, and an older size. */
const shape = fc
  .integer({ min: 1, max: 300 })
  .chain((size) => fc.record({ size: fc.constant(size), index: fc.nat(size - 1), from: fc.nat(size) }));

describe('incremental log = RFC 9162 read literally', () => {
  it('has the naive root after every append, from the frontier and from stored nodes', async () => {
    const entries = entriesOf(130);
    const tree = memoryTree();
    for (const [i, e] of entries.entries()) {
      tree.append(e);
      const naive = naiveRoot(entries, 0, i + 1);
      expect(equalHash(tree.root(), naive)).toBe(true);
      expect(equalHash(await rootAt(tree.nodes, i + 1), naive)).toBe(true);
    }
  });

  it('gives the naive audit path and consistency proof for every index and size pair up to 40 leaves', async () => {
    const entries = entriesOf(40);
    const tree = treeOf(entries);
    for (let size = 1; size <= 40; size++) {
      const d = entries.slice(0, size);
      for (let index = 0; index < size; index++) {
        const p = await inclusionProof(tree.nodes, index, size);
        expect(same(p.proof, naivePath(index, d))).toBe(true);
        expect(verifyInclusion(p)).toBe(true);
      }
      for (let from = 0; from <= size; from++) {
        const c = await consistencyProof(tree.nodes, from, size);
        expect(same(c.proof, naiveProof(from, d))).toBe(true);
        expect(verifyConsistency(c)).toBe(true);
      }
    }
  });

  it('agrees with the naive proofs for random sizes, leaves and entries', async () => {
    await fc.assert(
      fc.asyncProperty(
        shape,
        fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 300, maxLength: 300 }),
        async (s, data) => {
          const d = data.slice(0, s.size);
          const tree = treeOf(d);
          const p = await inclusionProof(tree.nodes, s.index, s.size);
          const c = await consistencyProof(tree.nodes, s.from, s.size);
          expect(same(p.proof, naivePath(s.index, d))).toBe(true);
          expect(same(c.proof, naiveProof(s.from, d))).toBe(true);
          expect(equalHash(p.root, naiveRoot(d))).toBe(true);
          expect(equalHash(c.fromRoot, naiveRoot(d, 0, s.from))).toBe(true);
          expect(verifyInclusion(p)).toBe(true);
          expect(verifyConsistency(c)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fails any proof with one flipped bit, and any proof checked against another tree', async () => {
    const entries = entriesOf(300);
    const tree = treeOf(entries);
    await fc.assert(
      fc.asyncProperty(shape, fc.nat(), fc.nat(255), async (s, which, bit) => {
        const p = await inclusionProof(tree.nodes, s.index, s.size);
        const c = await consistencyProof(tree.nodes, s.from, s.size);
        const flipAt = (proof: Hash[]) => {
          if (proof.length === 0) return proof;
          const i = which % proof.length;
          const copy = proof.map((x) => x.slice());
          (copy[i] as Hash)[bit % 32] = ((copy[i] as Hash)[bit % 32] as number) ^ (1 << (bit % 8));
          return copy;
        };
        if (p.proof.length > 0) expect(verifyInclusion({ ...p, proof: flipAt(p.proof) })).toBe(false);
        if (c.proof.length > 0) expect(verifyConsistency({ ...c, proof: flipAt(c.proof) })).toBe(false);
        // The same proof against the root of a tree with one more entry, or a tampered leaf.
        const other = treeOf([...entries.slice(0, s.size), new Uint8Array([1])]);
        expect(verifyInclusion({ ...p, root: other.root() })).toBe(false);
        expect(verifyInclusion({ ...p, leafHash: other.root() })).toBe(false);
        if (s.from > 0 && s.from < s.size) {
          expect(verifyConsistency({ ...c, toRoot: other.root() })).toBe(false);
          expect(verifyConsistency({ ...c, fromRoot: c.toRoot })).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
