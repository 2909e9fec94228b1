/**
 * The catalogue entries of upgrades-core's error kinds (`upgrade-unsafe-<kind>`), one hand-written entry per
 * kind: a kind added upstream is a compile error here. Split from catalog.ts to keep each file readable.
 */
// Type-only: the kinds are checked at compile time without loading upgrades-core at run time — rendering a
// report must stay cheap. catalog.test.ts checks them against the installed upgrades-core. The kinds are read
// from what the public `getErrors` returns (the `errorKinds` list itself is not exported by the package entry).
import type { getErrors } from '@openzeppelin/upgrades-core';
import type { CatalogEntry } from './catalog-entry.js';

export type UpgradeErrorKind = ReturnType<typeof getErrors>[number]['kind'];
export type Described = Omit<CatalogEntry, 'id' | 'blocking'> & { blocking?: boolean };

export const UPGRADES_CORE: Record<UpgradeErrorKind, Described> = {
  'state-variable-assignment': {
    title: 'State variable assigned at declaration',
    severity: 'high',
    summary:
      'An inline initial value is set by the implementation constructor, so the proxy storage never gets it.',
    fix: 'Move the assignment into the initializer (or a reinitializer), or make it a constant.',
    example: 'uint256 public feeBps = 30; // 0 behind the proxy',
  },
  'state-variable-immutable': {
    title: 'Immutable variable in an upgradeable contract',
    severity: 'high',
    summary:
      'An immutable lives in the implementation bytecode: every proxy shares it and the next upgrade can silently change it.',
    fix: 'Use a constant or a storage variable set by the initializer; if deliberate, annotate it as allowed.',
    example: 'address public immutable asset; // set by the implementation constructor',
  },
  'external-library-linking': {
    title: 'Linked external library',
    severity: 'medium',
    summary:
      'An externally linked library is code outside the audited implementation that can change or be destroyed.',
    fix: 'Use libraries with internal functions only, or verify the linked library by hand and acknowledge.',
    example: 'library Math { function mulDiv(uint a, uint b, uint c) external pure returns (uint) { ... } }',
  },
  'struct-definition': {
    title: 'Struct layout not checked',
    severity: 'medium',
    summary:
      'The storage layout of a struct was not verified (legacy upgrades-core limitation or an `unsafeAllow` flag).',
    fix: 'Drop the `struct-definition` allowance and let upgrades-core check the struct layout.',
    example: '/// @custom:oz-upgrades-unsafe-allow struct-definition',
  },
  'enum-definition': {
    title: 'Enum layout not checked',
    severity: 'medium',
    summary:
      'The storage layout of an enum was not verified (legacy upgrades-core limitation or an `unsafeAllow` flag).',
    fix: 'Drop the `enum-definition` allowance and let upgrades-core check the enum layout.',
    example: '/// @custom:oz-upgrades-unsafe-allow enum-definition',
  },
  constructor: {
    title: 'Constructor in an upgradeable contract',
    severity: 'high',
    summary:
      'A constructor runs on the implementation, not on the proxy: whatever it sets is missing behind the proxy.',
    fix: 'Move the logic to an initializer; keep only `_disableInitializers()` with `@custom:oz-upgrades-unsafe-allow constructor`.',
    example: 'constructor(address admin) { _grantRole(DEFAULT_ADMIN_ROLE, admin); }',
  },
  delegatecall: {
    title: 'delegatecall in the implementation',
    severity: 'critical',
    summary:
      'A delegatecall runs foreign code with the proxy storage; to an attacker-chosen target it is a full takeover.',
    fix: 'Remove the delegatecall, or restrict the target to audited code and annotate the function as allowed.',
    example: 'function exec(address t, bytes calldata d) external { t.delegatecall(d); }',
  },
  selfdestruct: {
    title: 'selfdestruct in the implementation',
    severity: 'critical',
    summary:
      'A selfdestruct reachable on the implementation can destroy the code every proxy delegates to (Parity 2017).',
    fix: 'Remove the selfdestruct.',
    example: 'function kill() external onlyOwner { selfdestruct(payable(msg.sender)); }',
  },
  'missing-public-upgradeto': {
    title: 'UUPS implementation cannot upgrade',
    severity: 'critical',
    summary:
      'A UUPS implementation without a public upgradeToAndCall locks the proxy on this version forever.',
    fix: 'Inherit UUPSUpgradeable (and guard `_authorizeUpgrade`).',
    example:
      'contract VaultV2 is Initializable, IERC1822Proxiable { ... } // proxiableUUID but no upgradeToAndCall',
  },
  'internal-function-storage': {
    title: 'Internal function pointer in storage',
    severity: 'medium',
    summary: 'Internal function pointers are code offsets of one build; after an upgrade they jump anywhere.',
    fix: 'Store an enum or an external function reference instead, or reassign the pointer in every upgrade.',
    example: 'function(uint256) internal returns (uint256) private _priceHook;',
  },
  'missing-initializer': {
    title: 'Missing initializer',
    severity: 'high',
    summary: 'Parents need initialization but the contract defines no initializer to do it.',
    fix: 'Define an initializer that calls every parent initializer.',
    example: 'contract Vault is Initializable, OwnableUpgradeable { } // no initialize()',
  },
  'missing-initializer-call': {
    title: 'Parent initializer not called',
    severity: 'high',
    summary:
      "A parent contract's initializer is never called, so its state (owner, roles, name) stays unset.",
    fix: 'Call each parent initializer from your initializer.',
    example: 'function initialize() public initializer { } // __Ownable_init(owner) missing',
  },
  'duplicate-initializer-call': {
    title: 'Parent initializer called twice',
    severity: 'high',
    summary: 'A parent initializer runs twice, which reverts or resets the state it set the first time.',
    fix: 'Call each parent initializer exactly once.',
    example: 'function initialize() public initializer { __ERC20_init("V", "V"); __ERC20_init("V", "V"); }',
  },
  'incorrect-initializer-order': {
    title: 'Parent initializers called out of order',
    severity: 'medium',
    blocking: false,
    summary:
      'Parent initializers do not follow the linearization order; usually harmless, a bug when one parent initializer relies on state another sets (upgrades-core reports it as a warning, so it does not block).',
    fix: 'Call parent initializers in the order of the inheritance linearization.',
    example: 'function initialize() public initializer { __Pausable_init(); __Ownable_init(msg.sender); }',
  },
};
