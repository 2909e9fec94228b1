/**
 * PatchGate's ABI, written out so that viem types every call, event and error (a wrong argument is a compile
 * error). test/patchgate-contract.test.ts checks it against the ABI solc produces from contracts/src/PatchGate.sol.
 */
import { parseAbi } from 'viem';

export const PATCHGATE_ABI = parseAbi([
  'constructor(address controller_, address anchorer_, bytes32 policyHash_, uint8 allowedLanes_)',
  'function controller() view returns (address)',
  'function anchorer() view returns (address)',
  'function anchoredSize() view returns (uint256)',
  'function policyHash() view returns (bytes32)',
  'function allowedLanes() view returns (uint8)',
  'function LANE_STANDARD() view returns (uint8)',
  'function LANE_EMERGENCY() view returns (uint8)',
  'function anchor(uint256 size, bytes32 root)',
  'function upgradeTransparent(address proxyAdmin, address proxy, address implementation, bytes32 codehash, bytes data, bytes32 digest, uint8 lane, bytes32 plannedPolicy) payable',
  'function upgradeUups(address proxy, address implementation, bytes32 codehash, bytes data, bytes32 digest, uint8 lane, bytes32 plannedPolicy) payable',
  'function releaseOwnership(address target, address newOwner)',
  'event HeadAnchored(uint256 indexed size, bytes32 root, address indexed by)',
  'event PatchExecuted(address indexed proxy, address indexed implementation, bytes32 codehash, bytes32 indexed digest, uint8 lane)',
  'event OwnershipReleased(address indexed target, address indexed newOwner)',
  'error NotController(address caller)',
  'error NotAnchorer(address caller)',
  'error HeadNotAppendOnly(uint256 size, uint256 anchored)',
  'error CodehashMismatch(address implementation, bytes32 expected, bytes32 actual)',
  'error NoCode(address implementation)',
  'error ZeroAddress()',
  'error PolicyMismatch(bytes32 expected, bytes32 given)',
  'error LaneNotAllowed(uint8 lane)',
  'error InvalidLanes(uint8 allowedLanes)',
]);
