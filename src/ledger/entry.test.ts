/** Canonical log entries: one spelling per event, validated per kind, hashed as RFC 9162 leaves. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PatchgateError } from '../core/errors.js';
import { canonicalEntry, ENTRY_KINDS, entryLeafHash, parseEntry } from './entry.js';
import { toHex } from './hash.js';
import { sampleEntries } from './sample-entries.fixture.js';

const DIGEST = `0x${'ab'.repeat(32)}` as const;

function errorOf(fn: () => unknown): PatchgateError {
  try {
    fn();
  } catch (e) {
    return e as PatchgateError;
  }
  throw new Error('expected an error');
}

describe('canonical entries', () => {
  it('sorts keys, drops whitespace, writes bigints as decimal strings and hex in lower case', () => {
    const { json } = canonicalEntry({
      kind: 'executed',
      txHash: `0x${'CD'.repeat(32)}`,
      blockNumber: 2n ** 70n,
      at: '2026-11-02T10:00:00Z',
      digest: DIGEST.toUpperCase().replace('0X', '0x'),
    });
    expect(json).toBe(
      `{"at":"2026-11-02T10:00:00.000Z","blockNumber":"1180591620717411303424","digest":"${DIGEST}","kind":"executed","txHash":"0x${'cd'.repeat(32)}"}`,
    );
  });

  it('gives the same text for the same event however it was spelled', () => {
    const a = canonicalEntry({
      kind: 'queued',
      digest: DIGEST,
      at: new Date(Date.UTC(2026, 0, 1)),
      operationId: DIGEST,
      txHash: DIGEST,
      eta: 5,
    });
    const b = canonicalEntry({
      eta: '5',
      txHash: DIGEST,
      operationId: DIGEST,
      at: '2026-01-01T00:00:00.000Z',
      digest: DIGEST,
      kind: 'queued',
    });
    expect(a.json).toBe(b.json);
    expect(a.entry).toMatchObject({ kind: 'queued', eta: '5' });
  });

  it('accepts every kind in the sample lifecycle and reads its own text back', () => {
    const kinds = new Set<string>();
    for (const input of sampleEntries(18)) {
      const { entry, json } = canonicalEntry(input);
      kinds.add(entry.kind);
      expect(parseEntry(json)).toEqual(entry);
    }
    const elsewhere = ['cancelled', 'review', 'patch-committed', 'approval-committed', 'patch-revealed'];
    expect([...kinds].sort()).toEqual(ENTRY_KINDS.filter((k) => !elsewhere.includes(k)).sort());
    // Embargoed patches: the commitment entries carry no digest; the reveal carries the bundle's text.
    for (const input of [
      { kind: 'patch-committed', at: '2026-11-02T10:00:00.000Z', commitment: DIGEST, chainId: 1 },
      {
        kind: 'approval-committed',
        at: '2026-11-02T10:00:00.000Z',
        commitment: DIGEST,
        signer: `0x${'ab'.repeat(20)}`,
        signatureHash: DIGEST,
      },
      {
        kind: 'patch-revealed',
        digest: DIGEST,
        at: '2026-11-02T10:00:00.000Z',
        commitment: DIGEST,
        bundle: '{"format":"patchgate-embargo-bundle/1"}',
      },
    ]) {
      const sealed = canonicalEntry(input);
      expect(parseEntry(sealed.json)).toEqual(sealed.entry);
    }
    expect(() =>
      canonicalEntry({
        kind: 'patch-committed',
        at: '2026-11-02T10:00:00.000Z',
        commitment: DIGEST,
        chainId: 1,
        proxy: `0x${'ab'.repeat(20)}`,
      }),
    ).toThrow(/proxy/);
    const review = canonicalEntry({
      kind: 'review',
      digest: DIGEST,
      at: '2026-11-02T10:00:00.000Z',
      signer: `0x${'ab'.repeat(20)}`,
      verdict: 'concern',
      text: 'the fee recipient is still mutable',
      signature: `0x${'cd'.repeat(65)}`,
    });
    expect(parseEntry(review.json)).toEqual(review.entry);
    const cancelled = canonicalEntry({
      kind: 'cancelled',
      digest: DIGEST,
      at: '2026-11-02T10:00:00.000Z',
      reason: 'superseded',
    });
    expect(parseEntry(cancelled.json).kind).toBe('cancelled');
  });

  it('refuses an unknown kind, a missing field, an unknown field and a bad value, naming it (exit 2)', () => {
    const at = '2026-11-02T10:00:00.000Z';
    const unknown = errorOf(() => canonicalEntry({ kind: 'deployed', digest: DIGEST, at }));
    expect(unknown.code).toBe('bad-log-entry');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.shortMessage).toMatch(/"deployed"/);
    expect(
      errorOf(() => canonicalEntry({ kind: 'executed', digest: DIGEST, at, txHash: DIGEST })).shortMessage,
    ).toMatch(/blockNumber/);
    expect(
      errorOf(() =>
        canonicalEntry({ kind: 'executed', digest: DIGEST, at, txHash: DIGEST, blockNumber: 1, extra: 1 }),
      ).shortMessage,
    ).toMatch(/extra/);
    expect(
      errorOf(() => canonicalEntry({ kind: 'executed', digest: '0x12', at, txHash: DIGEST, blockNumber: 1 }))
        .shortMessage,
    ).toMatch(/digest/);
    expect(
      errorOf(() =>
        canonicalEntry({
          kind: 'executed',
          digest: DIGEST,
          at: '2026-11-02 10:00',
          txHash: DIGEST,
          blockNumber: 1,
        }),
      ).shortMessage,
    ).toMatch(/at/);
    expect(
      errorOf(() => canonicalEntry({ kind: 'executed', digest: DIGEST, at, txHash: DIGEST, blockNumber: -1 }))
        .shortMessage,
    ).toMatch(/blockNumber/);
  });

  it('refuses a logged text that is not canonical instead of re-spelling it', () => {
    const { json } = canonicalEntry(sampleEntries(1)[0]);
    const spaced = JSON.stringify(JSON.parse(json), null, 1);
    expect(errorOf(() => parseEntry(spaced)).code).toBe('log-entry-not-canonical');
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(json)).reverse()));
    expect(errorOf(() => parseEntry(reordered)).code).toBe('log-entry-not-canonical');
    expect(errorOf(() => parseEntry('{not json')).code).toBe('bad-log-entry');
  });

  it('hashes an entry as SHA-256(0x00 ‖ UTF-8 text)', () => {
    const { json } = canonicalEntry(sampleEntries(1)[0]);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(json, 'utf8')]))
      .digest('hex');
    expect(toHex(entryLeafHash(json))).toBe(`0x${expected}`);
  });
});
