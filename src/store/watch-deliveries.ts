/**
 * Where each alert sink is in the transparency log: the index of the next entry it has to deliver, per sink and log
 * origin (`watch_deliveries`). The log is the outbox; this row is the only state a sink keeps, so a restarted sink
 * resumes exactly where the last answered delivery left it. Moving it is compare-and-set (`… where next_index =
 * from`): two processes delivering for the same sink never move it backwards or skip what the other had not sent.
 */
import type { Db } from './db.js';

export interface DeliveryPosition {
  /** The next log index to deliver (0 for a sink that never delivered). */
  load(): Promise<number>;
  /** Moves the position from `from` to `to`; false (and no change) when it is no longer at `from`. */
  advance(from: number, to: number): Promise<boolean>;
}

export function deliveryPosition(
  db: Pick<Db, 'query'>,
  key: { sink: string; origin: string },
): DeliveryPosition {
  return {
    async load() {
      const [row] = await db.query<{ next_index: string }>(
        'select next_index::text as next_index from watch_deliveries where sink = $1 and origin = $2',
        [key.sink, key.origin],
      );
      return row ? Number(row.next_index) : 0;
    },
    async advance(from, to) {
      const rows = await db.query(
        `insert into watch_deliveries as d (sink, origin, next_index) values ($1, $2, $4::bigint)
         on conflict (sink, origin) do update set next_index = excluded.next_index, updated_at = now()
         where d.next_index = $3::bigint
         returning 1 as moved`,
        [key.sink, key.origin, String(from), String(to)],
      );
      return rows.length > 0;
    },
  };
}
