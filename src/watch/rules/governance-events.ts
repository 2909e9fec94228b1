/**
 * What the governance rule reads and how it names it: the governance events (AccessControl, Ownable, Safe 1.4.1,
 * TimelockController), the role ids it can name, and a readable form of a call the timelock was asked to make
 * (`vault 0x….grantRole(…)`, or the target and selector when the target's ABI is unknown).
 *
 * Safe 1.4.1 has no `ChangedModuleGuard` (that event arrives with Safe 1.5): it is not read.
 */
import {
  type Abi,
  type Address,
  decodeFunctionData,
  type Hex,
  isAddressEqual,
  keccak256,
  parseAbi,
  size,
  slice,
  toHex,
  zeroHash,
} from 'viem';

export const GOVERNANCE_EVENTS = parseAbi([
  'event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)',
  'event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)',
  'event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)',
  'event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)',
  'event AddedOwner(address indexed owner)',
  'event RemovedOwner(address indexed owner)',
  'event ChangedThreshold(uint256 threshold)',
  'event ChangedGuard(address indexed guard)',
  'event EnabledModule(address indexed module)',
  'event DisabledModule(address indexed module)',
  'event ChangedFallbackHandler(address indexed handler)',
  'event CallScheduled(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data, bytes32 predecessor, uint256 delay)',
  'event MinDelayChange(uint256 oldDuration, uint256 newDuration)',
]);

export type GovernanceEventName = (typeof GOVERNANCE_EVENTS)[number]['name'];

export const ROLE_EVENTS: readonly GovernanceEventName[] = ['RoleGranted', 'RoleRevoked', 'RoleAdminChanged'];
export const SAFE_EVENTS: readonly GovernanceEventName[] = [
  'AddedOwner',
  'RemovedOwner',
  'ChangedThreshold',
  'ChangedGuard',
  'EnabledModule',
  'DisabledModule',
  'ChangedFallbackHandler',
];

/** Functions the timelock itself and a ProxyAdmin answer: how a scheduled call to them is named. */
export const TIMELOCK_CALLS_ABI = parseAbi([
  'function grantRole(bytes32 role, address account)',
  'function revokeRole(bytes32 role, address account)',
  'function renounceRole(bytes32 role, address callerConfirmation)',
  'function updateDelay(uint256 newDelay)',
  'function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function execute(address target, uint256 value, bytes payload, bytes32 predecessor, bytes32 salt)',
  'function cancel(bytes32 id)',
]);
export const PROXY_ADMIN_CALLS_ABI = parseAbi([
  'function upgradeAndCall(address proxy, address implementation, bytes data)',
  'function transferOwnership(address newOwner)',
  'function renounceOwnership()',
]);

/** Role constants every OpenZeppelin deployment uses, by the name their contract gives them. */
const WELL_KNOWN_ROLES = [
  'PROPOSER_ROLE',
  'EXECUTOR_ROLE',
  'CANCELLER_ROLE',
  'TIMELOCK_ADMIN_ROLE',
  'PAUSER_ROLE',
  'GUARDIAN_ROLE',
  'UPGRADER_ROLE',
  'MINTER_ROLE',
  'BURNER_ROLE',
];

/**
 * Role id → name: DEFAULT_ADMIN_ROLE (zero), the well-known `keccak256("X_ROLE")` constants, and every `X_ROLE()`
 * getter in the ABIs given, named when its id is `keccak256("X_ROLE")` (a role is only named when the hash matches).
 */
export function roleNames(abis: readonly Abi[]): ReadonlyMap<Hex, string> {
  const names = new Set(WELL_KNOWN_ROLES);
  for (const abi of abis) {
    for (const item of abi) {
      if (item.type === 'function' && item.inputs.length === 0 && /^[A-Z0-9_]+_ROLE$/.test(item.name)) {
        names.add(item.name);
      }
    }
  }
  const out = new Map<Hex, string>([[zeroHash, 'DEFAULT_ADMIN_ROLE']]);
  for (const name of names) out.set(keccak256(toHex(name)), name);
  return out;
}

export interface Watched {
  address: Address;
  /** How messages call it: `timelock`, `Safe`, `ProxyAdmin`, or the contract's name in the config. */
  label: string;
  abi?: Abi;
}

export function watchedAt(watched: readonly Watched[], address: Address): Watched | undefined {
  return watched.find((w) => isAddressEqual(w.address, address));
}

const short = (value: unknown): string => {
  const text = typeof value === 'string' ? value : String(value);
  return text.length > 66 ? `${text.slice(0, 66)}…` : text;
};

/** `vault 0x….grantRole(0x…, 0x…)`, or `0x… selector 0x2f2ff15d` when the target's ABI is unknown or does not match. */
export function describeCall(watched: readonly Watched[], target: Address, data: Hex): string {
  const known = watchedAt(watched, target);
  const where = known ? `${known.label} ${target}` : target;
  if (size(data) < 4) return `${where} (no call data: a plain transfer)`;
  const selector = slice(data, 0, 4);
  if (known?.abi) {
    try {
      const call = decodeFunctionData({ abi: known.abi, data });
      const args = (call.args ?? []).map(short).join(', ');
      return `${where}.${call.functionName}(${args})`;
    } catch {
      // Not a function of its ABI: fall back to the selector.
    }
  }
  return `${where} selector ${selector}`;
}
