/**
 * Who responds when several watchers run: the one holding the leader lease (store/lease.ts). Every watcher
 * alerts; only the leader pauses, cancels and delivers webhooks. `mayAct` is asked just before anything is signed
 * or sent. It answers from memory while the lease was taken or renewed less than half its TTL ago (this process's
 * monotonic clock, or its wall clock if that moved further) — the database cannot have given it to anyone else before the full TTL has
 * passed since then — and otherwise checks the fencing token against the database: a leader that froze past its
 * lease does nothing. (No round trip on the brake's path; half the TTL leaves room for clock drift.)
 */
import { hostname } from 'node:os';
import type { Db } from '../store/db.js';
import { leaderLease } from '../store/lease.js';

export interface Leadership {
  /** Take or renew the lease when due; returns whether this watcher leads now (and whether that just changed). */
  tick(): Promise<{ leads: boolean; changed: boolean; token?: bigint }>;
  /** What this watcher last knew (no database round trip): it took or renewed the lease and has not lost it. */
  leads(): boolean;
  /** Asked just before acting: does this watcher still hold the lease? */
  mayAct(): Promise<boolean>;
  release(): Promise<void>;
  readonly holder: string;
}

export function leadership(
  db: Pick<Db, 'query'>,
  opts: { name: string; ttlMs: number; now?: () => number },
): Leadership {
  const now = opts.now ?? (() => performance.now());
  const holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const lease = leaderLease(db, { name: `watch:${opts.name}`, holder, ttlMs: opts.ttlMs });
  let token: bigint | undefined;
  let renewedAt = 0;
  /** When the lease was last known to be ours: the moment the query that said so was sent. */
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let confirmedWall = Number.NEGATIVE_INFINITY;
  return {
    holder,
    async tick() {
      const before = token !== undefined;
      if (token === undefined || now() - renewedAt >= opts.ttlMs / 3) {
        const asked = now();
        const askedWall = Date.now();
        const held = token === undefined ? await lease.acquire() : await lease.renew(token);
        token = held?.token;
        if (held) {
          renewedAt = confirmedAt = asked;
          confirmedWall = askedWall;
        }
      }
      return {
        leads: token !== undefined,
        changed: before !== (token !== undefined),
        ...(token !== undefined ? { token } : {}),
      };
    },
    leads: () => token !== undefined,
    async mayAct() {
      if (token === undefined) return false;
      // Since the last take or renewal (which set the expiry): the monotonic clock, or the wall clock if it moved
      // further (a host suspended: the monotonic clock may not count the sleep).
      const elapsed = Math.max(now() - confirmedAt, Date.now() - confirmedWall);
      if (elapsed < opts.ttlMs / 2) return true;
      // `holds` says the lease is ours now, not for how long: it does not move the memory answer on.
      return lease.holds(token);
    },
    async release() {
      if (token !== undefined) await lease.release(token);
      token = undefined;
      confirmedAt = confirmedWall = Number.NEGATIVE_INFINITY;
    },
  };
}
