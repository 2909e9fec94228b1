/**
 * Verifying an export from the files alone: a faithful export passes; each way of tampering with it — modify,
 * delete, insert, reorder, truncate, rewrite history after a head — fails, naming the first bad index.
 */
import fc from 'fast-check';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { PatchgateError } from '../core/errors.js';
import { canonicalEntry, type EntryInput } from './entry.js';
import { type ExportRecord, exportLine } from './export.js';
import { EMPTY_ROOT, toHex } from './hash.js';
import { type Head, signHead, treeHead } from './head.js';
import { memoryTree } from './memory.js';
import { sampleEntries, sampleEntry } from './sample-entries.fixture.js';
import { verifyExport } from './verify-export.js';

// anvil's first two well-known keys: local test keys only.
const KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const OTHER: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b69078d';
const ORIGIN = 'example.com/patchgate';
const AT = new Date(Date.UTC(2026, 10, 2, 12));

/** An honest log of these entries: its export records, and signed heads at any size. */
function logOf(inputs: EntryInput[]) {
  const tree = memoryTree();
  const records: ExportRecord[] = [];
  const unsigned: Array<{ size: number; root: Hex; frontier: Hex[] }> = [];
  for (const input of inputs) {
    const { json } = canonicalEntry(input);
    const { index, completed } = tree.append(new TextEncoder().encode(json));
    records.push({ index, entry: json, nodes: completed.map((c) => toHex(c.hash)) });
    unsigned.push({
      size: tree.size(),
      root: toHex(tree.root()),
      frontier: tree.frontier().nodes.map(toHex),
    });
  }
  return {
    records,

    text: (rs: ExportRecord[] = records) => rs.map(exportLine).join(''),
    head: async (size: number, opts: { key?: Hex; frontier?: boolean } = {}) => {
      const u = unsigned[size - 1] as (typeof unsigned)[number];
      const th = { ...treeHead(ORIGIN, size, new Uint8Array(32), AT), root: u.root };
      return signHead(
        th,
        privateKeyToAccount(opts.key ?? KEY),
        opts.frontier === false ? undefined : u.frontier,
      );
    },
  };
}

/** Entry i with one field changed, still a valid canonical entry. */
const modified = (i: number) =>
  canonicalEntry({ ...sampleEntry(i), at: new Date(Date.UTC(2030, 0, 1)) }).json;

