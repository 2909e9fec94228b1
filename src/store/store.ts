/**
 * Persistent patch state: patch records (by digest) with their plan and evidence reports, approvals, Safe
 * signatures, transactions in flight, and every state transition. Transitions are compare-and-set
 * (`update … where state = from`), so a re-run after a crash cannot apply one twice, and each change lands in
 * one transaction with its transition row. Reading a patch recomputes its digest from the stored parts and
 * every evidence hash from the stored report: anything edited in the store is refused, not trusted.
 */
import type { Address, Hex } from 'viem';
import { evidenceDigest } from '../core/digest.js';
import { environmentError, inputError } from '../core/errors.js';
import { failpoint } from '../core/failpoint.js';
import {
  canTransition,
  INITIAL_PATCH_STATE,
  nextStates,
  type PATCH_TRANSITIONS,
  type PatchState,
} from '../core/patch-states.js';
import type { Approval } from '../govern/approval.js';
import { type Lane, type PatchRecord, patchDigest } from '../govern/digest.js';
import type { PatchPlan } from '../govern/plan.js';
import type { Db } from './db.js';
import { SCHEMA_LOCK, schemaStatements } from './schema.js';

export type { PatchState } from '../core/patch-states.js';

/** The move the threshold-reaching approval makes, checked against PATCH_TRANSITIONS at compile time. */
const ON_THRESHOLD: {
  from: typeof INITIAL_PATCH_STATE;
  to: (typeof PATCH_TRANSITIONS)[typeof INITIAL_PATCH_STATE][number];
} = {
  from: INITIAL_PATCH_STATE,
  to: 'approved',
};

export interface StoredPatch {
  digest: Hex;
  record: PatchRecord;
  state: PatchState;
  plan?: PatchPlan;
  /** Proposed under embargo: the public log holds only this commitment until `revealedAt` (docs/embargo.md). */
  embargo?: { commitment: Hex; revealedAt?: string };
}

/** An embargoed patch's bundle as the store keeps it: the canonical text whose keccak256 is the commitment. */
export interface StoredEmbargo {
  commitment: Hex;
  bundle: string;
  revealedAt?: string;
}

export type SafePurpose = 'schedule' | 'execute' | 'cancel';

export interface StoredSafeSignature {
  purpose: SafePurpose;
  safeNonce: bigint;
  owner: Address;
  safeTxHash: Hex;
  signature: Hex;
}

export type StoredApproval = Approval & { signer: Address; createdAt: string };

export interface Transition {
  from: PatchState | null;
  to: PatchState;
  txHash: Hex | null;
  /** When the store recorded it (ISO 8601 UTC). */
  at: string;
}

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

interface PatchRow {
  digest: string;
  chain_id: string | number;
  proxy: string;
  target: string;
  implementation: string;
  codehash: string;
  calldata: string;
  lane: string;
  evidence: Record<string, Hex> | string;
  state: PatchState;
  plan: PatchPlan | string | null;
  embargo_commitment?: string | null;
  embargo_revealed_at?: unknown;
}

/** A patch row with its embargo (when it has one). */
const PATCH_SELECT = `select p.*, e.commitment as embargo_commitment, e.revealed_at as embargo_revealed_at
  from patches p left join embargoes e on e.digest = p.digest`;

