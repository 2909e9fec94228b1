/**
 * Who may act (watch/leader.ts) on the embedded store: the leader answers `mayAct` from memory while its lease was
 * confirmed less than half a TTL ago (no round trip on the brake's path), and asks the database after that — so a
 * leader that froze while another took the lease over does nothing when it wakes.
 */
import { expect, it } from 'vitest';
import { BACKENDS, backendWithSchema } from '../store/backends.fixture.js';
import type { Db } from '../store/db.js';
import { leadership } from './leader.js';

const [, openEmbedded] = BACKENDS[0] ?? [];
if (!openEmbedded) throw new Error('no embedded backend');
const db = backendWithSchema(openEmbedded);

/** The store, counting the queries made through it. */
function counting(inner: Db) {
  const queries: string[] = [];
  const wrapped: Pick<Db, 'query'> = {
    query: (sql, params) => {
      queries.push(sql);
      return inner.query(sql, params);
    },
  };
  return { db: wrapped, queries };
}

const TTL = 10_000;

it('answers mayAct from memory within half a TTL of the last take or renewal, from the database after it', async () => {
  const clock = { now: 1_000_000 };
  const { db: store, queries } = counting(db());
  const leader = leadership(store, { name: 'mem', ttlMs: TTL, now: () => clock.now });
  expect((await leader.tick()).leads).toBe(true);
  queries.length = 0;
  clock.now += TTL / 2 - 1;
  expect(await leader.mayAct()).toBe(true);
  expect(queries).toEqual([]);
  clock.now += 2;
  expect(await leader.mayAct()).toBe(true);
  expect(queries).toHaveLength(1); // asked the database
  // `holds` says "ours now", not "for how long": the next answer asks again, until a renewal.
  expect(await leader.mayAct()).toBe(true);
  expect(queries).toHaveLength(2);
  await leader.tick(); // renews (a third of the TTL has passed)
  queries.length = 0;
  expect(await leader.mayAct()).toBe(true);
  expect(queries).toEqual([]);
});

it('a leader frozen past half its TTL while another took the lease over does not act when it wakes', async () => {
  const clock = { now: 1_000_000 };
  const frozen = leadership(db(), { name: 'frozen', ttlMs: TTL, now: () => clock.now });
  expect((await frozen.tick()).leads).toBe(true);
  // Its lease lapses on the database's clock and another watcher takes it.
  await db().query(
    `update watch_leases set expires_at = now() - interval '1 second' where name = 'watch:frozen'`,
  );
  const other = leadership(db(), { name: 'frozen', ttlMs: TTL });
  expect((await other.tick()).leads).toBe(true);
  clock.now += TTL / 2;
  expect(await frozen.mayAct()).toBe(false);
  expect(await other.mayAct()).toBe(true);
});

it('a released lease is not acted on, whatever the clock says', async () => {
  const leader = leadership(db(), { name: 'released', ttlMs: TTL });
  expect((await leader.tick()).leads).toBe(true);
  await leader.release();
  expect(await leader.mayAct()).toBe(false);
});
