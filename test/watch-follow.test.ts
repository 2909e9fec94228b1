/**
 * The watcher's block follower on a real anvil: new blocks in order, a reorg rolled back to the common ancestor
 * and the new branch handed out (anvil_reorg), a shortened chain (anvil_rollback), a restart that resumes from
 * the saved cursor, a follower killed between handling a block and saving it — and a reorg deeper than it keeps.
 */
import type { Hex } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeFinding } from '../src/analyze/catalog.js';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { type Clients, connect } from '../src/chain/clients.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { type Db, openPglite } from '../src/store/db.js';
import { openLedger } from '../src/store/ledger-store.js';
import { openStore } from '../src/store/store.js';
import { storedCursor } from '../src/store/watch-cursor.js';
import { type BlockRef, chainReader, type FollowEvent, follower, memoryCursor } from '../src/watch/follow.js';
import { type WatchEvent, watcher } from '../src/watch/watcher.js';

let anvil: Anvil;
let clients: Clients;
let base: Hex;
/** One store for the file (opening PGlite costs seconds): each test keys its own cursor and log origin. */
let db: Db;

beforeAll(async () => {
  anvil = await startAnvil({ args: [] });
  clients = await connect(anvil.rpcUrl);
  base = await clients.test.snapshot();
  db = await openPglite('memory://');
  await openStore(db);
});
afterAll(async () => {
  await db?.close();
  await anvil?.stop();
});
beforeEach(async () => {
  // anvil answers false (not an error) for a snapshot it no longer has: check it went back.
  expect(await clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(true);
  base = await clients.test.snapshot();
});

const mine = (blocks: number) => clients.test.mine({ blocks });
const reorg = (depth: number) =>
  clients.public.request({ method: 'anvil_reorg' as never, params: [depth, []] as never });
const rollback = (depth: number) =>
  clients.public.request({ method: 'anvil_rollback' as never, params: [depth] as never });

/** What a handler that applies each event ends up believing the chain is: block number → hash. */
function applier() {
  const seen = new Map<bigint, Hex>();
  const log: string[] = [];
  const handle = async (e: FollowEvent) => {
    if (e.kind === 'block') {
      expect(seen.has(e.block.number), `block ${e.block.number} handed out twice`).toBe(false);
      seen.set(e.block.number, e.block.hash);
      log.push(`block ${e.block.number}`);
    } else {
      for (const b of e.dropped) seen.delete(b.number);
      log.push(`rollback to ${e.to} (${e.dropped.map((b) => b.number).join(',')})`);
    }
  };
  return { seen, log, handle };
}

async function canonical(from: bigint): Promise<Map<bigint, Hex>> {
  const head = await clients.public.getBlockNumber({ cacheTime: 0 });
  const out = new Map<bigint, Hex>();
  for (let n = from; n <= head; n++) out.set(n, (await clients.public.getBlock({ blockNumber: n })).hash);
  return out;
}

describe('follower', () => {
  it('hands out each new block once, in order, from the block it starts at', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    const f = follower({ reader: chainReader(clients.public), cursor: memoryCursor(), from: start });
    const a = applier();
    await mine(3);
    await f.step(a.handle);
    await mine(2);
    await f.step(a.handle);
    expect(await f.step(a.handle)).toBe(0);
    expect(a.log).toEqual([0n, 1n, 2n, 3n, 4n].map((i) => `block ${start + i}`));
    expect(a.seen).toEqual(await canonical(start));
  });

  it('rolls back to the common ancestor on a reorg and hands out the new branch, nothing doubled', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    const f = follower({ reader: chainReader(clients.public), cursor: memoryCursor(), from: start });
    const a = applier();
    await mine(5);
    await f.step(a.handle);
    const before = await canonical(start);
    await reorg(2);
    await f.step(a.handle);
    const after = await canonical(start);
    expect(after.get(start + 4n)).not.toBe(before.get(start + 4n));
    expect(a.log.slice(5)).toEqual([
      `rollback to ${start + 2n} (${start + 3n},${start + 4n})`,
      `block ${start + 3n}`,
      `block ${start + 4n}`,
    ]);
    expect(a.seen).toEqual(after);
  });

  it('takes the head as the next block only when its parent is the block handed out last (a reorg under it is rolled back)', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    const f = follower({ reader: chainReader(clients.public), cursor: memoryCursor(), from: start });
    const a = applier();
    await mine(2);
    await f.step(a.handle);
    await mine(1);
    expect(await f.step(a.handle)).toBe(1); // one block on top: handed out as is
    // The last block handed out is replaced and one more is mined: the head is one higher, its parent is not ours.
    await reorg(1);
    await mine(1);
    await f.step(a.handle);
    expect(a.log).toEqual([
      `block ${start}`,
      `block ${start + 1n}`,
      `block ${start + 2n}`,
      `rollback to ${start + 1n} (${start + 2n})`,
      `block ${start + 2n}`,
      `block ${start + 3n}`,
    ]);
    expect(a.seen).toEqual(await canonical(start));
  });

  it('rolls back when the chain gets shorter, then follows it as it grows again', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    const f = follower({ reader: chainReader(clients.public), cursor: memoryCursor(), from: start });
    const a = applier();
    await mine(4);
    await f.step(a.handle);
    await rollback(2);
    await f.step(a.handle);
    expect(a.log.at(-1)).toBe(`rollback to ${start + 1n} (${start + 2n},${start + 3n})`);
    await mine(3);
    await f.step(a.handle);
    expect(a.seen).toEqual(await canonical(start));
  });

  it('resumes from the cursor saved in the store after a restart: nothing missed, nothing doubled', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    // The store's table, as a restarted watcher finds it (reopening a store on disk is the store tests' job).
    const openCursor = () => storedCursor(db, { name: 'watch', chainId: clients.chain.id });
    const a = applier();
    await mine(3);
    await follower({ reader: chainReader(clients.public), cursor: openCursor(), from: start }).step(a.handle);
    const cursor = openCursor();
    // While the watcher is down, two of the blocks it handled are replaced and the chain grows.
    await reorg(2);
    await mine(2);
    // A new process: the `from` it is given does not matter, the cursor does.
    await follower({ reader: chainReader(clients.public), cursor, from: 0n }).step(a.handle);
    expect(a.log.slice(3)).toEqual([
      `rollback to ${start} (${start + 1n},${start + 2n})`,
      ...[1n, 2n, 3n, 4n].map((i) => `block ${start + i}`),
    ]);
    expect(a.seen).toEqual(await canonical(start));
  });

  it('hands a block out again when the follower died after handling it but before saving the cursor', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    const cursor = memoryCursor();
    await mine(2);
    const handled: bigint[] = [];
    const dies = follower({ reader: chainReader(clients.public), cursor, from: start });
    await expect(
      dies.step(async (e) => {
        if (e.kind !== 'block') return;
        handled.push(e.block.number);
        if (e.block.number === start + 1n) throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(cursor.blocks.map((b: BlockRef) => b.number)).toEqual([start]);
    await follower({ reader: chainReader(clients.public), cursor }).step(async (e) => {
      if (e.kind === 'block') handled.push(e.block.number);
    });
    // At least once: the block in flight comes again; handlers key on its hash to act once.
    expect(handled).toEqual([start, start + 1n, start + 1n]);
  });

  it('refuses a reorg deeper than the blocks it keeps (exit 3), saving nothing wrong', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    const cursor = memoryCursor();
    const f = follower({ reader: chainReader(clients.public), cursor, from: start, keep: 2 });
    await mine(4);
    await f.step(async () => {});
    const kept = [...cursor.blocks];
    await reorg(3);
    const e = await errorOf(f.step(async () => {}));
    expect([e.code, e.exitCode]).toEqual(['watch-reorg-too-deep', 3]);
    expect(cursor.blocks).toEqual(kept);
  });
});