describe('verifyExport', () => {
  it('passes a faithful export against its signed head and an earlier head, RFC 9162-consistent', async () => {
    const log = logOf(sampleEntries(20));
    const r = await verifyExport({
      text: log.text(),
      head: await log.head(20),
      previousHead: await log.head(12),
    });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.firstBadIndex).toBeUndefined();
    expect(r.consistent).toBe(true);
    expect(r.heads.map((h) => [h.role, h.signature, h.matches, h.provenBefore])).toEqual([
      ['head', 'valid', true, 20],
      ['earlier head', 'valid', true, 12],
    ]);
    expect(r.root).toBe((await log.head(20)).root);
  });

  it('fails entries after the head (an unsigned tail): the head vouches for its first entries only', async () => {
    const log = logOf(sampleEntries(20));
    const r = await verifyExport({ text: log.text(), head: await log.head(15) });
    expect(r.ok).toBe(false);
    expect(r.authenticated).toBe(true);
    expect(r.committed).toBe(15);
    expect(r.firstBadIndex).toBe(15);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'unsigned-tail', index: 15 })]);
    expect(r.problems[0]?.message).toMatch(/^entries 15…19 come after the head \(size 15\)/);
    expect(r.heads[0]).toMatchObject({ size: 15, matches: true, provenBefore: 15 });
    expect(r.unsigned).toMatchObject({ from: 15, to: 20 });
    expect(r.unsigned?.entries.map((e) => [e.index, e.kind])).toEqual(
      [15, 16, 17, 18, 19].map((i) => [i, sampleEntry(i).kind]),
    );
  });

  it("with allowUnsignedTail passes the head's entries and names the tail, never committing to it", async () => {
    const log = logOf(sampleEntries(20));
    const r = await verifyExport({ text: log.text(), head: await log.head(15), allowUnsignedTail: true });
    expect(r).toMatchObject({ ok: true, authenticated: true, committed: 15, entries: 20, problems: [] });
    expect(r.unsigned).toMatchObject({ from: 15, to: 20 });
  });

  it('a size-0 head vouches for no entry: a non-empty export is all unsigned tail', async () => {
    const log = logOf(sampleEntries(3));
    const empty = await signHead({ ...treeHead(ORIGIN, 0, EMPTY_ROOT, AT) }, privateKeyToAccount(KEY), []);
    const r = await verifyExport({ text: log.text(), head: empty });
    expect(r).toMatchObject({ ok: false, authenticated: true, committed: 0, firstBadIndex: 0 });
    expect(r.problems.map((p) => p.code)).toEqual(['unsigned-tail']);
    const allowed = await verifyExport({ text: log.text(), head: empty, allowUnsignedTail: true });
    expect(allowed).toMatchObject({ ok: true, committed: 0, unsigned: { from: 0, to: 3 } });
    const none = await verifyExport({ text: '', head: empty });
    expect(none).toMatchObject({ ok: true, authenticated: true, committed: 0, entries: 0 });
  });

  it('names a modified entry', async () => {
    const log = logOf(sampleEntries(20));
    const tampered = log.records.map((r) => (r.index === 7 ? { ...r, entry: modified(7) } : r));
    const r = await verifyExport({ text: log.text(tampered), head: await log.head(20) });
    expect(r.ok).toBe(false);
    expect(r.firstBadIndex).toBe(7);
    expect(r.problems.map((p) => [p.code, p.index])).toEqual([
      ['hash-mismatch', 7],
      ['root-mismatch', 7],
    ]);
    expect(r.heads[0]?.provenBefore).toBe(7);
  });

  it('names an entry edited into a non-canonical spelling', async () => {
    const log = logOf(sampleEntries(10));
    const tampered = log.records.map((r) =>
      r.index === 4 ? { ...r, entry: r.entry.replace('{', '{ ') } : r,
    );
    const r = await verifyExport({ text: log.text(tampered), head: await log.head(10) });
    expect(r.firstBadIndex).toBe(4);
    expect(r.problems.map((p) => p.code)).toContain('bad-entry');
  });

  it('names a deleted entry, whether or not the later lines were renumbered', async () => {
    const log = logOf(sampleEntries(20));
    const deleted = log.records.filter((r) => r.index !== 5);
    const kept = await verifyExport({ text: log.text(deleted), head: await log.head(20) });
    expect(kept.firstBadIndex).toBe(5);
    expect(kept.problems.map((p) => p.code)).toContain('index-out-of-sequence');
    const renumbered = deleted.map((r, i) => ({ ...r, index: i }));
    const again = await verifyExport({ text: log.text(renumbered), head: await log.head(19) });
    expect(again.firstBadIndex).toBe(5);
  });

  it('names an inserted entry', async () => {
    const log = logOf(sampleEntries(20));
    const extra: ExportRecord = { index: 5, entry: modified(5) };
    const inserted = [...log.records.slice(0, 5), extra, ...log.records.slice(5)];
    const r = await verifyExport({ text: log.text(inserted), head: await log.head(20) });
    expect(r.firstBadIndex).toBe(5);
    const renumbered = inserted.map((x, i) => ({ ...x, index: i }));
    expect((await verifyExport({ text: log.text(renumbered), head: await log.head(20) })).firstBadIndex).toBe(
      5,
    );
  });

  it('names an inserted entry whose line carries node hashes crafted to agree with the lines before it', async () => {
    const log = logOf(sampleEntries(20));
    // The forged line's nodes are what its append would complete after entries 0…4: they agree with the
    // recomputed tree, and the line after it claims index 5 again with the honest nodes.
    const forged = logOf([...sampleEntries(5), JSON.parse(modified(5))]).records[5] as ExportRecord;
    const inserted = [...log.records.slice(0, 5), forged, ...log.records.slice(5)];
    const r = await verifyExport({
      text: log.text(inserted),
      head: await log.head(20),
      allowUnsignedTail: true,
    });
    expect(r.firstBadIndex).toBe(5);
    expect(r.problems.find((p) => p.code === 'root-mismatch')).toMatchObject({ index: 5 });
    expect(r.heads[0]?.provenBefore).toBe(5);
  });

  it('names the first of two reordered entries', async () => {
    const log = logOf(sampleEntries(20));
    const swapped = [...log.records];
    [swapped[3], swapped[4]] = [swapped[4] as ExportRecord, swapped[3] as ExportRecord];
    const r = await verifyExport({ text: log.text(swapped), head: await log.head(20) });
    expect(r.firstBadIndex).toBe(3);
    expect(r.problems.find((p) => p.code === 'root-mismatch')?.index).toBe(3);
  });

  it('names the first missing entry of a truncated export', async () => {
    const log = logOf(sampleEntries(20));
    const r = await verifyExport({ text: log.text(log.records.slice(0, 17)), head: await log.head(20) });
    expect(r.firstBadIndex).toBe(17);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'truncated', index: 17 })]);
    expect(r.problems[0]?.message).toMatch(/entries 17…19 are missing/);
    expect(r.heads[0]?.provenBefore).toBe(16);
  });

  it('proves the entries before a rewrite even when the tamperer recomputed every hash', async () => {
    const inputs = sampleEntries(20);
    const honest = logOf(inputs);
    const forged = logOf(inputs.map((e, i) => (i === 18 ? JSON.parse(modified(18)) : e)));
    // The forged export is self-consistent: only the signed head can tell, down to the frontier subtree.
    const r = await verifyExport({ text: forged.text(), head: await honest.head(20) });
    expect(r.ok).toBe(false);
    expect(r.firstBadIndex).toBe(16);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'root-mismatch', range: [16, 20] })]);
    expect(r.heads[0]?.provenBefore).toBe(16);
    // A head without its frontier proves less, and the report says so rather than guessing.
    const bare = await verifyExport({
      text: forged.text(),
      head: await honest.head(20, { frontier: false }),
    });
    expect(bare.firstBadIndex).toBe(0);
    expect(bare.problems[0]?.range).toEqual([0, 20]);
  });

  it('detects a history rewritten after an earlier head was published (a fork)', async () => {
    const inputs = sampleEntries(20);
    const before = logOf(inputs.slice(0, 12));
    const earlier = await before.head(12);
    const rewritten = logOf(inputs.map((e, i) => (i === 10 ? JSON.parse(modified(10)) : e)));
    const r = await verifyExport({
      text: rewritten.text(),
      head: await rewritten.head(20),
      previousHead: earlier,
    });
    expect(r.ok).toBe(false);
    expect(r.heads.map((h) => h.matches)).toEqual([true, false]);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'fork', range: [8, 12] })]);
    expect(r.firstBadIndex).toBe(8);
    expect(r.heads[1]?.provenBefore).toBe(8);
  });

  it('fails a head that is unsigned, signed by another key, or altered after signing', async () => {
    const log = logOf(sampleEntries(8));
    const good = await log.head(8);
    const unsigned: Head = { ...treeHead(ORIGIN, 8, new Uint8Array(32), AT), root: good.root, signed: false };
    expect((await verifyExport({ text: log.text(), head: unsigned })).problems.map((p) => p.code)).toEqual([
      'unsigned-head',
    ]);
    const other = await log.head(8, { key: OTHER });
    const pinned = await verifyExport({
      text: log.text(),
      head: other,
      signer: privateKeyToAccount(KEY).address,
    });
    expect(pinned.problems.map((p) => p.code)).toEqual(['bad-head']);
    expect(pinned.heads[0]?.signature).toBe('invalid');
    const altered = await verifyExport({
      text: log.text(log.records.slice(0, 7)),
      head: { ...good, size: 7 },
    });
    expect(altered.problems.map((p) => p.code)).toContain('bad-head');
  });

  it('fails an earlier head larger than the head (entries lost) or from another log', async () => {
    const log = logOf(sampleEntries(12));
    const r = await verifyExport({
      text: log.text(),
      head: await log.head(8),
      previousHead: await log.head(12),
    });
    expect(r.problems.map((p) => p.code)).toContain('head-rollback');
    const elsewhere = { ...(await log.head(4)), origin: 'example.com/other' };
    const o = await verifyExport({ text: log.text(), head: await log.head(12), previousHead: elsewhere });
    expect(o.problems.map((p) => p.code)).toContain('origin-mismatch');
  });

  it('authenticates nothing without a head: every entry is unsigned unless allowed, and the lines are still checked', async () => {
    const log = logOf(sampleEntries(10));
    const bare = await verifyExport({ text: log.text() });
    expect(bare).toMatchObject({ ok: false, authenticated: false, committed: 0, firstBadIndex: 0 });
    expect(bare.problems).toEqual([expect.objectContaining({ code: 'unsigned-tail', index: 0 })]);
    expect(bare.problems[0]?.message).toMatch(/^no head given: nothing in this export is authenticated/);
    const allowed = await verifyExport({ text: log.text(), allowUnsignedTail: true });
    expect(allowed).toMatchObject({
      ok: true,
      authenticated: false,
      committed: 0,
      unsigned: { from: 0, to: 10 },
    });
    const tampered = log.records.map((r) => (r.index === 6 ? { ...r, entry: modified(6) } : r));
    const r = await verifyExport({ text: log.text(tampered), allowUnsignedTail: true });
    expect(r.firstBadIndex).toBe(6);
    expect(r.heads).toEqual([]);
  });

  it('refuses an earlier head without a head as bad input', async () => {
    const log = logOf(sampleEntries(4));
    const e = await verifyExport({ text: log.text(), previousHead: await log.head(4) }).catch(
      (err: PatchgateError) => err,
    );
    expect((e as PatchgateError).code).toBe('missing-log-head');
  });

  it('refuses a file that is not an export as bad input (exit 2), naming the line', async () => {
    const log = logOf(sampleEntries(3));
    for (const text of [`${log.text()}{oops\n`, `${log.text()}{"index":3}\n`, '[1,2]\n']) {
      const e = await verifyExport({ text }).then(
        () => undefined,
        (err: PatchgateError) => err,
      );
      expect(e?.code).toBe('bad-log-export');
      expect(e?.exitCode).toBe(2);
    }
    const e = await verifyExport({ text: `${log.text()}{oops\n` }).catch((err: PatchgateError) => err);
    expect((e as PatchgateError).shortMessage).toMatch(/line 4/);
  });

  it('names the tampered index for random logs and random tampering', async () => {
    const log = logOf(sampleEntries(40));
    const heads = new Map<number, Head>();
    for (let n = 2; n <= 40; n++) heads.set(n, await log.head(n));
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 40 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.nat(n - 2), fc.constantFrom('modify', 'delete', 'swap', 'insert')),
          ),
        async ([n, k, how]) => {
          const rs = log.records.slice(0, n);
          // An inserted line whose nodes agree with the lines before it (what its append would complete).
          const crafted = () =>
            logOf([...sampleEntries(k), JSON.parse(modified(k))]).records[k] as ExportRecord;
          const tampered =
            how === 'modify'
              ? rs.map((r) => (r.index === k ? { ...r, entry: modified(k) } : r))
              : how === 'delete'
                ? rs.filter((r) => r.index !== k)
                : how === 'insert'
                  ? [...rs.slice(0, k), crafted(), ...rs.slice(k, -1)]
                  : rs.map((r, i) =>
                      i === k ? (rs[k + 1] as ExportRecord) : i === k + 1 ? (rs[k] as ExportRecord) : r,
                    );
          const r = await verifyExport({ text: log.text(tampered), head: heads.get(n) });
          expect(r.ok).toBe(false);
          expect(r.firstBadIndex).toBe(k);
        },
      ),
      { numRuns: 200 },
    );
  });
});
