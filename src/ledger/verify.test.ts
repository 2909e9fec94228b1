/**
 * RFC 9162 verification: the published proofs verify, and every corruption of them fails — wrong index or
 * size, wrong leaf or root, garbage before or after, a flipped bit, a removed or inserted element.
 */
import { hexToBytes } from '@noble/hashes/utils';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, type Hash, leafHash } from './hash.js';
import { CONSISTENCY, INCLUSION, LEAVES, ROOTS } from './vectors.fixture.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const h = (x: string) => hexToBytes(x);
const root = (size: number) => h(ROOTS[size - 1] as string);
const SOME_HASH = h('abacaba000000000000000000000000000000000000000000060061e00123456');

function flip(proof: Hash[], i: number, bit: number): Hash[] {
  return proof.map((p, j) => {
    if (j !== i) return p;
    const copy = p.slice();
    copy[0] = (copy[0] as number) ^ (1 << bit);
    return copy;
  });
}

describe('verifyInclusion', () => {
  const cases = INCLUSION.filter((v) => v.size > 1);

  it.each(INCLUSION)('accepts the published path of leaf $index in $size', (v) => {
    const ok = verifyInclusion({
      index: v.index,
      size: v.size,
      leafHash: leafHash(LEAVES[v.index] as Uint8Array),
      proof: v.proof.map(h),
      root: root(v.size),
    });
    expect(ok).toBe(true);
  });

  it.each(cases)('rejects every corruption of the path of leaf $index in $size', (v) => {
    const leaf = leafHash(LEAVES[v.index] as Uint8Array);
    const proof = v.proof.map(h);
    const good = { index: v.index, size: v.size, leafHash: leaf, proof, root: root(v.size) };
    const probes: Array<[string, Parameters<typeof verifyInclusion>[0]]> = [
      ['index - 1', { ...good, index: v.index - 1 }],
      ['index + 1', { ...good, index: v.index + 1 }],
      ['index ^ 2', { ...good, index: v.index ^ 2 }],
      ['size * 2', { ...good, size: v.size * 2 }],
      ['size / 2', { ...good, size: Math.floor(v.size / 2) }],
      ['wrong leaf', { ...good, leafHash: leafHash(new TextEncoder().encode('WrongLeaf')) }],
      ['empty root', { ...good, root: EMPTY_ROOT }],
      ['random root', { ...good, root: SOME_HASH }],
      ['trailing garbage', { ...good, proof: [...proof, new Uint8Array()] }],
      ['trailing root', { ...good, proof: [...proof, root(v.size)] }],
      ['preceding garbage', { ...good, proof: [new Uint8Array(), ...proof] }],
      ['preceding root', { ...good, proof: [root(v.size), ...proof] }],
      ['removed element', { ...good, proof: proof.slice(0, -1) }],
      ['inserted element', { ...good, proof: [proof[0] as Hash, SOME_HASH, ...proof.slice(1)] }],
      ...proof.map((_, i): [string, typeof good] => [
        `flipped bit in [${i}]`,
        { ...good, proof: flip(proof, i, 3) },
      ]),
    ];
    const accepted = probes.filter(([, p]) => verifyInclusion(p)).map(([name]) => name);
    expect(accepted).toEqual([]);
  });

  it('accepts a one-leaf tree only when the root is the leaf hash', () => {
    const leaf = leafHash(new TextEncoder().encode('data'));
    expect(verifyInclusion({ index: 0, size: 1, leafHash: leaf, proof: [], root: leaf })).toBe(true);
    expect(verifyInclusion({ index: 0, size: 1, leafHash: leaf, proof: [], root: new Uint8Array() })).toBe(
      false,
    );
    expect(verifyInclusion({ index: 0, size: 1, leafHash: new Uint8Array(), proof: [], root: leaf })).toBe(
      false,
    );
  });

  it('rejects an index that is not in the tree', () => {
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [1, 1],
    ] as const) {
      expect(verifyInclusion({ index, size, leafHash: SOME_HASH, proof: [], root: EMPTY_ROOT })).toBe(false);
      expect(verifyInclusion({ index, size, leafHash: SOME_HASH, proof: [], root: SOME_HASH })).toBe(false);
    }
  });
});