describe('watcher', () => {
  /** A custom rule: every even block is an alert (keyed, so a block seen twice is one alert). */
  const evenBlocks = {
    name: 'even-blocks',
    evaluate: async (block: BlockRef) =>
      block.number % 2n === 0n
        ? [
            {
              ...makeFinding('audit-unexplained-upgrade', { message: `block ${block.number} is even` }),
              key: 'even',
            },
          ]
        : [],
  };

  it('logs each alert once and emits it once, across a crash after logging and a reorg', async () => {
    const start = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
    const ledger = await openLedger(db, { origin: 'watch-test' });
    const cursor = memoryCursor();
    const emitted: WatchEvent[] = [];
    const run = (emit: (e: WatchEvent) => void) =>
      watcher({
        follower: follower({ reader: chainReader(clients.public), cursor, from: start }),
        rules: [evenBlocks],
        ledger,
        emit,
      }).step();
    await mine(6);
    // The first run dies right after logging its second alert, before emitting it.
    let alerts = 0;
    await expect(
      run((e) => {
        if (e.kind === 'alert' && ++alerts === 2) throw new Error('killed');
        emitted.push(e);
      }),
    ).rejects.toThrow('killed');
    await run((e) => emitted.push(e));
    await reorg(2);
    await run((e) => emitted.push(e));

    const range = (from: bigint, to: bigint) => {
      const out: bigint[] = [];
      for (let n = from; n <= to; n++) if (n % 2n === 0n) out.push(n);
      return out;
    };
    // Once per even block seen: three before the reorg, and the even one of the two blocks it replaced, again.
    const expected = [...range(start, start + 5n), ...range(start + 4n, start + 5n)].map(
      (n) => `block ${n} is even`,
    );
    const logged = (await ledger.entries()).map(
      (r) => JSON.parse(r.entry) as { kind: string; message: string },
    );
    expect(logged.filter((e) => e.kind === 'alert').map((e) => e.message)).toEqual(expected);
    const emittedAlerts = emitted.flatMap((e) => (e.kind === 'alert' ? [e.alert] : []));
    expect(new Set(emittedAlerts.map((a) => a.logIndex)).size).toBe(emittedAlerts.length);
    // The alert logged by the run that died is not emitted again; everything else is, once.
    expect(emittedAlerts.map((a) => a.message)).toEqual(expected.filter((_, i) => i !== 1));
    expect(emitted.filter((e) => e.kind === 'rollback')).toHaveLength(1);
  });
});
