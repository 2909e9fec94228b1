/**
 * The hashes people sign and the ids the timelock keeps, recomputed locally and required to equal the deployed
 * contracts' own answers: patchgate never signs, schedules or sends a hash it could not recompute. Used by the
 * simulation and by every live lifecycle step alike.
 */
import type { Abi, Address, Hex } from 'viem';
import type { Clients } from '../chain/clients.js';
import { SAFE_ABI, TIMELOCK_ABI } from '../core/abis.js';
import { environmentError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { type SafeTx, safeTxFields, safeTxHash } from '../govern/safe.js';
import { operationId, type TimelockOperation } from '../govern/timelock.js';

/**
 * The SafeTx hash owners sign, computed locally and required to equal the deployed Safe's own
 * `getTransactionHash`: patchgate never signs or sends a hash it could not recompute.
 */
export async function checkedSafeTxHash(
  client: Clients['public'],
  chainId: number,
  safe: Address,
  tx: SafeTx,
): Promise<Hex> {
  const local = safeTxHash(chainId, safe, tx);
  const onChain = await client.readContract({
    address: safe,
    abi: SAFE_ABI,
    functionName: 'getTransactionHash',
    args: [...safeTxFields(tx), tx.nonce],
  });
  if (onChain !== local) {
    throw environmentError(
      'safe-hash-mismatch',
      `Safe ${safe} computes SafeTx hash ${onChain}, patchgate ${local}: refusing to sign or send`,
      'the Safe is not a Safe 1.3/1.4 contract patchgate understands',
    );
  }
  return local;
}

/**
 * Why a Safe transaction would revert. The Safe hides the inner reason behind GS013, so the inner call is
 * replayed from the Safe itself to surface it (e.g. the upgrade initializer's `InvalidBps(5000)`).
 */
export async function safeRevertReason(
  client: Clients['public'],
  safe: Address,
  tx: Pick<SafeTx, 'to' | 'data'>,
  error: unknown,
  errorsAbi: Abi,
): Promise<string> {
  let reason = describeRevert(revertData(error), [...errorsAbi, ...SAFE_ABI] as Abi);
  try {
    await client.call({ account: safe, to: tx.to, data: tx.data });
  } catch (inner) {
    reason = describeRevert(revertData(inner), errorsAbi);
  }
  return reason;
}

/**
 * The timelock operation id, recomputed locally and required to equal the timelock's own `hashOperation`:
 * patchgate never schedules an operation whose id it could not recompute.
 */
export async function checkedOperationId(
  client: Clients['public'],
  timelock: Address,
  op: TimelockOperation,
): Promise<Hex> {
  const id = operationId(op);
  const onChain = await client.readContract({
    address: timelock,
    abi: TIMELOCK_ABI,
    functionName: 'hashOperation',
    args: [op.target, op.value, op.data, op.predecessor, op.salt],
  });
  if (onChain !== id) {
    throw environmentError(
      'timelock-id-mismatch',
      `timelock ${timelock} computes operation id ${onChain}, patchgate ${id}: refusing to go on`,
      'the timelock is not an OpenZeppelin TimelockController',
    );
  }
  return id;
}
