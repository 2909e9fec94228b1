/**
 * Following the chain block by block without missing or doubling one. The follower keeps the last `keep` blocks it
 * handed out (number, hash, parent hash) in a cursor; each step it first checks that the newest of them is still
 * canonical — if not (a reorg), it walks back to the common ancestor and reports a rollback of the blocks that are
 * gone — then hands out every new block in order, each one's parent hash checked against the one before.
 *
 * The cursor is saved after each event is handled, so a watcher killed mid-block resumes at that block: delivery
 * is at least once, and handlers make it exactly once by keying what they do on the block hash.
 */
import type { Hex, PublicClient } from 'viem';
import { environmentError } from '../core/errors.js';

export interface BlockRef {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
}

export type FollowEvent =
  | { kind: 'block'; block: BlockRef }
  /** Blocks handed out earlier that are no longer canonical, oldest first; `to` is the newest block still valid. */
  | { kind: 'rollback'; to: bigint; dropped: BlockRef[] };

/** Where the follower keeps its cursor (newest block last); the store in production, memory in tests. */
export interface CursorStore {
  load(): Promise<BlockRef[]>;
  save(blocks: readonly BlockRef[]): Promise<void>;
}

/** What the follower reads from the node. */
export interface ChainReader {
  /** The newest block (one request: the usual step is "one new block on top of the last one"). */
  head(): Promise<BlockRef>;
  headNumber(): Promise<bigint>;
  /** The canonical block at `number`, or undefined past the head (a rollback can shorten the chain). */
  blockAt(number: bigint): Promise<BlockRef | undefined>;
}

export function chainReader(client: PublicClient): ChainReader {
  return {
    async head() {
      const block = await client.getBlock({ blockTag: 'latest' });
      return { number: block.number, hash: block.hash, parentHash: block.parentHash };
    },
    headNumber: () => client.getBlockNumber({ cacheTime: 0 }),
    async blockAt(number) {
      const block = await client.getBlock({ blockNumber: number }).catch((e: unknown) => {
        if (e instanceof Error && e.name === 'BlockNotFoundError') return undefined;
        throw e;
      });
      return block?.hash ? { number, hash: block.hash, parentHash: block.parentHash } : undefined;
    },
  };
}

export function memoryCursor(initial: readonly BlockRef[] = []): CursorStore & { blocks: BlockRef[] } {
  const state = { blocks: [...initial] };
  return {
    get blocks() {
      return state.blocks;
    },
    load: async () => [...state.blocks],
    save: async (blocks) => {
      state.blocks = [...blocks];
    },
  };
}

export interface FollowerOptions {
  reader: ChainReader;
  cursor: CursorStore;
  /** The first block to hand out when the cursor is empty (default: the head at the first step). */
  from?: bigint;
  /** How many blocks the cursor keeps, i.e. the deepest reorg the follower can undo (default 64). */
  keep?: number;
  /** At most this many new blocks per step, so a watcher far behind still reacts to reorgs (default 100). */
  batch?: number;
}

export interface Follower {
  /** Read the chain once and hand every event to `handle`, in order; the cursor is saved after each. */
  step(handle: (event: FollowEvent) => Promise<void>): Promise<number>;
}

export function follower(options: FollowerOptions): Follower {
  const keep = options.keep ?? 64;
  const batch = BigInt(options.batch ?? 100);
  const { reader, cursor } = options;
  /** The cursor as last saved by this follower: read from the store once, then kept in step with it. */
  let saved: readonly BlockRef[] | undefined;
  const save = async (blocks: BlockRef[]) => {
    if (blocks.length > keep) blocks.splice(0, blocks.length - keep);
    await cursor.save(blocks);
    saved = [...blocks];
  };
  return {
    async step(handle) {
      saved ??= await cursor.load();
      const kept = [...saved];
      // 0. The usual case, in one request: nothing new, or one new block on top of the last one handed out.
      const newest = kept.at(-1);
      if (newest) {
        const head = await reader.head();
        if (head.hash === newest.hash) return 0;
        if (head.number === newest.number + 1n && head.parentHash === newest.hash) {
          await handle({ kind: 'block', block: head });
          await save([...kept, head]);
          return 1;
        }
      }
      let events = 0;
      // 1. Is what we handed out still canonical? Walk back until a kept block matches the chain.
      const dropped: BlockRef[] = [];
      let resumeAt = options.from;
      for (;;) {
        const last = kept.at(-1);
        if (!last) break;
        const now = await reader.blockAt(last.number);
        if (now?.hash === last.hash) break;
        dropped.unshift(kept.pop() as BlockRef);
      }
      if (dropped.length > 0) {
        const first = dropped[0] as BlockRef;
        if (kept.length === 0 && dropped.length >= keep) {
          throw environmentError(
            'watch-reorg-too-deep',
            `the chain reorganised deeper than the ${keep} blocks the watcher keeps (block ${first.number} ${first.hash} is gone)`,
            'raise watch.reorgDepth, or check that --rpc still points at the same chain',
          );
        }
        resumeAt = first.number;
        await handle({ kind: 'rollback', to: first.number - 1n, dropped });
        await save(kept);
        events++;
      }
      // 2. The new blocks, each one's parent checked against the one before.
      const head = await reader.headNumber();
      const start = kept.length > 0 ? (kept.at(-1) as BlockRef).number + 1n : (resumeAt ?? head);
      for (let n = start; n <= head && n < start + batch; n++) {
        const block = await reader.blockAt(n);
        if (!block) break; // the chain shortened under us: the next step sees it
        const previous = kept.at(-1);
        if (previous && block.parentHash !== previous.hash) break; // a reorg under us: the next step rolls back
        await handle({ kind: 'block', block });
        kept.push(block);
        await save(kept);
        events++;
      }
      return events;
    },
  };
}
