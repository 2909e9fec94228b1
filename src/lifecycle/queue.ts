/**
 * `queue`: the approved patch into the timelock. The approvals are verified again, the implementation must
 * still hold the approved code, the operation id is recomputed and checked against `hashOperation`, and the
 * Safe (its owners' signatures collected at approval) calls `schedule` with the lane's delay. Idempotent: an
 * operation already scheduled on chain — by a run that crashed after sending — is recorded, not sent again.
 */

import { type Address, type Hex, keccak256, type LocalAccount, parseEventLogs } from 'viem';
import { TIMELOCK_ABI } from '../core/abis.js';
import { environmentError, inputError } from '../core/errors.js';
import { planOperationId, timelockOperation } from '../govern/plan.js';
import { executeCall, scheduleCall } from '../govern/timelock.js';
import { type TxBuilderBatch, txBuilderBatch } from '../govern/tx-builder.js';
import type { PatchState } from '../store/store.js';
import { checkedOperationId as checkedOnChain } from '../system/checked.js';
import { assess, laneHasRules, requireLaneAllowed } from './assess.js';
import { chainNow, policyOf, requireFresh, requirePatch, requireState } from './context.js';
import { failpoint } from './failpoint.js';
import type { Lifecycle, PlannedPatch } from './lifecycle.js';

import { syncLog } from './log-sync.js';
import { buildSafeTx, collectSignatures, execSafeTx, safeNonce } from './safe-exec.js';
import { requireThreshold } from './threshold.js';
import { lastOperationTx } from './timelock-events.js';

export interface QueueResult {
  digest: Hex;
  state: PatchState;
  operationId: Hex;
  /** The Safe transaction that scheduled the operation. */
  txHash?: Hex;
  /** Unix seconds from which the operation can be executed. */
  eta: bigint;
  /** It was already queued (a re-run): nothing was sent. */
  already: boolean;
}

/** Move a patch forward along its path to `to`, each step compare-and-set (a re-run applies nothing twice). */
export async function advance(
  lc: Lifecycle,
  patch: PlannedPatch,
  to: PatchState,
  txHash?: Hex,
): Promise<void> {
  const path: PatchState[] = ['proposed', 'approved', 'queued', 'executed', 'verified'];
  const from = path.indexOf(patch.state);
  const until = path.indexOf(to);
  for (let i = from; i >= 0 && i < until; i++) {
    const step = path[i + 1] as PatchState;
    await lc.store.transition(patch.digest, path[i] as PatchState, step, step === to ? txHash : undefined);
  }
}

export async function operationTimestamp(lc: Lifecycle, timelock: Address, id: Hex): Promise<bigint> {
  return lc.clients.public.readContract({
    address: timelock,
    abi: TIMELOCK_ABI,
    functionName: 'getTimestamp',
    args: [id],
  });
}

/** The operation id, recomputed here and required to equal the timelock's own. */
export function checkedOperationId(lc: Lifecycle, patch: PlannedPatch): Promise<Hex> {
  return checkedOnChain(lc.clients.public, patch.plan.timelock, timelockOperation(patch.record, patch.plan));
}

/** The implementation must still hold the code that was approved. */
export async function requireApprovedCode(lc: Lifecycle, patch: PlannedPatch): Promise<void> {
  const code = await lc.clients.public.getCode({ address: patch.record.implementation });
  const hash = code && code !== '0x' ? keccak256(code) : undefined;
  if (hash !== patch.record.codehash) {
    throw inputError(
      'implementation-changed',
      `the implementation ${patch.record.implementation} no longer holds the approved code (codehash ${hash ?? 'none'}, approved ${patch.record.codehash})`,
      'do not go on: find out who changed it, then re-propose',
    );
  }
}

