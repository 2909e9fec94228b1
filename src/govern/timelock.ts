/**
 * OpenZeppelin TimelockController operations. The operation id is recomputed locally from its parts
 * (target, value, data, predecessor, salt) — the value people check — and tests cross-check it against the
 * deployed contract's `hashOperation`.
 */
import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseAbi,
  zeroHash,
} from 'viem';

export const TIMELOCK_ABI = parseAbi([
  'function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function execute(address target, uint256 value, bytes payload, bytes32 predecessor, bytes32 salt) payable',
  'function cancel(bytes32 id)',
  'function hashOperation(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt) view returns (bytes32)',
  'function getMinDelay() view returns (uint256)',
  'function getTimestamp(bytes32 id) view returns (uint256)',
  'function isOperationReady(bytes32 id) view returns (bool)',
  'function isOperationDone(bytes32 id) view returns (bool)',
  'function isOperationPending(bytes32 id) view returns (bool)',
  'function hashOperationBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) view returns (bytes32)',
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function PROPOSER_ROLE() view returns (bytes32)',
  'function EXECUTOR_ROLE() view returns (bytes32)',
  'function CANCELLER_ROLE() view returns (bytes32)',
  'event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)',
  'event CallScheduled(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data, bytes32 predecessor, uint256 delay)',
  'event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data)',
  'event Cancelled(bytes32 indexed id)',
]);

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

/** keccak256(abi.encode(target, value, data, predecessor, salt)), as TimelockController.hashOperation. */
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