export interface Store {
  db: Db;
  /**
   * Record a patch with its plan and evidence reports (idempotent: the same record again is a no-op). With
   * `embargo`, the patch and its embargo land in one transaction: no moment exists where the log could see it
   * as a public proposal. A patch already recorded without an embargo cannot be embargoed afterwards.
   */
  propose(
    record: PatchRecord,
    plan?: PatchPlan,
    reports?: Record<string, unknown>,
    embargo?: { commitment: Hex; bundle: string },
  ): Promise<StoredPatch>;
  /** An embargoed patch's commitment and bundle; undefined for a patch proposed in the open. */
  embargo(digest: Hex): Promise<StoredEmbargo | undefined>;
  /** Marks an embargoed patch revealed (once; a second call keeps the first time). */
  markRevealed(digest: Hex): Promise<StoredEmbargo>;
  get(digest: Hex): Promise<StoredPatch | undefined>;
  /** Every patch, newest first (each checked like `get`). */
  list(): Promise<StoredPatch[]>;
  /** The evidence reports, each checked against the hash the digest covers. */
  evidence(digest: Hex): Promise<Record<string, unknown>>;
  /** Keep a verified approval (idempotent per signer). */
  addApproval(digest: Hex, signer: Address, approval: Approval): Promise<void>;
  approvals(digest: Hex): Promise<StoredApproval[]>;
  /** Keep an owner's signature of a SafeTx (idempotent per purpose, Safe nonce and owner). */
  addSafeSignature(digest: Hex, s: StoredSafeSignature): Promise<void>;
  /**
   * One approver's sign-off in one transaction: their approval (unless already recorded), their Safe
   * signatures, and `proposed → approved` when it reaches the threshold. A crash leaves all or none of it.
   */
  recordApproval<T extends { met: boolean } = { met: boolean }>(
    digest: Hex,
    entry: {
      signer: Address;
      approval?: Approval;
      safeSignatures: readonly StoredSafeSignature[];
      /** Whether this sign-off reaches the threshold, as the caller counted before the transaction. */
      reachesThreshold?: boolean;
      /**
       * Counts again, inside the transaction, on the approvals as committed, with the patch row locked: two
       * approvers committing at once (PostgreSQL) take turns, and the second sees the first's approval.
       */
      tally?: (committed: StoredApproval[]) => Promise<T>;
    },
  ): Promise<{ state: PatchState; tally?: T }>;
  safeSignatures(digest: Hex, purpose?: SafePurpose): Promise<StoredSafeSignature[]>;
  /** A signed transaction about to be broadcast: written before it is sent, so a crash cannot lose it. */
  addPendingTx(digest: Hex, step: string, txHash: Hex, raw: Hex): Promise<void>;
  pendingTxs(digest: Hex, step: string): Promise<Array<{ txHash: Hex; raw: Hex }>>;
  /** Compare-and-set: moves `from` → `to` or reports the state it found; never applies twice. */
  transition(
    digest: Hex,
    from: PatchState,
    to: PatchState,
    txHash?: Hex,
  ): Promise<{ applied: boolean; state: PatchState }>;
  history(digest: Hex): Promise<Transition[]>;
  close(): Promise<void>;
}

const parsed = <T>(v: T | string | null): T | undefined =>
  v === null ? undefined : typeof v === 'string' ? (JSON.parse(v) as T) : v;

function toRecord(row: PatchRow): PatchRecord {
  return {
    chainId: Number(row.chain_id),
    proxy: row.proxy as Address,
    target: row.target as Address,
    implementation: row.implementation as Address,
    codehash: row.codehash as Hex,
    calldata: row.calldata as Hex,
    lane: row.lane as Lane,
    evidence: parsed(row.evidence) ?? {},
  };
}

function checked(row: PatchRow): StoredPatch {
  const record = toRecord(row);
  const recomputed = patchDigest(record);
  if (recomputed !== row.digest) {
    throw inputError(
      'store-digest-mismatch',
      `patch ${row.digest} in the store no longer matches its digest (recomputed ${recomputed}): its record or evidence was edited`,
      'do not trust this store: re-propose the patch and collect approvals again',
    );
  }
  const plan = parsed(row.plan);
  const embargo = row.embargo_commitment
    ? {
        commitment: row.embargo_commitment as Hex,
        ...(row.embargo_revealed_at ? { revealedAt: iso(row.embargo_revealed_at) } : {}),
      }
    : undefined;
  return {
    digest: row.digest as Hex,
    record,
    state: row.state,
    ...(plan ? { plan } : {}),
    ...(embargo ? { embargo } : {}),
  };
}

async function readApprovals(q: Pick<Db, 'query'>, patch: StoredPatch): Promise<StoredApproval[]> {
  const rows = await q.query<{
    signer: string;
    nonce: string;
    expiry: string;
    signature: string;
    created_at: unknown;
  }>(
    'select signer, nonce::text, expiry::text, signature, created_at from approvals where digest = $1 order by created_at, signer',
    [patch.digest],
  );
  return rows.map((r) => ({
    digest: patch.digest,
    chainId: patch.record.chainId,
    proxy: patch.record.proxy,
    nonce: BigInt(r.nonce),
    expiry: BigInt(r.expiry),
    signature: r.signature as Hex,
    signer: r.signer as Address,
    createdAt: iso(r.created_at),
  }));
}

/**
 * The patch store on an open database (PGlite or PostgreSQL), its schema created or checked.
 *
 * @example
 * ```ts
 * const store = await openStore(await openDb({ databaseUrl: 'postgres://127.0.0.1/patchgate', stateDir: '.', create: true }));
 * ```
 */
