/**
 * The emergency brake: the guardian's `pause()` on a live contract. Idempotent by nature (a paused contract
 * is left alone), so it needs no crash bookkeeping — and no store: a brake that waited for another process's
 * lock, or refused because this machine has no store, would fail when it is needed most. The guardian key can do this and nothing else — it holds
 * no timelock role and owns no Safe — which the governance tests check on the real contracts.
 */

import type { Address, Hex, LocalAccount } from 'viem';
import { projectErrorsAbi } from '../build/errors-abi.js';
import { PAUSABLE_ABI } from '../core/abis.js';
import { environmentError, inputError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { requirePauser } from '../govern/policy.js';
import { projectOf } from './context.js';
import type { ChainContext } from './lifecycle.js';

export interface PauseResult {
  address: Address;
  already: boolean;
  txHash?: Hex;
}

/**
 * `patchgate pause`: the guardian pauses a live contract (already paused is not an error).
 *
 * @example
 * ```ts
 * const result = await pauseTarget(lc, { address: vaultProxy, guardian: loadAccount({ keyEnv: 'GUARDIAN_KEY' }) });
 * ```
 */
export async function pauseTarget(
  lc: ChainContext,
  params: { address: Address; guardian: LocalAccount },
): Promise<PauseResult> {
  requirePauser(lc.config.policy, params.guardian.address);
  const read = lc.clients.public;
  let paused: boolean;
  try {
    paused = await read.readContract({ address: params.address, abi: PAUSABLE_ABI, functionName: 'paused' });
  } catch {
    throw inputError(
      'not-pausable',
      `${params.address} has no paused() view: it cannot be paused`,
      'pause a contract that inherits Pausable',
    );
  }
  if (paused) return { address: params.address, already: true };
  try {
    await read.simulateContract({
      account: params.guardian,
      address: params.address,
      abi: PAUSABLE_ABI,
      functionName: 'pause',
    });
  } catch (e) {
    const reason = describeRevert(revertData(e), projectErrorsAbi(await projectOf(lc)));
    throw inputError(
      'pause-refused',
      `${params.guardian.address} cannot pause ${params.address}: ${reason}`,
      'use the key that holds the guardian (pauser) role',
    );
  }
  const hash = await lc.clients.wallet(params.guardian).writeContract({
    address: params.address,
    abi: PAUSABLE_ABI,
    functionName: 'pause',
  });
  const receipt = await read.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    throw environmentError('pause-failed', `pause() on ${params.address} reverted (tx ${hash})`);
  }
  return { address: params.address, already: false, txHash: hash };
}
