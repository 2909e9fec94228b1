/**
 * `status`: where each patch stands. From the store alone (no chain needed): state, lane, approvals, Safe
 * signatures and every transition with its transaction. With a chain: each approval verified again as of
 * now, the lane's threshold, and the timelock operation's state and ETA.
 */

import { type Address, type Hex, isAddressEqual } from 'viem';
import { TIMELOCK_ABI } from '../core/abis.js';
import type { PatchgateError } from '../core/errors.js';
import { tallyApprovals } from '../govern/approval.js';
import { planOperationId } from '../govern/plan.js';
import type { Assessment } from '../risk/assess.js';
import type { PatchState, Store, StoredPatch, Transition } from '../store/store.js';
import { chainNow, policyOf } from './context.js';
import { requireDeployed } from './deployed.js';
import type { Lifecycle, PlannedPatch } from './lifecycle.js';

export interface PatchStatus {
  digest: Hex;
  name?: string;
  state: PatchState;
  lane: string;
  chainId: number;
  proxy: Address;
  implementation: Address;
  approvals: { signer: Address; expiry: string; valid?: boolean; reason?: string }[];
  threshold?: number;
  /** With the chain: the lane's approver set and threshold, and the approvers who have not (validly) approved. */
  policy?: { threshold: number; approvers: Address[]; missing: Address[] };
  safeSignatures: { purpose: string; safeNonce: string; owner: Address }[];
  history: Transition[];
  operation?: { id: Hex; eta?: string; ready?: boolean; done?: boolean };
  /** The risk as assessed at proposal (its signed `assess` evidence), when the patch has one. */
  risk?: PatchRisk;
}

/** An assessment in brief: class, priority, lane advice, value at risk and each lane's exposure. */
export interface PatchRisk {
  severity: string;
  impact: string;
  public: boolean;
  priority: string;
  recommendedLane: string;
  valueAtRiskUsd?: string;
  block: string;
  exposure: Record<string, { windowSeconds: string; exposureUsdHours?: string; allowed: boolean }>;
}

/** The brief of a stored `assess` report (undefined when the patch was proposed before patchgate assessed risk). */
function riskOf(evidence: Record<string, unknown>): PatchRisk | undefined {
  const a = evidence.assess as Partial<Assessment> | undefined;
  if (!a?.severity || !a.exposure || !a.valueAtRisk || !a.lane || !a.priority) return undefined;
  return {
    severity: a.severity.level,
    impact: a.severity.impact,
    public: a.public === true,
    priority: a.priority,
    recommendedLane: a.lane.recommended,
    ...(a.valueAtRisk.usd !== undefined ? { valueAtRiskUsd: a.valueAtRisk.usd } : {}),
    block: a.valueAtRisk.block,
    exposure: Object.fromEntries(
      Object.entries(a.exposure).map(([lane, w]) => [
        lane,
        {
          windowSeconds: w.windowSeconds,
          ...(w.exposureUsdHours !== undefined ? { exposureUsdHours: w.exposureUsdHours } : {}),
          allowed: w.allowed,
        },
      ]),
    ),
  };
}

async function withChain(lc: Lifecycle, patch: PlannedPatch, out: PatchStatus): Promise<void> {
  const policy = await policyOf(lc, patch);
  const now = await chainNow(lc);
  const approvals = await lc.store.approvals(patch.digest);
  const tally = await tallyApprovals(
    approvals,
    {
      digest: patch.digest,
      chainId: patch.record.chainId,
      proxy: patch.record.proxy,
      now,
      ttl: BigInt(lc.config.policy.approvalTtl),
    },
    policy,
  );
  out.threshold = policy.threshold;
  out.approvals = approvals.map((a, i) => {
    const refused = tally.refused.find((r) => r.index === i)?.error as PatchgateError | undefined;
    return {
      signer: a.signer,
      expiry: a.expiry.toString(),
      valid: !refused,
      ...(refused ? { reason: refused.shortMessage } : {}),
    };
  });
  out.policy = {
    threshold: policy.threshold,
    approvers: policy.approvers,
    missing: policy.approvers.filter((a) => !tally.signers.some((x) => isAddressEqual(x, a))),
  };
  const id = planOperationId(patch.record, patch.plan);
  const args = { address: patch.plan.timelock, abi: TIMELOCK_ABI, args: [id] } as const;
  const [eta, ready, done] = await Promise.all([
    lc.clients.public.readContract({ ...args, functionName: 'getTimestamp' }),
    lc.clients.public.readContract({ ...args, functionName: 'isOperationReady' }),
    lc.clients.public.readContract({ ...args, functionName: 'isOperationDone' }),
  ]);
  out.operation = {
    id,
    ...(eta > 1n ? { eta: eta.toString() } : {}),
    ready: Boolean(ready),
    done: Boolean(done),
  };
}

/**
 * `patchgate status` for one stored patch: state, approvals, Safe signatures and history from the store; with a
 * Lifecycle on its chain, approvals checked again as of now and the timelock operation's state.
 *
 * @example
 * ```ts
 * const patch = await lc.store.get(digest);
 * if (patch) console.log(await patchStatus(lc.store, patch, lc)); // without `lc`: from the store alone
 * ```
 */
export async function patchStatus(store: Store, patch: StoredPatch, lc?: Lifecycle): Promise<PatchStatus> {
  const approvals = await store.approvals(patch.digest);
  const out: PatchStatus = {
    digest: patch.digest,
    ...(patch.plan ? { name: patch.plan.name } : {}),
    state: patch.state,
    lane: patch.record.lane,
    chainId: patch.record.chainId,
    proxy: patch.record.proxy,
    implementation: patch.record.implementation,
    approvals: approvals.map((a) => ({ signer: a.signer, expiry: a.expiry.toString() })),
    safeSignatures: (await store.safeSignatures(patch.digest)).map((s) => ({
      purpose: s.purpose,
      safeNonce: s.safeNonce.toString(),
      owner: s.owner,
    })),
    history: await store.history(patch.digest),
  };
  const risk = riskOf(await store.evidence(patch.digest));
  if (risk) out.risk = risk;
  if (lc && patch.plan && patch.record.chainId === lc.clients.chain.id) {
    await requireDeployed(lc, patch as PlannedPatch);
    await withChain(lc, patch as PlannedPatch, out);
  }
  return out;
}
