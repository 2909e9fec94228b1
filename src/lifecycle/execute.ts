/**
 * `execute`: the queued operation, once its delay has passed, through the Safe into the timelock and on to
 * the ProxyAdmin / UUPS proxy. Before sending: the approvals are verified again (as of the moment the patch
 * was queued), the implementation still holds the approved code, and the operation is ready — else a clear
 * error with its ETA. On a local node `--warp` moves the clock to the ETA; `--wait` polls a live chain. An
 * operation already executed by a run that crashed is recorded, never executed twice (the timelock and the
 * Safe nonce refuse it too).
 */

import { type Hex, type LocalAccount, parseEventLogs } from 'viem';
import { TIMELOCK_ABI } from '../core/abis.js';
import { blockedError, environmentError, inputError } from '../core/errors.js';
import { timelockOperation } from '../govern/plan.js';
import { executeCall } from '../govern/timelock.js';
import type { PatchState } from '../store/store.js';
import { chainNow, requirePatch, requireState } from './context.js';
import { failpoint } from './failpoint.js';
import type { Lifecycle, PlannedPatch } from './lifecycle.js';

import { syncLog } from './log-sync.js';
import { advance, checkedOperationId, operationTimestamp, requireApprovedCode } from './queue.js';
import { buildSafeTx, collectSignatures, execSafeTx, safeNonce } from './safe-exec.js';
import { requireThreshold } from './threshold.js';
import { unixTime } from './time.js';
import { lastOperationTx, operationDone } from './timelock-events.js';

export type WaitMode = 'no' | 'warp' | 'poll';

export interface ExecuteParameters {
  digest: Hex;
  submitter: LocalAccount;
  /** Before the ETA: refuse (default), warp a local node's clock, or poll a live chain until then. */
  wait?: WaitMode;
  pollIntervalMs?: number;
  /** Called while polling, with the ETA and the chain's time. */
  onWaiting?: (eta: bigint, now: bigint) => void;
}

export interface ExecuteResult {
  digest: Hex;
  state: PatchState;
  operationId: Hex;
  txHash?: Hex;
  already: boolean;
  /** Seconds the local clock was moved forward (`--warp`). */
  warped?: bigint;
}

export function formatEta(eta: bigint, now: bigint): string {
  const left = eta > now ? Number(eta - now) : 0;
  const h = Math.floor(left / 3600);
  const m = Math.ceil((left % 3600) / 60);
  return `${unixTime(eta)} (in ${h} h ${m} min)`;
}

/** Is this a local development node whose clock may be moved (anvil, Hardhat)? */
async function untilReady(lc: Lifecycle, patch: PlannedPatch, id: Hex, params: ExecuteParameters) {
  const eta = await operationTimestamp(lc, patch.plan.timelock, id);
  if (eta === 0n) {
    throw inputError(
      'operation-missing',
      `operation ${id} is not in timelock ${patch.plan.timelock} (cancelled on chain?)`,
      'check `patchgate status`; a cancelled patch must be proposed again',
    );
  }
  let now = await chainNow(lc);
  if (now >= eta) return undefined;
  const wait = params.wait ?? 'no';
  if (wait === 'warp') {
    if (!lc.clients.devNode) {
      throw inputError(
        'warp-live-chain',
        '--warp moves the clock of a local node only',
        'use --wait on a live chain',
      );
    }
    const seconds = eta - now;
    await lc.clients.test.increaseTime({ seconds: Number(seconds) });
    await lc.clients.test.mine({ blocks: 1 });
    return seconds;
  }
  if (wait === 'poll') {
    while (now < eta) {
      params.onWaiting?.(eta, now);
      await new Promise((r) => setTimeout(r, params.pollIntervalMs ?? 12_000));
      now = await chainNow(lc);
    }
    return undefined;
  }
  throw blockedError(
    'not-ready',
    `the timelock delay has not passed: operation ${id.slice(0, 10)}… is ready at ${formatEta(eta, now)}`,
    lc.clients.devNode
      ? 'run again then; --wait polls until the ETA; on this local node --warp moves its clock there'
      : 'run again then, or pass --wait to poll until the ETA (--warp moves the clock of a local node only)',
  );
}

async function executeStep(lc: Lifecycle, params: ExecuteParameters): Promise<ExecuteResult> {
  const patch = await requirePatch(lc, params.digest);
  const id = await checkedOperationId(lc, patch);
  const result = (r: Omit<ExecuteResult, 'digest' | 'operationId'>): ExecuteResult => ({
    digest: patch.digest,
    operationId: id,
    ...r,
  });
  if (patch.state === 'executed' || patch.state === 'verified') {
    const txHash = (await lc.store.history(patch.digest)).find((h) => h.to === 'executed')?.txHash;
    return result({ state: patch.state, already: true, ...(txHash ? { txHash } : {}) });
  }
  requireState(patch, ['queued'], 'execute');
  // Approvals are judged as of the moment the patch was queued (they may expire while it waits).
  const queuedTx = (await lc.store.history(patch.digest)).find((h) => h.to === 'queued')?.txHash;
  const queuedAt = queuedTx
    ? (
        await lc.clients.public.getBlock({
          blockNumber: (await lc.clients.public.getTransactionReceipt({ hash: queuedTx })).blockNumber,
        })
      ).timestamp
    : await chainNow(lc);
  await requireThreshold(lc, patch, queuedAt);
  const done = await operationDone(lc, patch.plan.timelock, id);
  if (done) {
    const txHash = await lastOperationTx(lc, patch.plan.timelock, 'CallExecuted', id);
    await advance(lc, patch, 'executed', txHash);
    return result({ state: 'executed', already: true, ...(txHash ? { txHash } : {}) });
  }
  await requireApprovedCode(lc, patch);
  const warped = await untilReady(lc, patch, id, params);
  const op = timelockOperation(patch.record, patch.plan);
  const built = await buildSafeTx(
    lc,
    patch,
    'execute',
    executeCall(op),
    await safeNonce(lc, patch.plan.safe),
  );
  const signatures = await collectSignatures(lc, patch, built);
  const receipt = await execSafeTx(lc, patch, built, signatures, params.submitter);
  failpoint('execute:after-receipt');
  const executed = parseEventLogs({ abi: TIMELOCK_ABI, logs: receipt.logs, eventName: 'CallExecuted' }).some(
    (l) => l.args.id === id,
  );
  if (!executed) {
    throw environmentError('not-executed', `tx ${receipt.transactionHash} did not execute operation ${id}`);
  }
  await advance(lc, patch, 'executed', receipt.transactionHash);
  return result({
    state: 'executed',
    txHash: receipt.transactionHash,
    already: false,
    ...(warped !== undefined ? { warped } : {}),
  });
}

/**
 * The step, then its events into the transparency log (once each, however often it runs).
 *
 * @example
 * ```ts
 * const result = await execute(lc, { digest, submitter: loadAccount({ keyEnv: 'DEPLOYER_KEY' }), wait: 'poll' });
 * console.log(result.state, result.txHash);
 * ```
 */
export async function execute(lc: Lifecycle, params: ExecuteParameters): Promise<ExecuteResult> {
  const r = await executeStep(lc, params);
  await syncLog(lc, r.digest);
  return r;
}
