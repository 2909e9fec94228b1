/**
 * The two backends the store runs on, for tests that run on both: embedded PGlite in memory, and a real PostgreSQL
 * (127.0.0.1:5432, database test, or PATCHGATE_TEST_DATABASE_URL) in a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { type Db, openPglite, openPostgres } from './db.js';

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
