/**
 * The watcher's cursor in the store: the last blocks it handed out (number, hash, parent hash), per watcher name
 * and chain, saved in one statement after each block so that a restarted watcher resumes exactly there. On the
 * embedded store every commit reaches the disk before it returns (durable.ts).
 */
import type { Hex } from 'viem';
import type { Db } from './db.js';

export interface CursorBlock {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
}

export interface StoredCursor {
  load(): Promise<CursorBlock[]>;
  save(blocks: readonly CursorBlock[]): Promise<void>;
}

interface Row {
  blocks: { number: string; hash: Hex; parentHash: Hex }[];
}

export function storedCursor(db: Pick<Db, 'query'>, key: { name: string; chainId: number }): StoredCursor {
  return {
    async load() {
      const rows = await db.query<Row>('select blocks from watch_cursors where name = $1 and chain_id = $2', [
        key.name,
        key.chainId,
      ]);
      return (rows[0]?.blocks ?? []).map((b) => ({
        number: BigInt(b.number),
        hash: b.hash,
        parentHash: b.parentHash,
      }));
    },
    async save(blocks) {
      const json = JSON.stringify(
        blocks.map((b) => ({ number: b.number.toString(), hash: b.hash, parentHash: b.parentHash })),
      );
      await db.query(
        `insert into watch_cursors (name, chain_id, blocks) values ($1, $2, $3::jsonb)
         on conflict (name, chain_id) do update set blocks = excluded.blocks, updated_at = now()`,
        [key.name, key.chainId, json],
      );
    },
  };
}
