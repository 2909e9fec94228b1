/** How long approvals took: per patch, seconds from its `proposed` to its `approved` transition, with its lane. */
import type { Db } from './db.js';

/**
 * One query over every patch's transitions (not one per patch): `assess` runs at every propose and queue.
 *
 * @example
 * ```ts
 * const samples = await approvalTimes(store.db); // [{ lane: 'standard', seconds: 5400 }, …]
 * ```
 */
export async function approvalTimes(
  db: Pick<Db, 'query'>,
): Promise<{ lane: 'standard' | 'emergency'; seconds: number }[]> {
  const rows = await db.query<{ lane: 'standard' | 'emergency'; proposed: unknown; approved: unknown }>(
    `select p.lane,
            min(t.at) filter (where t.to_state = 'proposed') as proposed,
            min(t.at) filter (where t.to_state = 'approved') as approved
       from transitions t join patches p on p.digest = t.digest
      group by p.digest, p.lane`,
  );
  const ms = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).getTime();
  return rows
    .filter((r) => r.proposed != null && r.approved != null)
    .map((r) => ({
      lane: r.lane,
      seconds: Math.max(0, Math.round((ms(r.approved) - ms(r.proposed)) / 1000)),
    }));
}
