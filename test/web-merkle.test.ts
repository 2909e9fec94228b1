/**
 * The page's inclusion-proof check (web/src/merkle.ts, WebCrypto) against RFC 9162's definitions read literally
 * (src/ledger/naive.ts): every entry of trees of 1…33 entries verifies against the tree's root, and a changed entry,
 * index, proof node or root does not — the page reaches the verdict `patchgate log verify` reaches without trusting
 * a hash the server sends. (A size is the head's, read with its root: the page asks for the proof at that size.)
 */
import { describe, expect, it } from 'vitest';
import { canonicalEntry } from '../src/ledger/entry.js';
import { leafHash, toHex } from '../src/ledger/hash.js';
import { naivePath, naiveRoot } from '../src/ledger/naive.js';
import { sampleEntries } from '../src/ledger/sample-entries.fixture.js';
import { verifyInclusion } from '../web/src/merkle.js';

describe("the page's inclusion check", () => {
  it('verifies every entry of trees of 1 to 33 entries against the root the ledger computes', async () => {
    const texts = sampleEntries(33).map((e) => canonicalEntry(e).json);
    const bytes = texts.map((t) => new TextEncoder().encode(t));
    for (let size = 1; size <= texts.length; size++) {
      const tree = bytes.slice(0, size);
      const root = toHex(naiveRoot(tree));
      for (let index = 0; index < size; index++) {
        const r = await verifyInclusion({
          entry: texts[index] as string,
          index,
          size,
          proof: naivePath(index, tree).map((h) => toHex(h)),
          trustedRoot: root,
        });
        expect(r, `entry ${index} of ${size}`).toEqual({
          ok: true,
          leafHash: toHex(leafHash(bytes[index] as Uint8Array)),
          root,
        });
      }
    }
  });

  it('refuses a changed entry, index, proof node or root, and a size too small for the proof, saying why', async () => {
    const texts = sampleEntries(13).map((e) => canonicalEntry(e).json);
    const tree = texts.map((t) => new TextEncoder().encode(t));
    const good = {
      entry: texts[5] as string,
      index: 5,
      size: 13,
      proof: naivePath(5, tree).map((h) => toHex(h)),
      trustedRoot: toHex(naiveRoot(tree)),
    };
    expect((await verifyInclusion(good)).ok).toBe(true);
    const flip = (h: string) => `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}`;
    const bad = [
      { ...good, entry: good.entry.replace('"kind"', '"kind" ') },
      { ...good, entry: texts[6] as string },
      { ...good, index: 4 },
      { ...good, size: 6 },
      { ...good, proof: [flip(good.proof[0] as string), ...good.proof.slice(1)] },
      { ...good, proof: good.proof.slice(1) },
      { ...good, proof: [...good.proof, good.proof[0] as string] },
      { ...good, trustedRoot: flip(good.trustedRoot) },
    ];
    for (const b of bad) {
      const r = await verifyInclusion(b);
      expect(r.ok, JSON.stringify(b).slice(0, 80)).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/root|deep|cannot be/);
    }
    expect(await verifyInclusion({ ...good, index: 13 })).toEqual({
      ok: false,
      reason: 'entry 13 cannot be in a tree of 13 entries',
    });
    expect((await verifyInclusion({ ...good, trustedRoot: '0x12' })).ok).toBe(false);
    expect((await verifyInclusion({ ...good, proof: ['0xzz'] })).ok).toBe(false);
  });
});
