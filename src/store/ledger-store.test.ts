/**
 * The transparency log in the store, on both backends (embedded PGlite and a real PostgreSQL at
 * 127.0.0.1:5432, database `test`, a fresh schema per run): appends, proofs against the RFC read literally,
 * concurrent appenders from separate connections, atomic batches, and an export anyone can verify.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { canonicalEntry } from '../ledger/entry.js';
import { exportLine } from '../ledger/export.js';
import { equalHash, parseHash, toHex } from '../ledger/hash.js';
import { signHead, treeHead } from '../ledger/head.js';
import { naivePath, naiveProof, naiveRoot } from '../ledger/naive.js';
import { sampleEntries, sampleEntry } from '../ledger/sample-entries.fixture.js';
import { verifyConsistency, verifyInclusion } from '../ledger/verify.js';
import { verifyExport } from '../ledger/verify-export.js';
import { type Db, openPglite, openPostgres } from './db.js';
import { type Ledger, openLedger } from './ledger-store.js';

const DATABASE_URL = process.env.PATCHGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'; // anvil's first test key
const ORIGIN = 'example.com/patchgate';

const bytesOf = (n: number, from = 0) =>
  sampleEntries(n, from).map((e) => new TextEncoder().encode(canonicalEntry(e).json));

interface Backend {
  db: Db;
  /** A second, independent connection to the same database (another process, for PostgreSQL). */
  second: () => Promise<Db | undefined>;
  reopen: () => Promise<Db>;
  cleanup: () => Promise<void>;
}

