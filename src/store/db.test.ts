/**
 * Opening the store: durable commits on the embedded store (fsync on, the WAL synced at every commit), a
 * missing store refused unless the caller may create one (PGlite and PostgreSQL), and concurrent first opens of
 * a PostgreSQL database (127.0.0.1:5432, database `test`) that do not trip over each other's schema.
 */
import { randomBytes } from 'node:crypto';
import fs, { existsSync, mkdtempSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { openPglite, openPostgres, redactUrl } from './db.js';
import { openLedger } from './ledger-store.js';
import { openStore } from './store.js';

const DATABASE_URL = process.env.PATCHGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const fresh = () => join(mkdtempSync(join(tmpdir(), 'patchgate-db-')), 'db');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('--database-url', () => {
  it('never prints a password, in the user part or in the query', async () => {
    expect(redactUrl('postgres://app:hunter2@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(redactUrl('postgres://db/x?password=hunter2&sslmode=require')).toBe('postgres://db/x?…');
    const down = await errorOf(openPostgres('postgres://127.0.0.1:1/x?password=hunter2'));
    expect([down.code, down.exitCode]).toEqual(['database-unreachable', 3]);
    expect(`${down.shortMessage}${down.hint}`).not.toContain('hunter2');
  });

  it('a URL that does not parse is bad input (exit 2), not an unreachable database', async () => {
    const e = await errorOf(openPostgres('postgresql://u:p@[::1'));
    expect([e.code, e.exitCode]).toEqual(['bad-database-url', 2]);
    expect(e.shortMessage).toBe('--database-url postgresql://u:***@[::1 is not a postgres:// URL');
  });
});

describe('embedded store durability', () => {
  it('runs with fsync on and wal_sync_method=fsync (a sync that reaches the disk)', async () => {
    const db = await openPglite(fresh(), { create: true });
    try {
      expect(await db.query('show fsync')).toEqual([{ fsync: 'on' }]);
      expect(await db.query('show wal_sync_method')).toEqual([{ wal_sync_method: 'fsync' }]);
      expect(await db.query('show synchronous_commit')).toEqual([{ synchronous_commit: 'on' }]);
    } finally {
      await db.close();
    }
  });

  it('fsyncs the write-ahead log on the host before a commit returns', async () => {
    const dir = fresh();
    const db = await openPglite(dir, { create: true });
    try {
      await db.query('create table t (x int)');
      const synced: string[] = [];
      const real = fs.fsyncSync;
      vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
        synced.push(readlinkSync(`/proc/self/fd/${fd}`));
        real(fd);
      });
      await db.transaction(async (tx) => {
        await tx.query('insert into t values (1)');
        expect(synced).toEqual([]);
      });
      expect(synced.some((p) => p.startsWith(join(dir, 'pg_wal')))).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('PGlite as shipped (durable: false, the benchmark baseline) runs with fsync off', async () => {
    const db = await openPglite(fresh(), { create: true, durable: false });
    try {
      expect(await db.query('show fsync')).toEqual([{ fsync: 'off' }]);
    } finally {
      await db.close();
    }
  });
});

describe('a missing store', () => {
  it('is refused (exit 2, naming the path) when the caller may not create one, and nothing is created', async () => {
    const parent = join(mkdtempSync(join(tmpdir(), 'patchgate-db-')), 'typo');
    const e = await errorOf(openPglite(join(parent, 'db'), { create: false }));
    expect([e.code, e.exitCode]).toEqual(['store-missing', 2]);
    expect(e.shortMessage).toBe(`no patchgate store at ${join(parent, 'db')}`);
    expect(existsSync(parent)).toBe(false);
  });

  it('in PostgreSQL: an empty database or one that does not exist is refused (exit 2), never printing a password', async () => {
    const schema = `patchgate_empty_${randomBytes(4).toString('hex')}`;
    const admin = await openPostgres(DATABASE_URL);
    await admin.query(`create schema ${schema}`);
    try {
      const empty = await errorOf(openPostgres(DATABASE_URL, { schema, create: false }));
      expect([empty.code, empty.exitCode]).toEqual(['store-missing', 2]);
      const url = DATABASE_URL.replace('postgres@', 'postgres:hunter2@').replace(/\/[^/]*$/, '/no_such_db');
      const typo = await errorOf(openPostgres(url, { create: false }));
      expect([typo.code, typo.exitCode]).toEqual(['store-missing', 2]);
      expect(typo.shortMessage).toContain('postgres:***@');
      expect(typo.shortMessage).not.toContain('hunter2');
      const created = await openPostgres(DATABASE_URL, { schema, create: true });
      await (await openStore(created)).close();
      const opened = await openPostgres(DATABASE_URL, { schema, create: false });
      await opened.close();
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.close();
    }
  });
});

describe('PostgreSQL, many processes', () => {
  it('several first opens of a new database at once all succeed (the schema is created once, in turn)', async () => {
    const schema = `patchgate_race_${randomBytes(4).toString('hex')}`;
    const admin = await openPostgres(DATABASE_URL);
    await admin.query(`create schema ${schema}`);
    try {
      const opens = await Promise.allSettled(
        Array.from({ length: 6 }, async () => {
          const db = await openPostgres(DATABASE_URL, { schema });
          try {
            await openStore(db);
            await openLedger(db, { origin: 'patchgate' });
          } finally {
            await db.close();
          }
        }),
      );
      expect(opens.filter((o) => o.status === 'rejected')).toEqual([]);
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.close();
    }
  });
});
