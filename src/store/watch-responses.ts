/**
 * Responses the watchers owe: every finding whose rule responds (pause, cancel) is written here first, by
 * whichever watcher judged it, and carried out by the leader — now, or when it takes the lease over. A follower
 * that judged a block while another led, or a leader killed before it acted, leaves the response owed here rather
 * than lost; the responders are idempotent, so one carried out twice sends nothing twice.
 */
import type { Db } from './db.js';

export interface OwedResponse {
  /** The alert's log source: what the response answers. */
  source: string;
  action: 'pause' | 'cancel';
  /** The timelock operation a `cancel` cancels. */
  operation?: string;
  /** The pending transaction the alert was about (its fees are outbid), as JSON with decimal integers. */
  pendingTx?: Record<string, unknown>;
}

export interface ResponseStore {
  owe(r: OwedResponse): Promise<void>;
  /** Owed responses, oldest first. */
  owed(): Promise<OwedResponse[]>;
  done(source: string): Promise<void>;
}

export function responseStore(db: Pick<Db, 'query'>): ResponseStore {
  return {
    async owe(r) {
      await db.query(
        `insert into watch_responses (source, action, operation, pending_tx, state) values ($1, $2, $3, $4::jsonb, 'owed')
         on conflict (source) do nothing`,
        [r.source, r.action, r.operation ?? null, r.pendingTx ? JSON.stringify(r.pendingTx) : null],
      );
    },
    async owed() {
      const rows = await db.query<{
        source: string;
        action: 'pause' | 'cancel';
        operation: string | null;
        pending_tx: Record<string, unknown> | null;
      }>(
        `select source, action, operation, pending_tx from watch_responses where state = 'owed' order by created_at, source`,
      );
      return rows.map((r) => ({
        source: r.source,
        action: r.action,
        ...(r.operation ? { operation: r.operation } : {}),
        ...(r.pending_tx ? { pendingTx: r.pending_tx } : {}),
      }));
    },
    async done(source) {
      await db.query(`update watch_responses set state = 'done', done_at = now() where source = $1`, [
        source,
      ]);
    },
  };
}
