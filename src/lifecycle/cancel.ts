/**
 * `cancel`: withdraw a patch. Before it is queued, that is a state change in the store. Once queued, the
 * timelock operation must be cancelled on chain by its canceller, the Safe: each owner runs `cancel` with
 * their key (their signature of the `cancel` SafeTx is kept), and the run that reaches the Safe's threshold
 * sends it. The cancel SafeTx takes the Safe nonce the `execute` would have used, so only one of the two can
 * ever happen.
 */

import { type Hex, isAddressEqual, type LocalAccount, parseEventLogs } from 'viem';
import { TIMELOCK_ABI } from '../core/abis.js';
import { environmentError, inputError, isPatchgateError } from '../core/errors.js';
import { cancelCall } from '../govern/timelock.js';
import type { PatchState } from '../store/store.js';
import { requirePatch, requireState } from './context.js';
import { failpoint } from './failpoint.js';
import type { Lifecycle } from './lifecycle.js';

import { syncLog } from './log-sync.js';
import { checkedOperationId, operationTimestamp } from './queue.js';
import { buildSafeTx, collectSignatures, execSafeTx, safeNonce, safeOwners, signBuilt } from './safe-exec.js';
import { lastOperationTx, operationDone } from './timelock-events.js';

export interface CancelResult {
  digest: Hex;
  state: PatchState;
  txHash?: Hex;
  /** Owners' signatures of the cancel SafeTx so far, and how many the Safe needs (queued patches). */
  signatures?: { have: number; need: number; safeTxHash: Hex };
  already: boolean;
}

async function cancelStep(
  lc: Lifecycle,
  params: { digest: Hex; signer?: LocalAccount },
): Promise<CancelResult> {
  const patch = await requirePatch(lc, params.digest);
  if (patch.state === 'cancelled') return { digest: patch.digest, state: 'cancelled', already: true };
  requireState(patch, ['proposed', 'approved', 'queued'], 'cancel');
  if (patch.state !== 'queued') {
    await lc.store.transition(patch.digest, patch.state, 'cancelled');
    return { digest: patch.digest, state: 'cancelled', already: false };
  }
  const id = await checkedOperationId(lc, patch);
  if ((await operationTimestamp(lc, patch.plan.timelock, id)) === 0n) {
    // Cancelled on chain by a run that stopped before recording it (or by the Safe directly).
    const txHash = await lastOperationTx(lc, patch.plan.timelock, 'Cancelled', id);
    if (!txHash) {
      throw environmentError('not-scheduled', `operation ${id} is neither scheduled nor cancelled on chain`);
    }
    await lc.store.transition(patch.digest, 'queued', 'cancelled', txHash);
    return { digest: patch.digest, state: 'cancelled', txHash, already: true };
  }
  const done = await operationDone(lc, patch.plan.timelock, id);
  if (done) {
    throw inputError(
      'already-executed',
      `operation ${id.slice(0, 10)}… was already executed on chain: it cannot be cancelled`,
      'record it with `patchgate execute`, then verify it',
    );
  }
  if (!params.signer) {
    throw inputError(
      'key-missing',
      'cancelling a queued patch needs a Safe owner key',
      'pass --key-env NAME or --keystore FILE',
    );
  }
  const built = await buildSafeTx(lc, patch, 'cancel', cancelCall(id), await safeNonce(lc, patch.plan.safe));
  const { owners, threshold } = await safeOwners(lc, patch.plan.safe);
  const signer = params.signer;
  if (!owners.some((o) => isAddressEqual(o, signer.address))) {
    throw inputError(
      'not-an-owner',
      `${signer.address} is not an owner of Safe ${patch.plan.safe}`,
      `owners: ${owners.join(', ')}`,
    );
  }
  await lc.store.addSafeSignature(patch.digest, await signBuilt(lc, patch, signer, built));
  let signatures: Hex;
  try {
    signatures = await collectSignatures(lc, patch, built);
  } catch (e) {
    if (!isPatchgateError(e) || e.code !== 'safe-signatures-missing') throw e;
    const have = (await lc.store.safeSignatures(patch.digest, 'cancel')).filter(
      (s) => s.safeNonce === built.tx.nonce,
    ).length;
    return {
      digest: patch.digest,
      state: 'queued',
      signatures: { have, need: threshold, safeTxHash: built.hash },
      already: false,
    };
  }
  const receipt = await execSafeTx(lc, patch, built, signatures, signer);
  failpoint('cancel:after-receipt');
  const cancelled = parseEventLogs({ abi: TIMELOCK_ABI, logs: receipt.logs, eventName: 'Cancelled' }).some(
    (l) => l.args.id === id,
  );
  if (!cancelled)
    throw environmentError('not-cancelled', `tx ${receipt.transactionHash} did not cancel operation ${id}`);
  await lc.store.transition(patch.digest, 'queued', 'cancelled', receipt.transactionHash);
  return { digest: patch.digest, state: 'cancelled', txHash: receipt.transactionHash, already: false };
}

/**
 * The step, then its events into the transparency log (once each, however often it runs).
 *
 * @example
 * ```ts
 * const result = await cancel(lc, { digest, signer: loadAccount({ keyEnv: 'OWNER1_KEY' }) });
 * ```
 */
export async function cancel(
  lc: Lifecycle,
  params: { digest: Hex; signer?: LocalAccount },
): Promise<CancelResult> {
  const r = await cancelStep(lc, params);
  await syncLog(lc, r.digest);
  return r;
}