async function queueStep(
  lc: Lifecycle,
  params: { digest: Hex; submitter: LocalAccount },
): Promise<QueueResult> {
  const patch = await requirePatch(lc, params.digest);
  const id = await checkedOperationId(lc, patch);
  if (['queued', 'executed', 'verified'].includes(patch.state)) {
    const history = await lc.store.history(patch.digest);
    const txHash = history.find((h) => h.to === 'queued')?.txHash ?? undefined;
    const eta = await operationTimestamp(lc, patch.plan.timelock, id);
    return {
      digest: patch.digest,
      state: patch.state,
      operationId: id,
      ...(txHash ? { txHash } : {}),
      eta,
      already: true,
    };
  }
  requireState(patch, ['proposed', 'approved'], 'queue');
  const now = await chainNow(lc);
  await requireFresh(lc, patch, now);
  await requireThreshold(lc, patch, now);
  const policy = await policyOf(lc, patch);
  if (BigInt(patch.plan.delay) !== policy.delay) {
    throw inputError(
      'plan-policy-mismatch',
      `patch ${patch.digest.slice(0, 10)}… was planned with a ${patch.plan.delay} s delay; the ${patch.record.lane} lane now requires ${policy.delay} s`,
      'the policy changed since the proposal: re-propose the patch',
    );
  }
  await requireApprovedCode(lc, patch);
  // The policy's rules, against the risk as it is now (the value at risk moves; the evidence is the approved one).
  if (laneHasRules(lc, patch.record.lane)) {
    requireLaneAllowed(lc, patch.record.lane, await assess(lc, { patch: patch.digest }));
  }
  const scheduledAt = await operationTimestamp(lc, patch.plan.timelock, id);
  if (scheduledAt > 0n) {
    // Scheduled by an earlier run that stopped before recording it.
    const txHash = await lastOperationTx(lc, patch.plan.timelock, 'CallScheduled', id);
    await advance(lc, patch, 'queued', txHash);
    return {
      digest: patch.digest,
      state: 'queued',
      operationId: id,
      ...(txHash ? { txHash } : {}),
      eta: scheduledAt,
      already: true,
    };
  }
  const op = timelockOperation(patch.record, patch.plan);
  const built = await buildSafeTx(
    lc,
    patch,
    'schedule',
    scheduleCall(op, BigInt(patch.plan.delay)),
    await safeNonce(lc, patch.plan.safe),
  );
  const signatures = await collectSignatures(lc, patch, built);
  const receipt = await execSafeTx(lc, patch, built, signatures, params.submitter);
  failpoint('queue:after-receipt');
  const scheduled = parseEventLogs({
    abi: TIMELOCK_ABI,
    logs: receipt.logs,
    eventName: 'CallScheduled',
  }).some((l) => l.args.id === id);
  if (!scheduled) {
    throw environmentError('not-scheduled', `tx ${receipt.transactionHash} did not schedule operation ${id}`);
  }
  await advance(lc, patch, 'queued', receipt.transactionHash);
  return {
    digest: patch.digest,
    state: 'queued',
    operationId: id,
    txHash: receipt.transactionHash,
    eta: await operationTimestamp(lc, patch.plan.timelock, id),
    already: false,
  };
}

/** The timelock call of a step as a Safe{Wallet} Transaction Builder batch, for owners who sign in the UI. */
export async function safeTxBuilderExport(
  lc: Lifecycle,
  digest: Hex,
  step: 'schedule' | 'execute',
): Promise<TxBuilderBatch> {
  const patch = await requirePatch(lc, digest);
  const op = timelockOperation(patch.record, patch.plan);
  const data = step === 'schedule' ? scheduleCall(op, BigInt(patch.plan.delay)) : executeCall(op);
  return txBuilderBatch({
    chainId: patch.record.chainId,
    safe: patch.plan.safe,
    name: `patchgate ${patch.plan.name} — ${step}`,
    description: `${step} of patch ${patch.digest} (operation ${planOperationId(patch.record, patch.plan)}) on timelock ${patch.plan.timelock}`,
    transactions: [{ to: patch.plan.timelock, data }],
  });
}

/**
 * The step, then its events into the transparency log (once each, however often it runs).
 *
 * @example
 * ```ts
 * const { operationId, eta } = await queue(lc, { digest, submitter: loadAccount({ keyEnv: 'DEPLOYER_KEY' }) });
 * ```
 */
export async function queue(
  lc: Lifecycle,
  params: { digest: Hex; submitter: LocalAccount },
): Promise<QueueResult> {
  const r = await queueStep(lc, params);
  await syncLog(lc, r.digest);
  return r;
}
