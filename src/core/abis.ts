/**
 * The ABIs more than one layer reads with: Safe, its proxy factory, OpenZeppelin's TimelockController, and what a
 * proxy and its controllers answer (Ownable, UUPS, beacon, AccessControl roles, PatchGate's controller). One copy,
 * at the bottom, so that the chain readers, the governance hashes and the lifecycle agree on every signature.
 */
import { parseAbi } from 'viem';

/** Safe v1.4.1: set-up, execution, its own hash, owners and threshold. */
export const SAFE_ABI = parseAbi([
  'function setup(address[] _owners, uint256 _threshold, address to, bytes data, address fallbackHandler, address paymentToken, uint256 payment, address paymentReceiver)',
  'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool success)',
  'function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)',
  'function nonce() view returns (uint256)',
  'function getOwners() view returns (address[])',
  'function getThreshold() view returns (uint256)',
  'function VERSION() view returns (string)',
  'event ExecutionFailure(bytes32 indexed txHash, uint256 payment)',
  'event ExecutionSuccess(bytes32 indexed txHash, uint256 payment)',
]);

export const SAFE_PROXY_FACTORY_ABI = parseAbi([
  'function createProxyWithNonce(address _singleton, bytes initializer, uint256 saltNonce) returns (address proxy)',
]);

/** OpenZeppelin v5 TimelockController. */
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

export const OWNABLE_ABI = parseAbi(['function owner() view returns (address)']);

/** patchgate's PatchGate, as a controller sees it. */
export const GATE_ABI = parseAbi([
  'function controller() view returns (address)',
  'function anchorer() view returns (address)',
  'function policyHash() view returns (bytes32)',
  'function allowedLanes() view returns (uint8)',
]);

export const UUPS_ABI = parseAbi(['function proxiableUUID() view returns (bytes32)']);

export const BEACON_ABI = parseAbi(['function implementation() view returns (address)']);

export const ROLES_ABI = parseAbi([
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function GUARDIAN_ROLE() view returns (bytes32)',
  'function PAUSER_ROLE() view returns (bytes32)',
  'event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)',
]);

/** OpenZeppelin Pausable, as the guardian sees it: read the state, pull the brake. */
export const PAUSABLE_ABI = parseAbi(['function paused() view returns (bool)', 'function pause()']);
