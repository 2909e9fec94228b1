/**
 * OpenZeppelin TimelockController operations. The operation id is recomputed locally from its parts
 * (target, value, data, predecessor, salt) — the value people check — and tests cross-check it against the
 * deployed contract's `hashOperation`.
 */

import { type Address, encodeAbiParameters, encodeFunctionData, type Hex, keccak256, zeroHash } from 'viem';
import { TIMELOCK_ABI } from '../core/abis.js';

export interface TimelockOperation {
  target: Address;
  value: bigint;
  data: Hex;
  /** An operation that must be done first, or zero. Explicit: never implied. */
  predecessor: Hex;
  salt: Hex;
}

export function operation(
  target: Address,
  data: Hex,
  opts: { value?: bigint; predecessor?: Hex; salt?: Hex } = {},
): TimelockOperation {
  return {
    target,
    data,
    value: opts.value ?? 0n,
    predecessor: opts.predecessor ?? zeroHash,
    salt: opts.salt ?? zeroHash,
  };
}

/**
 * keccak256(abi.encode(target, value, data, predecessor, salt)), as TimelockController.hashOperation.
 *
 * @example
 * ```ts
 * const id = operationId({ target: proxyAdmin, value: 0n, data: upgradeCalldata, predecessor: zeroHash, salt: digest });
 * ```
 */
export function operationId(op: TimelockOperation): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }, { type: 'bytes32' }, { type: 'bytes32' }],
      [op.target, op.value, op.data, op.predecessor, op.salt],
    ),
  );
}

/**
 * keccak256(abi.encode(targets, values, payloads, predecessor, salt)), as `hashOperationBatch`: the id of
 * several calls scheduled and executed as one (e.g. upgrading two proxies atomically).
 *
 * @example
 * ```ts
 * const id = operationBatchId([{ target: proxyAdmin, value: 0n, data: upgradeCalldata }], zeroHash, digest);
 * ```
 */
export function operationBatchId(
  ops: readonly Pick<TimelockOperation, 'target' | 'value' | 'data'>[],
  predecessor: Hex,
  salt: Hex,
): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'address[]' },
        { type: 'uint256[]' },
        { type: 'bytes[]' },
        { type: 'bytes32' },
        { type: 'bytes32' },
      ],
      [ops.map((o) => o.target), ops.map((o) => o.value), ops.map((o) => o.data), predecessor, salt],
    ),
  );
}

export function cancelCall(id: Hex): Hex {
  return encodeFunctionData({ abi: TIMELOCK_ABI, functionName: 'cancel', args: [id] });
}

export function scheduleCall(op: TimelockOperation, delay: bigint): Hex {
  return encodeFunctionData({
    abi: TIMELOCK_ABI,
    functionName: 'schedule',
    args: [op.target, op.value, op.data, op.predecessor, op.salt, delay],
  });
}

export function executeCall(op: TimelockOperation): Hex {
  return encodeFunctionData({
    abi: TIMELOCK_ABI,
    functionName: 'execute',
    args: [op.target, op.value, op.data, op.predecessor, op.salt],
  });
}
