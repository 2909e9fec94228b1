/**
 * Persistent patch state: patch records (by digest), approvals, and every state transition. Transitions are
 * compare-and-set (`update … where state = from`), so a re-run after a crash cannot apply one twice, and each
 * change lands in one transaction with its transition row. Reading a patch recomputes its digest from the
 * stored parts: evidence edited in the store after approval is refused, not trusted.
 */
import type { Address, Hex } from 'viem';
import { environmentError, inputError } from '../errors.js';
import type { Approval } from '../govern/approval.js';
import { type Lane, type PatchRecord, patchDigest } from '../govern/digest.js';
import type { Db } from './db.js';

export type PatchState =
  | 'proposed'
  | 'approved'
  | 'queued'
  | 'executed'
  | 'verified'
  | 'cancelled'
  | 'expired';

export const TRANSITIONS: Record<PatchState, readonly PatchState[]> = {
  proposed: ['approved', 'cancelled', 'expired'],
  approved: ['queued', 'cancelled', 'expired'],
  queued: ['executed', 'cancelled'],
  executed: ['verified'],
  verified: [],
  cancelled: [],
  expired: [],
};

const SCHEMA = `
create table if not exists patches (
  digest text primary key,
  chain_id bigint not null,
  proxy text not null,
  implementation text not null,
  codehash text not null,
  calldata text not null,
  lane text not null check (lane in ('standard', 'emergency')),
  evidence jsonb not null,
  state text not null check (state in ('proposed','approved','queued','executed','verified','cancelled','expired')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create table if not exists approvals (
  digest text not null references patches(digest),
  signer text not null,
  nonce numeric not null,
  expiry numeric not null,
  signature text not null,
  created_at timestamptz not null default now(),
  primary key (digest, signer)
);
create table if not exists transitions (
  id bigserial primary key,
  digest text not null references patches(digest),
  from_state text,
  to_state text not null,
  tx_hash text,
  at timestamptz not null default now()
);
`;

export interface StoredPatch {
  digest: Hex;
  record: PatchRecord;
  state: PatchState;
}

interface PatchRow {
  digest: string;
  chain_id: string | number;
  proxy: string;
  implementation: string;
  codehash: string;
  calldata: string;
  lane: string;
  evidence: Record<string, Hex> | string;
  state: PatchState;
}

export interface Store {
  db: Db;
  /** Record a patch (idempotent: the same record again is a no-op). */
  propose(record: PatchRecord): Promise<StoredPatch>;
  get(digest: Hex): Promise<StoredPatch | undefined>;
  /** Keep a verified approval (idempotent per signer). */
  addApproval(digest: Hex, signer: Address, approval: Approval): Promise<void>;
  approvals(digest: Hex): Promise<Array<Approval & { signer: Address }>>;
  /** Compare-and-set: moves `from` → `to` or reports the state it found; never applies twice. */
  transition(
    digest: Hex,
    from: PatchState,
    to: PatchState,
    txHash?: Hex,
  ): Promise<{ applied: boolean; state: PatchState }>;
  history(digest: Hex): Promise<Array<{ from: PatchState | null; to: PatchState; txHash: Hex | null }>>;
  close(): Promise<void>;
}

function toRecord(row: PatchRow): PatchRecord {
  return {
    chainId: Number(row.chain_id),
    proxy: row.proxy as Address,
    implementation: row.implementation as Address,
    codehash: row.codehash as Hex,
    calldata: row.calldata as Hex,
    lane: row.lane as Lane,
    evidence: typeof row.evidence === 'string' ? JSON.parse(row.evidence) : row.evidence,
  };
}