const backends: Array<[string, () => Promise<Backend>]> = [
  [
    'PGlite (embedded)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'patchgate-ledger-'));
      let db = await openPglite(join(dir, 'db'));
      return {
        db,
        second: async () => undefined, // one process owns an embedded database
        reopen: async () => {
          await db.close();
          db = await openPglite(join(dir, 'db'));
          return db;
        },
        cleanup: async () => {
          await db.close().catch(() => undefined);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const schema = `patchgate_ledger_${randomBytes(4).toString('hex')}`;
      const admin = await openPostgres(DATABASE_URL);
      await admin.query(`create schema ${schema}`);
      const opened: Db[] = [await openPostgres(DATABASE_URL, { schema })];
      return {
        db: opened[0] as Db,
        second: async () => {
          const db = await openPostgres(DATABASE_URL, { schema });
          opened.push(db);
          return db;
        },
        reopen: async () => {
          const db = await openPostgres(DATABASE_URL, { schema });
          opened.push(db);
          return db;
        },
        cleanup: async () => {
          for (const db of opened) await db.close().catch(() => undefined);
          await admin.query(`drop schema ${schema} cascade`);
          await admin.close();
        },
      };
    },
  ],
];

describe.each(backends)('ledger on %s', (_name, open) => {
  let backend: Backend;
  let ledger: Ledger;

  beforeAll(async () => {
    backend = await open();
    ledger = await openLedger(backend.db, { origin: ORIGIN });
  }, 60_000);

  afterAll(async () => {
    await backend?.cleanup();
  });

  it('starts empty, with the empty-tree root', async () => {
    expect(await ledger.head()).toEqual({
      origin: ORIGIN,
      size: 0,
      root: toHex(naiveRoot([])),
      frontier: [],
    });
  });

  it('appends one entry at a time, each returning its index, leaf hash and the new root', async () => {
    const data = bytesOf(13);
    for (const [i, input] of sampleEntries(13).entries()) {
      const a = await ledger.append(input);
      expect(a.index).toBe(i);
      expect(a.size).toBe(i + 1);
      expect(a.root).toBe(toHex(naiveRoot(data, 0, i + 1)));
      expect(a.leafHash).toBe(toHex(naiveRoot(data, i, i + 1)));
    }
    const head = await ledger.head();
    expect(head.size).toBe(13);
    expect(head.frontier).toHaveLength(3); // 13 = 8 + 4 + 1
  });

  it('appends a batch in one transaction', async () => {
    const out = await ledger.appendMany(sampleEntries(30, 13));
    expect(out.map((a) => a.index)).toEqual(Array.from({ length: 30 }, (_, k) => 13 + k));
    expect(out.at(-1)?.root).toBe(toHex(naiveRoot(bytesOf(43))));
  });

  it('gives the RFC 9162 audit path for every entry, at the current and at earlier sizes', async () => {
    const data = bytesOf(43);
    for (const size of [1, 2, 7, 13, 32, 43]) {
      for (let index = 0; index < size; index++) {
        const p = await ledger.inclusionProof(index, size);
        expect(p.proof.map(toHex)).toEqual(naivePath(index, data.slice(0, size)).map(toHex));
        expect(verifyInclusion(p)).toBe(true);
      }
    }
    const latest = await ledger.inclusionProof(5);
    expect(latest.size).toBe(43);
  });

  it('gives RFC 9162 consistency proofs between any two sizes', async () => {
    const data = bytesOf(43);
    for (const [from, to] of [
      [0, 43],
      [1, 43],
      [7, 13],
      [13, 43],
      [32, 43],
      [43, 43],
    ] as const) {
      const c = await ledger.consistencyProof(from, to);
      expect(c.proof.map(toHex)).toEqual(naiveProof(from, data.slice(0, to)).map(toHex));
      expect(verifyConsistency(c)).toBe(true);
    }
    expect((await ledger.consistencyProof(13)).to).toBe(43);
  });

  it('refuses an index or size outside the log as bad input (exit 2)', async () => {
    for (const call of [
      () => ledger.inclusionProof(43),
      () => ledger.inclusionProof(0, 44),
      () => ledger.inclusionProof(5, 3),
      () => ledger.consistencyProof(10, 50),
      () => ledger.consistencyProof(20, 10),
    ]) {
      const e = await errorOf(call());
      expect([e.code, e.exitCode]).toEqual(['ledger-out-of-range', 2]);
    }
  });

  it('refuses an invalid entry and appends nothing of its batch', async () => {
    const bad = { ...sampleEntry(43), digest: '0x12' };
    const e = await errorOf(ledger.appendMany([sampleEntry(43), bad]));
    expect([e.code, e.exitCode]).toEqual(['bad-log-entry', 2]);
    expect((await ledger.head()).size).toBe(43);
  });

  it('rolls back a batch that fails inside the database, leaving the log as it was', async () => {
    const before = await ledger.head();
    // Another writer left a row where the batch's last entry would go: the insert fails, nothing lands.
    await backend.db.query(`insert into ledger_entries (origin, idx, entry) values ($1, 45, '{}')`, [ORIGIN]);
    await expect(ledger.appendMany(sampleEntries(3, 43))).rejects.toThrow();
    expect(await ledger.head()).toEqual(before);
    await backend.db.query('delete from ledger_entries where origin = $1 and idx = 45', [ORIGIN]);
    const [count] = await backend.db.query<{ n: string }>(
      'select count(*)::text as n from ledger_nodes where origin = $1 and level = 0',
      [ORIGIN],
    );
    expect(count?.n).toBe('43');
  });

  it('serializes concurrent appenders: distinct indexes, one consistent tree', async () => {
    const other = await backend.second();
    const second = other ? await openLedger(other, { origin: ORIGIN }) : ledger;
    const inputs = sampleEntries(24, 43);
    const results = await Promise.all(inputs.map((e, k) => (k % 2 ? second : ledger).append(e)));
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 24 }, (_, k) => 43 + k),
    );
    // The tree is the RFC tree of the entries in the order the log gave them.
    const exported = await ledger.entries();
    const data = exported.map((r) => new TextEncoder().encode(r.entry));
    const head = await ledger.head();
    expect(head.size).toBe(67);
    expect(head.root).toBe(toHex(naiveRoot(data)));
    for (const r of results) {
      expect(r.root).toBe(toHex(naiveRoot(data, 0, r.size)));
      expect(r.leafHash).toBe(toHex(naiveRoot(data, r.index, r.index + 1)));
    }
  });

  it('exports JSON lines that verify against a signed head with nothing but the files', async () => {
    const records = await ledger.entries();
    const text = records.map(exportLine).join('');
    const h = await ledger.head();
    const head = await signHead(
      { ...treeHead(ORIGIN, h.size, parseHash(h.root) as Uint8Array, new Date(Date.UTC(2026, 10, 2))) },
      privateKeyToAccount(KEY),
      h.frontier,
    );
    const earlier = await ledger.consistencyProof(40, h.size);
    const previous = await signHead(
      { ...treeHead(ORIGIN, 40, earlier.fromRoot, new Date(Date.UTC(2026, 10, 1))) },
      privateKeyToAccount(KEY),
    );
    const report = await verifyExport({ text, head, previousHead: previous });
    expect(report.problems.map((p) => p.message)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.consistent).toBe(true);
    expect(await ledger.entries(10, 12)).toEqual(records.slice(10, 12));
  });

  it('commits concurrent appends together, in call order, each getting its own index', async () => {
    const other = await openLedger(backend.db, { origin: 'group.example' });
    const inputs = sampleEntries(300);
    const results = await Promise.all(inputs.map((e) => other.append(e)));
    expect(results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
    const data = inputs.map((e) => new TextEncoder().encode(canonicalEntry(e).json));
    expect((await other.head()).root).toBe(toHex(naiveRoot(data)));
    expect(results.at(-1)?.root).toBe(toHex(naiveRoot(data)));
    // A bad entry among them fails alone.
    const mixed = await Promise.allSettled([
      other.append(sampleEntry(300)),
      other.append({ kind: 'nope' }),
      other.append(sampleEntry(301)),
    ]);
    expect(mixed.map((m) => m.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await other.head()).size).toBe(302);
  });

  it('appends an entry once per source, however often the same sources are synced', async () => {
    const other = await openLedger(backend.db, { origin: 'sync.example' });
    const items = sampleEntries(3).map((entry, i) => ({ source: `patch:${i}`, entry }));
    expect((await other.appendOnce(items)).map((a) => a.index)).toEqual([0, 1, 2]);
    expect(await other.appendOnce(items)).toEqual([]);
    const more = [
      ...items,
      { source: 'patch:3', entry: sampleEntry(3) },
      { source: 'patch:3', entry: sampleEntry(4) },
    ];
    expect((await other.appendOnce(more)).map((a) => a.index)).toEqual([3]);
    expect((await other.head()).size).toBe(4);
  });

  it('keeps each origin its own log in the same tables', async () => {
    const other = await openLedger(backend.db, { origin: 'example.com/other' });
    const a = await other.append(sampleEntry(0));
    expect(a.index).toBe(0);
    expect(equalHash(parseHash(a.root) as Uint8Array, naiveRoot(bytesOf(1)))).toBe(true);
    expect((await ledger.head()).size).toBe(67);
  });

  it('survives a reopen: same head, more appends continue the same tree', async () => {
    const before = await ledger.head();
    backend.db = await backend.reopen();
    const reopened = await openLedger(backend.db, { origin: ORIGIN });
    expect(await reopened.head()).toEqual(before);
    const next = await reopened.append(sampleEntry(67));
    expect(next.index).toBe(67);
    const data = (await reopened.entries()).map((r) => new TextEncoder().encode(r.entry));
    expect(next.root).toBe(toHex(naiveRoot(data)));
    ledger = reopened;
  });

  it('reports a damaged store (a node row deleted) as an environment failure (exit 3)', async () => {
    await backend.db.query('delete from ledger_nodes where origin = $1 and level = 0 and idx = 3', [ORIGIN]);
    const e = await errorOf(ledger.inclusionProof(2));
    expect([e.code, e.exitCode]).toEqual(['ledger-damaged', 3]);
  });
});
