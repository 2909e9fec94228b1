/**
 * The watcher's pause transactions in the store: one row per guardian nonce, written (with the signed raw
 * transaction) before the transaction is broadcast. A restarted watcher finds a pause it sent and did not see
 * mined, re-broadcasts or replaces it under the same nonce — so at most one pause per nonce can ever be mined —
 * and never signs a second one for a contract that has one in flight.
 */
import { type Address, getAddress, type Hex } from 'viem';
import type { Db } from './db.js';

/** `superseded`: the guardian's nonce was used by another transaction (a pause sent by hand, another store). */
export type PauseState = 'sent' | 'mined' | 'reverted' | 'superseded';

export interface StoredPause {
  chainId: number;
  target: Address;
  guardian: Address;
  nonce: number;
  /** What the pause answers (the alert's log source). */
  trigger: string;
  /** Signed transactions under this nonce, oldest first (each replacement pays more). */
  rawTxs: { hash: Hex; raw: Hex; maxFeePerGas: string; maxPriorityFeePerGas: string; sentAt: string }[];
  state: PauseState;
  /** The one that was mined. */
  txHash?: Hex;
}

interface Row {
  chain_id: string | number;
  target: Address;
  guardian: Address;
  nonce: string | number;
  trigger: string;
  raw_txs: StoredPause['rawTxs'];
  state: PauseState;
  tx_hash: Hex | null;
}

const fromRow = (r: Row): StoredPause => ({
  chainId: Number(r.chain_id),
  target: getAddress(r.target),
  guardian: getAddress(r.guardian),
  nonce: Number(r.nonce),
  trigger: r.trigger,
  rawTxs: r.raw_txs,
  state: r.state,
  ...(r.tx_hash ? { txHash: r.tx_hash } : {}),
});

export interface PauseStore {
  /** Pauses not yet seen mined, oldest nonce first. */
  inFlight(chainId: number, guardian: Address): Promise<StoredPause[]>;
  /** The highest nonce this guardian has used here, if any. */
  lastNonce(chainId: number, guardian: Address): Promise<number | undefined>;
  /** Record a signed pause before it is broadcast (a new nonce) or a replacement of one (same nonce). */
  record(pause: StoredPause): Promise<void>;
  /** Record a new pause under a nonce not used here yet; false (nothing written) when a row already holds it. */
  recordNew(pause: StoredPause): Promise<boolean>;
  settle(
    chainId: number,
    guardian: Address,
    nonce: number,
    state: 'mined' | 'reverted' | 'superseded',
    txHash?: Hex,
  ): Promise<void>;
  /** The last `limit` settled pauses, newest first: what a reorg may have undone. */
  settled(chainId: number, guardian: Address, limit: number): Promise<StoredPause[]>;
  /** A settled pause whose block a reorg dropped: in flight again (its signed transactions re-broadcast). */
  reopen(chainId: number, guardian: Address, nonce: number): Promise<void>;
}

/** The insert's values, in the order of its columns. */
const columns = (p: StoredPause) => [
  p.chainId,
  p.target.toLowerCase(),
  p.guardian.toLowerCase(),
  p.nonce,
  p.trigger,
  JSON.stringify(p.rawTxs),
];

export function pauseStore(db: Pick<Db, 'query'>): PauseStore {
  return {
    async inFlight(chainId, guardian) {
      const rows = await db.query<Row>(
        `select * from watch_pauses where chain_id = $1 and guardian = $2 and state = 'sent' order by nonce`,
        [chainId, guardian.toLowerCase()],
      );
      return rows.map(fromRow);
    },
    async lastNonce(chainId, guardian) {
      const rows = await db.query<{ n: string | number | null }>(
        'select max(nonce) as n from watch_pauses where chain_id = $1 and guardian = $2',
        [chainId, guardian.toLowerCase()],
      );
      const n = rows[0]?.n;
      return n === null || n === undefined ? undefined : Number(n);
    },
    async record(p) {
      await db.query(
        `insert into watch_pauses (chain_id, target, guardian, nonce, trigger, raw_txs, state)
         values ($1, $2, $3, $4, $5, $6::jsonb, 'sent')
         on conflict (chain_id, guardian, nonce) do update set raw_txs = excluded.raw_txs, updated_at = now()`,
        columns(p),
      );
    },
    async recordNew(p) {
      const rows = await db.query(
        `insert into watch_pauses (chain_id, target, guardian, nonce, trigger, raw_txs, state)
         values ($1, $2, $3, $4, $5, $6::jsonb, 'sent')
         on conflict (chain_id, guardian, nonce) do nothing
         returning nonce`,
        columns(p),
      );
      return rows.length > 0;
    },
    async settled(chainId, guardian, limit) {
      const rows = await db.query<Row>(
        `select * from watch_pauses where chain_id = $1 and guardian = $2 and state <> 'sent'
         order by nonce desc limit $3`,
        [chainId, guardian.toLowerCase(), limit],
      );
      return rows.map(fromRow);
    },
    async reopen(chainId, guardian, nonce) {
      await db.query(
        `update watch_pauses set state = 'sent', tx_hash = null, updated_at = now()
         where chain_id = $1 and guardian = $2 and nonce = $3`,
        [chainId, guardian.toLowerCase(), nonce],
      );
    },
    async settle(chainId, guardian, nonce, state, txHash) {
      await db.query(
        `update watch_pauses set state = $4, tx_hash = $5, updated_at = now()
         where chain_id = $1 and guardian = $2 and nonce = $3`,
        [chainId, guardian.toLowerCase(), nonce, state, txHash ?? null],
      );
    },
  };
}