describe('verifyConsistency', () => {
  const nonTrivial = CONSISTENCY.filter((v) => v.from !== v.to);

  it.each(CONSISTENCY)('accepts the published proof from $from to $to', (v) => {
    expect(
      verifyConsistency({
        from: v.from,
        to: v.to,
        fromRoot: root(v.from),
        toRoot: root(v.to),
        proof: v.proof.map(h),
      }),
    ).toBe(true);
  });

  it.each(nonTrivial)('rejects every corruption of the proof from $from to $to', (v) => {
    const proof = v.proof.map(h);
    const good = { from: v.from, to: v.to, fromRoot: root(v.from), toRoot: root(v.to), proof };
    const probes: Array<[string, Parameters<typeof verifyConsistency>[0]]> = [
      ['from - 1', { ...good, from: v.from - 1 }],
      ['from + 1', { ...good, from: v.from + 1 }],
      ['from ^ 2', { ...good, from: v.from ^ 2 }],
      ['to * 2', { ...good, to: v.to * 2 }],
      ['to / 2', { ...good, to: Math.floor(v.to / 2) }],
      ['wrong old root', { ...good, fromRoot: SOME_HASH }],
      ['wrong new root', { ...good, toRoot: SOME_HASH }],
      ['swapped roots', { ...good, fromRoot: good.toRoot, toRoot: good.fromRoot }],
      ['empty proof', { ...good, proof: [] }],
      ['trailing garbage', { ...good, proof: [...proof, new Uint8Array()] }],
      ['trailing old root', { ...good, proof: [...proof, good.fromRoot] }],
      ['trailing new root', { ...good, proof: [...proof, good.toRoot] }],
      ['preceding garbage', { ...good, proof: [new Uint8Array(), ...proof] }],
      ['preceding old root', { ...good, proof: [good.fromRoot, ...proof] }],
      ['preceding new root', { ...good, proof: [good.toRoot, ...proof] }],
      ['preceding proof[0]', { ...good, proof: [proof[0] as Hash, ...proof] }],
      ['truncated', { ...good, proof: proof.slice(0, -1) }],
      ...proof.map((_, i): [string, typeof good] => [
        `flipped bit in [${i}]`,
        { ...good, proof: flip(proof, i, 4) },
      ]),
    ];
    const accepted = probes.filter(([, p]) => verifyConsistency(p)).map(([name]) => name);
    expect(accepted).toEqual([]);
  });

  it('treats equal sizes and the empty old tree as the RFC leaves them: roots decide, the proof is empty', () => {
    const r = root(3);
    expect(verifyConsistency({ from: 3, to: 3, fromRoot: r, toRoot: r, proof: [] })).toBe(true);
    expect(verifyConsistency({ from: 3, to: 3, fromRoot: r, toRoot: root(4), proof: [] })).toBe(false);
    expect(verifyConsistency({ from: 3, to: 3, fromRoot: r, toRoot: r, proof: [EMPTY_ROOT] })).toBe(false);
    expect(verifyConsistency({ from: 0, to: 5, fromRoot: EMPTY_ROOT, toRoot: root(5), proof: [] })).toBe(
      true,
    );
    expect(verifyConsistency({ from: 0, to: 5, fromRoot: SOME_HASH, toRoot: root(5), proof: [] })).toBe(
      false,
    );
    expect(
      verifyConsistency({ from: 0, to: 5, fromRoot: EMPTY_ROOT, toRoot: root(5), proof: [EMPTY_ROOT] }),
    ).toBe(false);
  });

  it('rejects a proof that goes back in time', () => {
    expect(verifyConsistency({ from: 2, to: 1, fromRoot: root(2), toRoot: root(1), proof: [] })).toBe(false);
    expect(verifyConsistency({ from: 1, to: 0, fromRoot: root(1), toRoot: EMPTY_ROOT, proof: [] })).toBe(
      false,
    );
  });
});
