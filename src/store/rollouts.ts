/**
 * Rollouts as the store keeps them: one patch proposed on many chains (docs/rollout.md). The per-chain patches are
 * ordinary patches (each its digest, record, evidence and state); a rollout row names them, and where the last run
 * stopped (`halted`), until a run gets past it.
 */
import type { Hex } from 'viem';
import type { Db } from './db.js';

export interface RolloutTarget {
  chain: string;
  chainId: number;
  digest: Hex;
}

export interface RolloutHalt {
  chain: string;
  step: string;
  code: string;
  message: string;
  at: string;
}

export interface StoredRollout {
  id: Hex;
  name: string;
  lane: 'standard' | 'emergency';
  targets: RolloutTarget[];
  halted?: RolloutHalt;
  createdAt: string;
}

type Row = {
  id: Hex;
  name: string;
  lane: StoredRollout['lane'];
  targets: unknown;
  halted: unknown;
  created_at: Date | string;
};

const parsed = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

function rolloutOf(r: Row): StoredRollout {
  const halted = parsed(r.halted) as RolloutHalt | null;
  return {
    id: r.id,
    name: r.name,
    lane: r.lane,
    targets: parsed(r.targets) as RolloutTarget[],
    ...(halted ? { halted } : {}),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** Records a rollout (idempotent: the same id again changes nothing). */
export async function saveRollout(
  db: Pick<Db, 'query'>,
  r: Omit<StoredRollout, 'createdAt' | 'halted'>,
): Promise<void> {
  await db.query(
    'insert into rollouts (id, name, lane, targets) values ($1, $2, $3, $4) on conflict (id) do nothing',
    [r.id, r.name, r.lane, JSON.stringify(r.targets)],
  );
}

export async function rolloutById(db: Pick<Db, 'query'>, id: Hex): Promise<StoredRollout | undefined> {
  const [row] = await db.query<Row>('select * from rollouts where id = $1', [id.toLowerCase()]);
  return row ? rolloutOf(row) : undefined;
}

export async function allRollouts(db: Pick<Db, 'query'>): Promise<StoredRollout[]> {
  return (await db.query<Row>('select * from rollouts order by created_at, id')).map(rolloutOf);
}

/** Where a run stopped (or `undefined`: a run got past it). */
export async function haltRollout(
  db: Pick<Db, 'query'>,
  id: Hex,
  halted: RolloutHalt | undefined,
): Promise<void> {
  await db.query('update rollouts set halted = $2 where id = $1', [
    id.toLowerCase(),
    halted ? JSON.stringify(halted) : null,
  ]);
}
