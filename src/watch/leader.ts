/**
 * Who responds when several watchers run: the one holding the leader lease (store/lease.ts). Every watcher
 * alerts; only the leader pauses, cancels and delivers webhooks. `mayAct` is asked just before anything is signed
 * or sent, and checks the fencing token against the database — a leader that froze past its lease does nothing.
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
  const now = opts.now ?? Date.now;
  const holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const lease = leaderLease(db, { name: `watch:${opts.name}`, holder, ttlMs: opts.ttlMs });
  let token: bigint | undefined;
  let renewedAt = 0;
  return {
    holder,
    async tick() {
      const before = token !== undefined;
      if (token === undefined || now() - renewedAt >= opts.ttlMs / 3) {
        const held = token === undefined ? await lease.acquire() : await lease.renew(token);
        token = held?.token;
        if (held) renewedAt = now();
      }
      return {
        leads: token !== undefined,
        changed: before !== (token !== undefined),
        ...(token !== undefined ? { token } : {}),
      };
    },
    leads: () => token !== undefined,
    async mayAct() {
      return token !== undefined && (await lease.holds(token));
    },
    async release() {
      if (token !== undefined) await lease.release(token);
      token = undefined;
    },
  };
}