export async function openStore(db: Db): Promise<Store> {
  try {
    await db.transaction(async (tx) => {
      if (db.kind === 'postgres') await tx.query(SCHEMA_LOCK);
      for (const statement of schemaStatements()) await tx.query(statement);
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
    const [row] = await db.query<PatchRow>(`${PATCH_SELECT} where p.digest = $1`, [digest.toLowerCase()]);
    return row ? checked(row) : undefined;
  };
  const mustGet = async (digest: Hex): Promise<StoredPatch> => {
    const patch = await get(digest);
    if (!patch) throw inputError('unknown-patch', `no patch ${digest} in the store`, 'propose it first');
    return patch;
  };
  return {
    db,
    async propose(record, plan, reports = {}, embargo) {
      const digest = patchDigest(record);
      const existing = embargo ? await get(digest) : undefined;
      if (existing && !existing.embargo) {
        throw inputError(
          'embargo-too-late',
          `patch ${digest} is already in the store as a public proposal: it cannot be embargoed now`,
          'its details may already be in the log; propose it again with --again --embargo for a new digest',
        );
      }
      for (const [stage, body] of Object.entries(reports)) {
        if (evidenceDigest(body) !== record.evidence[stage]) {
          throw inputError(
            'evidence-mismatch',
            `the ${stage} report does not hash to the evidence hash of the patch`,
            'propose from the reports the digest was computed over',
          );
        }
      }
      await db.transaction(async (tx) => {
        const inserted = await tx.query(
          `insert into patches (digest, chain_id, proxy, target, implementation, codehash, calldata, lane, evidence, state, plan)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10) on conflict (digest) do nothing returning digest`,
          [
            digest,
            record.chainId,
            record.proxy,
            record.target,
            record.implementation,
            record.codehash,
            record.calldata,
            record.lane,
            JSON.stringify(record.evidence),
            plan ? JSON.stringify(plan) : null,
            INITIAL_PATCH_STATE,
          ],
        );
        if (inserted.length === 0) return;
        if (embargo) {
          await tx.query('insert into embargoes (digest, commitment, bundle) values ($1, $2, $3)', [
            digest,
            embargo.commitment.toLowerCase(),
            embargo.bundle,
          ]);
        }
        for (const [stage, body] of Object.entries(reports)) {
          await tx.query('insert into evidence (digest, stage, hash, body) values ($1, $2, $3, $4)', [
            digest,
            stage,
            record.evidence[stage],
            JSON.stringify(body),
          ]);
        }
        await tx.query('insert into transitions (digest, from_state, to_state) values ($1, null, $2)', [
          digest,
          INITIAL_PATCH_STATE,
        ]);
      });
      return mustGet(digest);
    },
    get,
    async list() {
      const rows = await db.query<PatchRow>(`${PATCH_SELECT} order by p.created_at desc, p.digest`);
      return rows.map(checked);
    },
    async embargo(digest) {
      const [row] = await db.query<{ commitment: string; bundle: string; revealed_at: unknown }>(
        'select commitment, bundle, revealed_at from embargoes where digest = $1',
        [digest.toLowerCase()],
      );
      if (!row) return undefined;
      return {
        commitment: row.commitment as Hex,
        bundle: row.bundle,
        ...(row.revealed_at ? { revealedAt: iso(row.revealed_at) } : {}),
      };
    },
    async markRevealed(digest) {
      await db.query('update embargoes set revealed_at = now() where digest = $1 and revealed_at is null', [
        digest.toLowerCase(),
      ]);
      const [row] = await db.query<{ commitment: string; bundle: string; revealed_at: unknown }>(
        'select commitment, bundle, revealed_at from embargoes where digest = $1',
        [digest.toLowerCase()],
      );
      if (!row)
        throw inputError(
          'not-embargoed',
          `patch ${digest} was not proposed under embargo`,
          'nothing to reveal: its log entries are public already',
        );
      return { commitment: row.commitment as Hex, bundle: row.bundle, revealedAt: iso(row.revealed_at) };
    },
    async evidence(digest) {
      const patch = await mustGet(digest);
      const rows = await db.query<{ stage: string; body: string }>(
        'select stage, body from evidence where digest = $1 order by stage',
        [patch.digest],
      );
      const out: Record<string, unknown> = {};
      for (const row of rows) {
        const body: unknown = JSON.parse(row.body);
        if (evidenceDigest(body) !== patch.record.evidence[row.stage]) {
          throw inputError(
            'store-evidence-mismatch',
            `the ${row.stage} report of patch ${digest} was edited in the store (it no longer hashes to ${patch.record.evidence[row.stage]})`,
            'do not trust this store: re-run the stage and re-propose the patch',
          );
        }
        out[row.stage] = body;
      }
      return out;
    },
    async addApproval(digest, signer, a) {
      await db.query(
        `insert into approvals (digest, signer, nonce, expiry, signature) values ($1, $2, $3, $4, $5)
         on conflict (digest, signer) do nothing`,
        [digest, signer, a.nonce.toString(), a.expiry.toString(), a.signature],
      );
    },
    async approvals(digest) {
      const patch = await get(digest);
      return patch ? readApprovals(db, patch) : [];
    },
    async addSafeSignature(digest, s) {
      await db.query(
        `insert into safe_signatures (digest, purpose, safe_nonce, owner, safe_tx_hash, signature)
         values ($1, $2, $3, $4, $5, $6) on conflict (digest, purpose, safe_nonce, owner) do nothing`,
        [digest, s.purpose, s.safeNonce.toString(), s.owner, s.safeTxHash, s.signature],
      );
    },
    async recordApproval(digest, entry) {
      const recorded = await db.transaction(async (tx) => {
        // The patch row, locked until commit: concurrent sign-offs of one patch take turns from here.
        const [locked] = await tx.query<PatchRow>('select * from patches where digest = $1 for update', [
          digest,
        ]);
        if (!locked) throw inputError('unknown-patch', `no patch ${digest} in the store`, 'propose it first');
        if (entry.approval) {
          const a = entry.approval;
          await tx.query(
            `insert into approvals (digest, signer, nonce, expiry, signature) values ($1, $2, $3, $4, $5)
             on conflict (digest, signer) do nothing`,
            [digest, entry.signer, a.nonce.toString(), a.expiry.toString(), a.signature],
          );
        }
        for (const s of entry.safeSignatures) {
          await tx.query(
            `insert into safe_signatures (digest, purpose, safe_nonce, owner, safe_tx_hash, signature)
             values ($1, $2, $3, $4, $5, $6) on conflict (digest, purpose, safe_nonce, owner) do nothing`,
            [digest, s.purpose, s.safeNonce.toString(), s.owner, s.safeTxHash, s.signature],
          );
        }
        const tally = entry.tally ? await entry.tally(await readApprovals(tx, checked(locked))) : undefined;
        if (tally?.met ?? entry.reachesThreshold) {
          const { from, to } = ON_THRESHOLD;
          const moved = await tx.query(
            'update patches set state = $3, updated_at = now() where digest = $1 and state = $2 returning digest',
            [digest, from, to],
          );
          if (moved.length > 0) {
            await tx.query('insert into transitions (digest, from_state, to_state) values ($1, $2, $3)', [
              digest,
              from,
              to,
            ]);
          }
        }
        const [row] = await tx.query<{ state: PatchState }>('select state from patches where digest = $1', [
          digest,
        ]);
        return { state: row?.state ?? ON_THRESHOLD.from, ...(tally ? { tally } : {}) };
      });
      // Committed: a crash from here on must not lose it (the durability test kills the process right here).
      failpoint('store:after-approval');
      return recorded;
    },
    async safeSignatures(digest, purpose) {
      const rows = await db.query<{
        purpose: SafePurpose;
        safe_nonce: string;
        owner: string;
        safe_tx_hash: string;
        signature: string;
      }>(
        `select purpose, safe_nonce::text, owner, safe_tx_hash, signature from safe_signatures
         where digest = $1 and ($2::text is null or purpose = $2) order by purpose, safe_nonce, owner`,
        [digest, purpose ?? null],
      );
      return rows.map((r) => ({
        purpose: r.purpose,
        safeNonce: BigInt(r.safe_nonce),
        owner: r.owner as Address,
        safeTxHash: r.safe_tx_hash as Hex,
        signature: r.signature as Hex,
      }));
    },
    async addPendingTx(digest, step, txHash, raw) {
      await db.query(
        `insert into pending_txs (digest, step, tx_hash, raw) values ($1, $2, $3, $4)
         on conflict (digest, step, tx_hash) do nothing`,
        [digest, step, txHash, raw],
      );
    },
    async pendingTxs(digest, step) {
      const rows = await db.query<{ tx_hash: string; raw: string }>(
        'select tx_hash, raw from pending_txs where digest = $1 and step = $2 order by created_at',
        [digest, step],
      );
      return rows.map((r) => ({ txHash: r.tx_hash as Hex, raw: r.raw as Hex }));
    },
    async transition(digest, from, to, txHash) {
      if (!canTransition(from, to)) {
        throw inputError(
          'bad-transition',
          `a patch cannot go from ${from} to ${to}`,
          `from ${from}: ${nextStates(from).join(', ') || 'nothing (final)'}`,
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
        at: unknown;
      }>('select from_state, to_state, tx_hash, at from transitions where digest = $1 order by id', [digest]);
      return rows.map((r) => ({
        from: r.from_state,
        to: r.to_state,
        txHash: r.tx_hash as Hex | null,
        at: iso(r.at),
      }));
    },
    close: () => db.close(),
  };
}
