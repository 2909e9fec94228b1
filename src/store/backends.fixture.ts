/**
 * The two backends the store runs on, for tests that run on both: embedded PGlite in memory, and a real PostgreSQL
 * (127.0.0.1:5432, database test, or PATCHGATE_TEST_DATABASE_URL) in a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { type Db, openPglite, openPostgres } from './db.js';
import { openStore } from './store.js';

export const TEST_DATABASE_URL =
  process.env.PATCHGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Backend = [name: string, open: () => Promise<{ db: Db; cleanup: () => Promise<void> }>];

export const BACKENDS: Backend[] = [
  ['PGlite (embedded)', async () => ({ db: await openPglite('memory://'), cleanup: async () => {} })],
  [
    'PostgreSQL',
    async () => {
      const schema = `patchgate_test_${randomBytes(4).toString('hex')}`;
      const admin = await openPostgres(TEST_DATABASE_URL);
      await admin.query(`create schema ${schema}`);
      const db = await openPostgres(TEST_DATABASE_URL, { schema });
      return {
        db,
        // The caller closes `db` (or the store over it) first; this drops the schema.
        cleanup: async () => {
          await admin.query(`drop schema ${schema} cascade`);
          await admin.close();
        },
      };
    },
  ],
];

/**
 * In a `describe.each(BACKENDS)`: opens the backend with the store's schema before the block's tests (one
 * database for the block) and closes and drops it after. `db()` is the open database.
 */
export function backendWithSchema(open: Backend[1]): () => Db {
  let db: Db | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const opened = await open();
    db = opened.db;
    cleanup = opened.cleanup;
    await openStore(opened.db); // applies the schema
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await cleanup?.();
  });
  return () => {
    if (!db) throw new Error('the backend is not open yet (call db() inside a test)');
    return db;
  };
}
