/**
 * The leader lease: several watchers share one PostgreSQL and exactly one of them responds (pauses, cancels,
 * delivers). One row per lease, `watch_leases(name, holder, token, expires_at)`:
 *
 * - `acquire` takes the lease when it is free or expired, or renews it when this holder holds it, in ONE
 *   statement (`insert … on conflict … do update … where`): two contenders never both win, whatever the timing.
 * - Every time the lease changes hands (or lapses and is taken again, even by the same holder) its `token` goes
 *   up by one. The token is a fencing token: whoever acts names it, and `holds(token)` says whether it is still
 *   the current, unexpired one. A leader paused past its expiry (a GC pause, SIGSTOP, a laptop lid) wakes up with
 *   a token that no longer holds, and must not act.
 * - Expiry is judged by the DATABASE's clock (`now()`), never a process's: contenders on machines whose clocks
 *   disagree still agree on who holds the lease. A holder renews well within its TTL (a third of it, say).
 * - `release` expires the row rather than deleting it, so the token never goes back to 1.
 *
 * What it cannot promise: `holds` and the action after it are two steps, so a leader frozen between them acts
 * late. Check just before acting and keep the TTL well above the time an action takes; a target that can check
 * the token itself (a database write) should be given the token.
 *
 * Works the same on PGlite (one process: the lease then only orders tasks inside it) and PostgreSQL.
 */
import { internalError } from '../core/errors.js';
import type { Db } from './db.js';

type Query = Pick<Db, 'query'>;

/** A lease as this holder holds it, with the database's clock at that moment. */
export interface HeldLease {
  /** The fencing token: higher for every later holding of this lease. */
  token: bigint;
  /** When it lapses unless renewed (database clock). */
  expiresAt: Date;
  /** The database's `now()` when it was taken or renewed. */
  at: Date;
}

export interface LeaderLease {
  /** Takes the lease if free or expired, or renews this holder's own; undefined while another holds it. */
  acquire(): Promise<HeldLease | undefined>;
  /** Extends the holding named by `token`; undefined when it lapsed or changed hands meanwhile (do not act). */
  renew(token: bigint): Promise<HeldLease | undefined>;
  /** Gives the lease up at once (the next contender need not wait for the TTL); false if it was not held. */
  release(token: bigint): Promise<boolean>;
  /** Whether `token` is still this holder's current, unexpired holding: ask just before acting. */
  holds(token: bigint): Promise<boolean>;
}

export interface LeaseOptions {
  /** The lease (one per watched system, e.g. `watch:<chain id>`). */
  name: string;
  /** Who asks: unique per process (host, pid and a random part), so two processes never pass as one. */
  holder: string;
  /** How long a holding lasts without renewal, in milliseconds. */
  ttlMs: number;
}

interface Row {
  token: string;
  expires_ms: string;
  now_ms: string;
}

const RETURNING = `returning token::text as token,
  floor(extract(epoch from expires_at) * 1000)::text as expires_ms,
  floor(extract(epoch from now()) * 1000)::text as now_ms`;

/** Free, expired, or ours: take it (a new token unless we hold it unexpired), in one atomic statement. */
const ACQUIRE = `insert into watch_leases as l (name, holder, token, expires_at)
  values ($1, $2, 1, now() + $3::double precision * interval '1 millisecond')
  on conflict (name) do update set
    token = case when l.holder = excluded.holder and l.expires_at > now() then l.token else l.token + 1 end,
    holder = excluded.holder,
    expires_at = excluded.expires_at
  where l.holder = excluded.holder or l.expires_at <= now()
  ${RETURNING}`;

const RENEW = `update watch_leases
  set expires_at = now() + $4::double precision * interval '1 millisecond'
  where name = $1 and holder = $2 and token = $3::bigint and expires_at > now()
  ${RETURNING}`;

// Expired, not deleted: the next holder's token continues from this one.
const RELEASE = `update watch_leases set expires_at = '-infinity'
  where name = $1 and holder = $2 and token = $3::bigint and expires_at > now()
  returning token::text as token`;

const HOLDS = `select 1 as held from watch_leases
  where name = $1 and holder = $2 and token = $3::bigint and expires_at > now()`;

function held(rows: Row[]): HeldLease | undefined {
  const [row] = rows;
  if (!row) return undefined;
  return {
    token: BigInt(row.token),
    expiresAt: new Date(Number(row.expires_ms)),
    at: new Date(Number(row.now_ms)),
  };
}

/**
 * The lease `name` as seen by `holder`.
 *
 * @example
 * ```ts
 * const lease = leaderLease(store.db, { name: 'watch:1', holder: `${hostname()}:${process.pid}:${nonce}`, ttlMs: 15_000 });
 * const mine = await lease.acquire();
 * if (mine && (await lease.holds(mine.token))) await pause();
 * ```
 */
export function leaderLease(db: Query, opts: LeaseOptions): LeaderLease {
  const { name, holder, ttlMs } = opts;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw internalError(`lease "${name}": ttlMs ${ttlMs} is not a positive whole number of milliseconds`);
  }
  return {
    acquire: async () => held(await db.query<Row>(ACQUIRE, [name, holder, ttlMs])),
    renew: async (token) => held(await db.query<Row>(RENEW, [name, holder, token.toString(), ttlMs])),
    release: async (token) => (await db.query(RELEASE, [name, holder, token.toString()])).length > 0,
    holds: async (token) => (await db.query(HOLDS, [name, holder, token.toString()])).length > 0,
  };
}