export async function openStore(db: Db): Promise<Store> {
  try {
    await db.transaction(async (tx) => {
      for (const statement of SCHEMA.split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await tx.query(statement);
    });
  } catch (e) {
    throw environmentError(
      'store-schema',
      `cannot create the store schema: ${(e as Error).message}`,
      undefined,
      e,
    );
  }
  const get = async (digest: Hex): Promise<StoredPatch | undefined> => {
    const [row] = await db.query<PatchRow>('select * from patches where digest = $1', [digest]);
    if (!row) return undefined;
    const record = toRecord(row);
    const recomputed = patchDigest(record);
    if (recomputed !== row.digest) {
      throw inputError(
        'store-digest-mismatch',
        `patch ${row.digest} in the store no longer matches its digest (recomputed ${recomputed}): its record or evidence was edited`,
        'do not trust this store: re-propose the patch and collect approvals again',
      );
    }
    return { digest: row.digest as Hex, record, state: row.state };
  };
  return {
    db,
    async propose(record) {
      const digest = patchDigest(record);
      await db.transaction(async (tx) => {
        const inserted = await tx.query(
          `insert into patches (digest, chain_id, proxy, implementation, codehash, calldata, lane, evidence, state)
           values ($1, $2, $3, $4, $5, $6, $7, $8, 'proposed') on conflict (digest) do nothing returning digest`,
          [
            digest,
            record.chainId,
            record.proxy,
            record.implementation,
            record.codehash,
            record.calldata,
            record.lane,
            JSON.stringify(record.evidence),
          ],
        );
        if (inserted.length > 0) {
          await tx.query('insert into transitions (digest, from_state, to_state) values ($1, null, $2)', [
            digest,
            'proposed',
          ]);
        }
      });
      return (await get(digest)) as StoredPatch;
    },
    get,
    async addApproval(digest, signer, a) {
      await db.query(
        `insert into approvals (digest, signer, nonce, expiry, signature) values ($1, $2, $3, $4, $5)
         on conflict (digest, signer) do nothing`,
        [digest, signer, a.nonce.toString(), a.expiry.toString(), a.signature],
      );
    },
    async approvals(digest) {
      const patch = await get(digest);
      if (!patch) return [];
      const rows = await db.query<{ signer: string; nonce: string; expiry: string; signature: string }>(
        'select signer, nonce::text, expiry::text, signature from approvals where digest = $1 order by created_at, signer',
        [digest],
      );
      return rows.map((r) => ({
        digest,
        chainId: patch.record.chainId,
        proxy: patch.record.proxy,
        nonce: BigInt(r.nonce),
        expiry: BigInt(r.expiry),
        signature: r.signature as Hex,
        signer: r.signer as Address,
      }));
    },
    async transition(digest, from, to, txHash) {
      if (!TRANSITIONS[from].includes(to)) {
        throw inputError(
          'bad-transition',
          `a patch cannot go from ${from} to ${to}`,
          `from ${from}: ${TRANSITIONS[from].join(', ') || 'nothing (final)'}`,
        );
      }
      return db.transaction(async (tx) => {
        const moved = await tx.query(
          `update patches set state = $3, updated_at = now() where digest = $1 and state = $2 returning digest`,
          [digest, from, to],
        );
        if (moved.length === 0) {
          const [row] = await tx.query<{ state: PatchState }>('select state from patches where digest = $1', [
            digest,
          ]);
          if (!row) throw inputError('unknown-patch', `no patch ${digest} in the store`, 'propose it first');
          return { applied: false, state: row.state };
        }
        await tx.query(
          'insert into transitions (digest, from_state, to_state, tx_hash) values ($1, $2, $3, $4)',
          [digest, from, to, txHash ?? null],
        );
        return { applied: true, state: to };
      });
    },
    async history(digest) {
      const rows = await db.query<{
        from_state: PatchState | null;
        to_state: PatchState;
        tx_hash: string | null;
      }>('select from_state, to_state, tx_hash from transitions where digest = $1 order by id', [digest]);
      return rows.map((r) => ({ from: r.from_state, to: r.to_state, txHash: r.tx_hash as Hex | null }));
    },
    close: () => db.close(),
  };
}
