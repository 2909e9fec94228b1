/**
 * Reading the reports a patch was proposed with (`GET /api/patches/{digest}` → `evidence`): each field is read
 * only when it has the shape the page knows, so a report of another version shows what it can and nothing wrong.
 */
import type { Hex, LogRecord, PatchDetail, Report } from './api';

const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export interface LayoutChange {
  slot: string;
  offset?: number;
  change: string;
  reference?: { label: string; type: string; contract?: string };
  candidate?: { label: string; type: string; contract?: string };
}
export const storageLayout = (check?: Report) => arr<LayoutChange>(check?.storageLayout);

export interface Proof {
  target: string;
  contract: string;
  status: string;
  counterexample?: string;
}
export const proofs = (check?: Report) => arr<Proof>(check?.proofs);

export interface GovernancePath {
  ok?: boolean;
  impersonated?: boolean;
  operationId?: string;
  steps: { name: string; txHash?: string; seconds?: string }[];
}
export function governancePath(sim?: Report): GovernancePath | undefined {
  const g = obj(sim?.governancePath);
  return g ? { ...(g as Omit<GovernancePath, 'steps'>), steps: arr(g.steps) } : undefined;
}

export interface Poc {
  name: string;
  before: string;
  after: string;
  profitBefore?: string;
  profitAfter?: string;
  reasonAfter?: string;
}
export const pocs = (sim?: Report) => arr<Poc>(sim?.poc);

export interface Invariant {
  name: string;
  statement?: string;
  before: string;
  after: string;
  actualBefore?: string;
  actualAfter?: string;
}
export const invariants = (sim?: Report) => arr<Invariant>(sim?.invariants);

export interface SlotChange {
  slot: string;
  before: string;
  after: string;
  variable?: string;
  expected?: boolean;
}
export const storageDiff = (sim?: Report) => arr<SlotChange>(sim?.storageDiff);

export function replay(sim?: Report): { transactions: number; differences: unknown[] } | undefined {
  const r = obj(sim?.replay);
  return r ? { transactions: Number(r.transactions ?? 0), differences: arr(r.differences) } : undefined;
}

export interface Gas {
  label: string;
  before: string;
  after: string;
  delta: string;
}
export const gas = (sim?: Report) => arr<Gas>(sim?.gas);

/**
 * The Safe behind the upgrade path as the simulate report describes it ("… ← Safe 0x… (2 of 3: 0x…, 0x…, 0x…)"):
 * its threshold and owners — the default approvers. The API states no approver set of its own yet.
 */
export function safeOf(sim?: Report): { threshold: number; owners: Hex[] } | undefined {
  const upgrade = obj(sim?.control)?.upgrade;
  if (typeof upgrade !== 'string') return undefined;
  const m = /Safe 0x[0-9a-fA-F]{40} \((\d+) of (\d+): ((?:0x[0-9a-fA-F]{40}(?:, )?)+)\)/.exec(upgrade);
  if (!m) return undefined;
  return { threshold: Number(m[1]), owners: (m[3] ?? '').split(', ') as Hex[] };
}

/** The log's entries about this patch, parsed (the page verifies their inclusion separately). */
export type PatchEntry = Partial<Record<string, string>> & { index: number };
export function patchEntries(records: LogRecord[], digest: Hex): PatchEntry[] {
  const out: PatchEntry[] = [];
  for (const r of records) {
    try {
      const e = JSON.parse(r.entry) as Record<string, string>;
      if (e.digest?.toLowerCase() === digest.toLowerCase()) out.push({ ...e, index: r.index } as PatchEntry);
    } catch {
      // not JSON: not an entry about this patch
    }
  }
  return out;
}

/**
 * The timelock ETA (unix seconds): the chain's, when the server read it (`operation.eta`, `serve --rpc`), else the
 * log's `queued` entry's; and where it came from.
 */
export function etaOf(
  patch: Pick<PatchDetail, 'operation'>,
  entries: PatchEntry[],
): { eta: number; from: 'chain' | 'log' } | undefined {
  const onChain = Number(patch.operation?.eta ?? 0);
  // The timelock's getTimestamp is 0 for an unknown operation and 1 for a done one: neither is an ETA.
  if (onChain > 1) return { eta: onChain, from: 'chain' };
  const q = entries.filter((e) => e.kind === 'queued').at(-1);
  return q?.eta ? { eta: Number(q.eta), from: 'log' } : undefined;
}

export const threshold = (p: PatchDetail) =>
  p.policy?.threshold ?? p.threshold ?? safeOf(p.evidence.simulate)?.threshold;

/**
 * Who approves and who has not signed yet: the server's policy (`serve --rpc`) when it states one, else the Safe's
 * owners as the simulate report names them, less the approvals' signers.
 */
export function approversOf(
  p: PatchDetail,
): { approvers: Hex[]; missing: Hex[]; from: 'policy' | 'simulate' } | undefined {
  if (p.policy) return { approvers: p.policy.approvers, missing: p.policy.missing, from: 'policy' };
  const safe = safeOf(p.evidence.simulate);
  if (!safe) return undefined;
  const signed = new Set(p.approvals.map((a) => a.signer.toLowerCase()));
  return {
    approvers: safe.owners,
    missing: safe.owners.filter((o) => !signed.has(o.toLowerCase())),
    from: 'simulate',
  };
}
