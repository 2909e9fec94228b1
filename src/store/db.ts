/**
 * The one SQL dialect patchgate speaks (PostgreSQL), over two drivers: PGlite embedded under the state dir by
 * default, and a real PostgreSQL with `--database-url postgres://…` for teams. A deliberately small layer
 * (query + transaction) instead of a query builder: the schema is a handful of tables and the SQL is the same
 * on both backends.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { environmentError, inputError, isPatchgateError } from '../core/errors.js';
import { durableNodeFs, durableStartParams, syncTree } from './durable.js';
import { acquireLock, lockWaitMs } from './lock.js';
import { seedFromTemplate } from './template.js';

export interface Db {
  kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction: all of it lands or none of it. */
  transaction<T>(fn: (tx: Pick<Db, 'query'>) => Promise<T>): Promise<T>;
  /**
   * Several statements in one text, no parameters (the simple-query protocol): the rows of the last one. What a
   * library that writes its own migrations (the job queue) sends.
   */
  script<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

/** `postgres://user:***@host/db` — never print a password. */
export function redactUrl(url: string): string {
  // The password may be in the user part or in the query (`?password=…`, `?sslkey=…`): neither is printed.
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@').replace(/\?.*$/s, '?…');
}

export interface OpenOptions {
  /**
   * May this call create the store? Only the commands that start state (`propose`, `demo`) do; every other
   * one refuses a missing store (exit 2, naming the path) instead of silently starting an empty one.
   */
  create: boolean;
}

export interface PgliteOptions extends Partial<OpenOptions> {
  /** Sync every commit to disk (default). `false` only for the benchmark's baseline. */
  durable?: boolean;
  /** How long to wait for another process holding the store (default: `PATCHGATE_LOCK_WAIT` or 5 s). */
  lockWaitMs?: number;
  /** Start from an empty store: whatever is there is removed, under the lock (the demo's own store). */
  fresh?: boolean;
}

function missingStore(where: string, kind: Db['kind']): Error {
  return inputError(
    'store-missing',
    `no patchgate store at ${where}`,
    kind === 'pglite'
      ? 'check --state-dir (the store is <state-dir>/db), or run `patchgate propose` first to create one'
      : 'check the database in --database-url, or run `patchgate propose --database-url …` first to create the store',
  );
}

/**
 * PGlite under `dataDir` (or in memory with `memory://`). A file-backed store is locked for this process
 * (`<dataDir>.lock`, see lock.ts) from before it is opened until after it is closed, and commits durably
 * (durable.ts). `create` defaults to true here; `openDb` makes every caller choose.
 */
export async function openPglite(dataDir: string, opts: PgliteOptions = {}): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir === 'memory://') return pgliteDb(await PGlite.create(dataDir), () => undefined);
  const create = opts.create ?? true;
  const durable = opts.durable ?? true;
  const waitMs = opts.lockWaitMs ?? lockWaitMs();
  let existed = existsSync(join(dataDir, 'PG_VERSION'));
  if (!existed && !create) throw missingStore(dataDir, 'pglite');
  const lock = await cannotOpen(dataDir, async () => {
    mkdirSync(dirname(dataDir), { recursive: true });
    return acquireLock(`${dataDir}.lock`, { store: dataDir, waitMs });
  });
  try {
    if (opts.fresh) {
      rmSync(dataDir, { recursive: true, force: true });
      existed = false;
    }
    // Checked again under the lock: a store deleted meanwhile is not recreated by a command that may not create.
    if (!create && !existsSync(join(dataDir, 'PG_VERSION'))) throw missingStore(dataDir, 'pglite');
    return await cannotOpen(dataDir, async () => {
      mkdirSync(dataDir, { recursive: true });
      // A new store starts as a copy of the user's empty cluster (template.ts) instead of its own initdb.
      if (!existed) await seedFromTemplate(dataDir);
      const db = durable
        ? await PGlite.create({
            fs: await durableNodeFs(dataDir),
            startParams: durableStartParams(PGlite.defaultStartParams),
          })
        : await PGlite.create(dataDir);
      if (!existed && durable) syncTree(dataDir);
      return pgliteDb(db, () => lock.release());
    });
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Runs `open`; a file-system or database failure becomes one line naming the store (exit 3). */
async function cannotOpen<T>(dataDir: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    if (isPatchgateError(e)) throw e;
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message?.split('\n')[0] ?? String(e);
    throw environmentError(
      'store-open',
      `cannot open the store ${dataDir}: ${why}`,
      'check that the state dir is writable; PATCHGATE_DEBUG=1 shows the cause',
      e,
    );
  }
}

function pgliteDb(db: PGlite, release: () => void): Db {
  return {
    kind: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    script: async <T>(sql: string) => ((await db.exec(sql)).at(-1)?.rows ?? []) as T[],
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows }),
      ),
    close: async () => {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

export async function openPostgres(
  url: string,
  opts: { schema?: string } & Partial<OpenOptions> = {},
): Promise<Db> {
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
    throw inputError(
      'bad-database-url',
      `--database-url ${redactUrl(url)} is not a postgres:// URL`,
      'e.g. postgres://user@127.0.0.1:5432/patchgate',
    );
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 5_000,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  pool.on('error', () => {
    // An idle client dropped by the server: the next query reconnects or reports.
  });
  try {
    await pool.query('select 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    // 3D000 invalid_catalog_name: the URL names a database that does not exist — a typo, not an outage.
    if ((e as { code?: string }).code === '3D000') throw missingStore(redactUrl(url), 'postgres');
    throw environmentError(
      'database-unreachable',
      `cannot connect to ${redactUrl(url)}: ${(e as Error).message}`,
      'check that PostgreSQL runs and the URL is right',
      e,
    );
  }
  if (opts.create === false) {
    const [row] = (
      await pool.query<{ present: boolean }>(
        `select to_regclass('patches') is not null or to_regclass('ledger_heads') is not null as present`,
      )
    ).rows;
    if (!row?.present) {
      await pool.end().catch(() => undefined);
      throw missingStore(redactUrl(url), 'postgres');
    }
  }
  return {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params as unknown[])).rows,
    script: async <T>(sql: string) => {
      const r = (await pool.query(sql)) as unknown as { rows: T[] } | { rows: T[] }[];
      return (Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows) as T[];
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const out = await fn({
          query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        });
        await client.query('commit');
        return out;
      } catch (e) {
        await client.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * The store's database: PostgreSQL when a URL is given, else PGlite under `<stateDir>/db` (locked for this
 * process until closed). `create` says whether a missing store may be created; without it, exit 2.
 *
 * @example
 * ```ts
 * const store = await openStore(await openDb({ stateDir: '.patchgate', create: false }));
 * try {
 *   console.log((await store.list()).map((p) => p.digest));
 * } finally {
 *   await store.close();
 * }
 * ```
 */
export function openDb(opts: { stateDir: string; databaseUrl?: string } & OpenOptions): Promise<Db> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, { create: opts.create })
    : openPglite(join(opts.stateDir, 'db'), { create: opts.create });
}
