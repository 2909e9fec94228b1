/**
 * The automatic cancel: the canceller key (timelock CANCELLER_ROLE and nothing else) cancels one pending timelock
 * operation by id — what the watcher's `cancel` response does with an operation no patch proposed. Like the
 * guardian's pause it needs no store and no Safe signatures: the canceller can only stop an operation, never make
 * one, so it may act alone and at once.
 *
 * What the timelock says decides: a pending operation (waiting or ready) is cancelled; one already cancelled
 * (timestamp unset, a `Cancelled(id)` event on record) is `already: true`; one already done, or never scheduled, is
 * a clear error. The call is simulated first, so a key that may not cancel is refused with the decoded revert
 * before anything is sent.
 */

import { type Address, type Hex, isAddressEqual, type LocalAccount, parseEventLogs } from 'viem';
import { projectErrorsAbi } from '../build/errors-abi.js';
import { TIMELOCK_ABI } from '../core/abis.js';
import { environmentError, inputError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { projectOf } from './context.js';
import type { ChainContext } from './lifecycle.js';

export interface CancelOperationResult {
  id: Hex;
  /** The transaction that cancelled it (this run's, or the earlier one when `already`). */
  txHash?: Hex;
  already: boolean;
}

/** The transaction that cancelled `id` on `timelock`, if any did. */
async function cancelledIn(lc: ChainContext, timelock: Address, id: Hex): Promise<Hex | undefined> {
  const logs = await lc.clients.public.getContractEvents({
    address: timelock,
    abi: TIMELOCK_ABI,
    eventName: 'Cancelled',
    args: { id },
    fromBlock: 0n,
    strict: true,
  });
  return logs.at(-1)?.transactionHash;
}

/** Refuses an operation that is not pending; returns the earlier cancel when it was already cancelled. */
async function notPending(
  lc: ChainContext,
  timelock: Address,
  id: Hex,
): Promise<CancelOperationResult | undefined> {
  const read = (functionName: 'isOperationPending' | 'isOperationDone') =>
    lc.clients.public.readContract({ address: timelock, abi: TIMELOCK_ABI, functionName, args: [id] });
  if (await read('isOperationPending')) return undefined;
  if (await read('isOperationDone')) {
    throw inputError(
      'already-executed',
      `operation ${id} on timelock ${timelock} was already executed: it cannot be cancelled`,
      'undo what it did through the lifecycle (a patch), and pause what it reached',
    );
  }
  const txHash = await cancelledIn(lc, timelock, id);
  if (txHash) return { id, txHash, already: true };
  throw inputError(
    'unknown-operation',
    `operation ${id} was never scheduled on timelock ${timelock}`,
    'check the operation id and the timelock address',
  );
}

/**
 * Cancel a pending timelock operation with the canceller key.
 *
 * @example
 * ```ts
 * const r = await cancelOperation(lc, { timelock, id: finding.operation, canceller: loadAccount({ keyEnv: 'CANCELLER_KEY' }) });
 * ```
 */
export async function cancelOperation(
  lc: ChainContext,
  params: { timelock: Address; id: Hex; canceller: LocalAccount },
): Promise<CancelOperationResult> {
  const { timelock, id, canceller } = params;
  const read = lc.clients.public;
  const done = await notPending(lc, timelock, id);
  if (done) return done;
  try {
    await read.simulateContract({
      account: canceller,
      address: timelock,
      abi: TIMELOCK_ABI,
      functionName: 'cancel',
      args: [id],
    });
  } catch (e) {
    const reason = describeRevert(revertData(e), projectErrorsAbi(await projectOf(lc)));
    throw inputError(
      'cancel-refused',
      `${canceller.address} cannot cancel operation ${id} on timelock ${timelock}: ${reason}`,
      'use the key that holds the timelock CANCELLER_ROLE',
    );
  }
  const hash = await lc.clients
    .wallet(canceller)
    .writeContract({ address: timelock, abi: TIMELOCK_ABI, functionName: 'cancel', args: [id] });
  const receipt = await read.waitForTransactionReceipt({ hash });
  const own = receipt.logs.filter((l) => isAddressEqual(l.address, timelock));
  const cancelled = parseEventLogs({ abi: TIMELOCK_ABI, eventName: 'Cancelled', logs: own }).some(
    (l) => l.args.id === id,
  );
  if (receipt.status !== 'success' || !cancelled) {
    throw environmentError(
      'not-cancelled',
      `tx ${hash} did not cancel operation ${id} on timelock ${timelock}`,
    );
  }
  return { id, txHash: hash, already: false };
}
