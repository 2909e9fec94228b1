/**
 * The finding catalogue: titles, default severities, fixes and examples, one entry per id of FINDING_IDS
 * (core/finding-ids.ts). docs/findings.md documents every id by hand; catalog.test.ts keeps the three in sync.
 */
import { internalError } from '../core/errors.js';
import type { Finding, FindingStatus, Location, Severity } from '../core/finding.js';
import { FINDING_IDS, type FindingId } from '../core/finding-ids.js';
import type { CatalogEntry } from './catalog-entry.js';
import { LIFECYCLE_ENTRIES } from './catalog-lifecycle.js';
import { PROVE_ENTRIES } from './catalog-prove.js';
import { SCAN_ENTRIES } from './catalog-scan.js';
import { UPGRADES_CORE, type UpgradeErrorKind } from './catalog-upgrades-core.js';
import { WATCH_ENTRIES } from './catalog-watch.js';

const OWN: CatalogEntry[] = [
  {
    id: 'storage-layout-incompatible',
    title: 'Storage layout incompatible with the live version',
    severity: 'critical',
    blocking: true,
    summary:
      'A variable was deleted, inserted, reordered or retyped (or a gap or namespace misused), so the new code reads the old data as something else (Audius 2022).',
    fix: 'Only append new variables (or shrink a gap, or add to an ERC-7201 namespace); never reorder, delete or retype.',
    example:
      'VaultV1: Inserted `withdrawalLimit`\n  > New variables should be placed after all existing inherited variables',
  },
  {
    id: 'access-control-removed',
    title: 'Access guard removed from a state-changing function',
    severity: 'critical',
    blocking: true,
    summary:
      'A function that only privileged callers could use (a modifier or a msg.sender check) is open to anyone after the upgrade and still acts: it writes storage, moves value, calls out, creates or selfdestructs.',
    fix: 'Restore the modifier or caller check (onlyOwner, onlyRole, require(msg.sender == …)).',
    example:
      'function setFeeRecipient(address r) public override { _setFeeRecipient(r); } // onlyRole dropped',
  },
  {
    id: 'access-control-missing',
    title: 'New state-changing function without an access guard',
    severity: 'high',
    blocking: true,
    summary:
      'The patch adds an external or public function that anyone can call and that acts: it writes storage, moves value, calls out, creates or selfdestructs (judged by what it executes, not by its declared mutability).',
    fix: 'Add the right guard, or acknowledge the finding if the function is meant to be public (like deposit).',
    example: 'function claimFor(address staker) external { ... } // new, anyone can call',
  },
  {
    id: 'implementation-initializable',
    title: 'Implementation contract can be initialized',
    severity: 'critical',
    blocking: true,
    summary:
      'The implementation does not call `_disableInitializers()` in its constructor, so anyone can initialize it and take it over (Wormhole 2022).',
    fix: 'Add `constructor() { _disableInitializers(); }` with `/// @custom:oz-upgrades-unsafe-allow constructor`.',
    example: 'contract VaultV2 is Initializable, UUPSUpgradeable { } // no constructor locking initializers',
  },
  {
    id: 'uups-unprotected-upgrade',
    title: 'UUPS upgrade not access-controlled',
    severity: 'critical',
    blocking: true,
    summary:
      '`_authorizeUpgrade` has no access guard: anyone can replace the implementation behind the proxy.',
    fix: 'Guard `_authorizeUpgrade` with onlyOwner or onlyRole(UPGRADER_ROLE).',
    example: 'function _authorizeUpgrade(address) internal override {}',
  },
  {
    id: 'function-removed',
    title: 'Public function removed',
    severity: 'high',
    blocking: true,
    summary:
      'A public or external function of the live version is gone; integrators, keepers and front ends that call it revert after the upgrade.',
    fix: 'Keep the function (deprecated, forwarding to the new one) or coordinate the removal and acknowledge it.',
    example: 'V1: function sharePrice() external view returns (uint256)\nV2: (removed)',
  },
  {
    id: 'function-changed',
    title: 'Function changed behind the same selector',
    severity: 'high',
    blocking: true,
    summary:
      'The selector is unchanged but the return types or mutability changed (view to non-view, payable added or dropped), so callers decode garbage or break.',
    fix: 'Add a new function with a new name instead of changing the existing one.',
    example:
      'V1: function sharePrice() external view returns (uint256)\nV2: function sharePrice() external returns (uint256, uint8)',
  },
  {
    id: 'function-returns-extended',
    title: 'Function returns more values after the old ones',
    severity: 'low',
    blocking: false,
    summary:
      'The selector is unchanged and the function returns the same static values as before followed by new ones (a public struct getter whose struct gained a trailing member): callers decoding the old shape still read the same values.',
    fix: 'Nothing to fix if callers only need the old values; tell integrators about the new ones.',
    example:
      'V1: entries(uint256) returns (uint256,address)\nV2: entries(uint256) returns (uint256,address,bool)',
  },
  {
    id: 'event-removed',
    title: 'Event removed',
    severity: 'medium',
    blocking: true,
    summary:
      'An event of the live version is no longer declared; indexers and monitors that follow it go blind.',
    fix: 'Keep declaring and emitting the event, or acknowledge the removal after informing its consumers.',
    example: 'V1: event FlashLoanServed(address indexed to, uint256 amount, uint256 fee)\nV2: (removed)',
  },
  {
    id: 'function-added',
    title: 'Public function added',
    severity: 'info',
    blocking: false,
    summary: 'The patch adds an externally callable function; listed so reviewers look at it.',
    fix: 'Nothing to fix; review it.',
    example: 'initializeV2(uint256) (0x5b4e128c) is new in VaultV2',
  },
  {
    id: 'selector-clash',
    title: 'Selector clash with the proxy',
    severity: 'critical',
    blocking: true,
    summary:
      "An implementation function has the selector of one of the proxy's own functions (transparent proxy `upgradeToAndCall(address,bytes)`), so callers reach the proxy instead of the implementation, or the reverse.",
    fix: 'Rename the function, or do not put a UUPS implementation behind a transparent proxy.',
    example:
      'VaultV2.upgradeToAndCall(address,bytes) 0x4f1ef286 = TransparentUpgradeableProxy.upgradeToAndCall',
  },
  {
    id: 'state-uninitialized',
    title: 'New state never initialized during the upgrade',
    severity: 'high',
    blocking: true,
    summary:
      "The patch adds a state variable that code reachable from an entry point reads, but neither the upgrade's reinitializer nor any function the live proxy can run assigns it, so the check it feeds is vacuous at its zero value (Ronin bridge, August 2024). Set only by a setter: reported as info; a write that can never take effect (after a return, under if (false), followed by a revert) sets nothing.",
    fix: 'Set it in a `reinitializer(n)` that the upgrade calldata calls.',
    example: 'uint256 public largeWithdrawalThreshold; // new, read in _withdraw, set by no reinitializer',
  },
  {
    id: 'initializer-not-rerunnable',
    title: 'New function uses `initializer` on an initialized proxy',
    severity: 'medium',
    blocking: false,
    summary:
      'A function the patch adds is guarded by `initializer`, but the live proxy already ran its initializer, so it always reverts there (InvalidInitialization): an upgrade that calls it fails and the state it sets is never set. Not blocking: the simulate stage catches the revert when the upgrade calls it, and state-uninitialized judges the state.',
    fix: 'Use `reinitializer(N)` with N above the live version, and call it in the upgrade calldata.',
    example: 'function initializeV2(address t) external initializer { treasury = t; } // live proxy: reverts',
  },
  {
    id: 'bytecode-selfdestruct',
    title: 'SELFDESTRUCT in the runtime bytecode',
    severity: 'high',
    blocking: true,
    summary:
      'The runtime bytecode contains SELFDESTRUCT (from source, assembly or a library); unchanged occurrences are reported as info.',
    fix: 'Remove the code path that reaches selfdestruct.',
    example: 'assembly { selfdestruct(to) }',
  },
  {
    id: 'bytecode-delegatecall',
    title: 'DELEGATECALL in the runtime bytecode',
    severity: 'high',
    blocking: true,
    summary:
      'The patch adds DELEGATECALL to the runtime bytecode (UUPS implementations always have one; only new ones block).',
    fix: 'Remove the delegatecall, or restrict its target to audited code and acknowledge.',
    example: 'assembly { let ok := delegatecall(gas(), target, 0, n, 0, 0) }',
  },
  {
    id: 'bytecode-callcode',
    title: 'CALLCODE in the runtime bytecode',
    severity: 'high',
    blocking: true,
    summary:
      'The runtime bytecode contains the deprecated CALLCODE, which runs foreign code against the proxy storage.',
    fix: 'Remove the code that emits CALLCODE.',
    example: 'assembly { pop(callcode(gas(), t, 0, 0, 0, 0, 0)) }',
  },
  {
    id: 'namespaces-unchecked',
    title: 'ERC-7201 namespaced storage not verified',
    severity: 'high',
    blocking: true,
    summary:
      'ERC-7201 namespaced storage could not be laid out (e.g. a build-info from a solc version patchgate does not ship), so storage safety is unproven and the gate fails closed.',
    fix: 'Compile with the solc version patchgate ships, or let patchgate compile the sources.',
    example: 'build-info from solc 0.8.26 with `@custom:storage-location erc7201:vault.main` structs',
  },
  {
    id: 'namespace-conflict',
    title: 'ERC-7201 namespace defined twice',
    severity: 'critical',
    blocking: true,
    summary:
      'Two structs of one inheritance tree declare the same `@custom:storage-location erc7201:` id, so both live at the same slot and overwrite each other.',
    fix: 'Give each namespaced struct its own namespace id (or merge the two structs into one).',
    example:
      'Ledger.MainStorage and Rewards.RewardsStorage both `@custom:storage-location erc7201:bridge.main`',
  },
  {
    id: 'layout-clash',
    title: '`layout at` storage overlaps an ERC-7201 namespace',
    severity: 'critical',
    blocking: true,
    summary:
      "The contract's variables, moved by `layout at <slot>` (solc 0.8.29+), occupy slots of an ERC-7201 namespace of the same contract, so the two overwrite each other.",
    fix: 'Move the `layout at` base away from every namespace (or use a different namespace id).',
    example: 'contract V layout at 0xdde7…a600 { /// @custom:storage-location erc7201:bridge.clash … }',
  },
  {
    id: 'namespace-slot-mismatch',
    title: 'ERC-7201 accessor points away from the annotated slot',
    severity: 'critical',
    blocking: true,
    summary:
      "A namespace's storage is checked at the slot its `@custom:storage-location erc7201:<id>` names, but its accessor assigns `$.slot` a constant with another value: the code reads and writes storage no check looked at (often another namespace, such as OwnableStorage's owner).",
    fix: 'Set the location constant to keccak256(abi.encode(uint256(keccak256("<id>")) - 1)) & ~bytes32(uint256(0xff)) for the annotated id.',
    example: 'bytes32 private constant MAIN_LOCATION = 0x9016…9300; // OwnableStorage, not erc7201:good.ns',
  },
  {
    id: 'namespace-slot-unverified',
    title: 'ERC-7201 accessor slot cannot be read',
    severity: 'high',
    blocking: true,
    summary:
      "A namespace's accessor assigns `$.slot` something patchgate cannot evaluate (arithmetic, a call, a parameter, a variable assigned twice): the storage checks assumed the annotated slot, and nothing shows the code uses it.",
    fix: 'Assign the slot from a `bytes32 private constant` written as the literal ERC-7201 slot of the annotated id, as OpenZeppelin does; or acknowledge with --allow after checking it by hand.',
    example: 'assembly { $.slot := add(LOCATION, 1) }',
  },
  {
    id: 'no-initializer',
    title: 'Plain storage contract without an initializer',
    severity: 'info',
    blocking: false,
    summary:
      'The implementation does not inherit Initializable: it has no initializer, so the proxy state is only set by ordinary functions and the initializer checks do not apply.',
    fix: 'Nothing to fix if the proxy needs no initialization; otherwise inherit Initializable and add an initializer.',
    example: 'contract PlainV2 { uint256 public value; address public keeper; ... } // no Initializable',
  },
  {
    id: 'not-upgradeable',
    title: 'Not an upgradeable implementation',
    severity: 'high',
    blocking: true,
    summary:
      'The reference or candidate is not a contract that can sit behind a proxy: an interface, a library or an abstract contract.',
    fix: 'Pass the concrete implementation contract behind the proxy.',
    example: 'candidate src/IVault.sol:IVault is an interface, not a contract that can sit behind a proxy',
  },
  {
    id: 'simulation-reverted',
    title: 'The upgrade reverts on its governance path',
    severity: 'critical',
    blocking: true,
    summary:
      'Executed through the real path (Safe → timelock → ProxyAdmin/UUPS), a step reverted: on chain the operation would fail after the review window, leaving the bug live.',
    fix: 'Fix the revert named in the message (often the upgrade initializer or its calldata) and simulate again.',
    example: 'safe-execute reverted: InvalidBps(5000)',
  },
  {
    id: 'upgrade-not-applied',
    title: 'The proxy does not point at the candidate after the upgrade',
    severity: 'critical',
    blocking: true,
    summary:
      'The governance path completed but the proxy implementation slot does not hold the candidate implementation.',
    fix: 'Check the upgrade target (ProxyAdmin or UUPS proxy) and calldata in the patch.',
    example: 'implementation slot holds 0x5FbD…0aa3 after the upgrade, expected the candidate 0xe7f1…0512',
  },
  {
    id: 'invariant-broken',
    title: 'An invariant does not hold',
    severity: 'critical',
    blocking: true,
    summary:
      'A property the protocol declares (a view call compared with a value) is false after the upgrade — or already false on the live version, which voids the simulation.',
    fix: 'Fix the patch (or its upgrade initializer) so the invariant holds; if it failed before the upgrade, fix the invariant or the setup.',
    example:
      'invariant large-withdrawal-guard-armed (vault.largeWithdrawalThreshold() > 0) is broken after the upgrade: got 0',
  },
  {
    id: 'replay-difference',
    title: 'A user flow behaves differently after the upgrade',
    severity: 'high',
    blocking: true,
    summary:
      'The same transaction, replayed before and after the upgrade, changes status or moves different amounts (blocking), or returns or emits something else (low, listed for review).',
    fix: 'Make sure the change is intended; a flow that now reverts or moves other amounts breaks users.',
    example:
      'replay[1] user:1 → vault.withdraw(500000000, @user:1, @user:1): status differ — before success, after reverted',
  },
  {
    id: 'storage-unexpected-change',
    title: 'The upgrade wrote existing state it was not expected to',
    severity: 'high',
    blocking: true,
    summary:
      'During the upgrade transaction a proxy slot holding existing state changed, beyond the implementation slot, the initializer version and the variables the patch adds — the signature of a backdoor or a wrong initializer.',
    fix: "Remove the write, or declare the variable in the patch's expectStorage if the upgrade is meant to change it.",
    example: 'VaultV2Core.feeRecipient changed 0x…70997970 → 0x…f39fd6e5 during the upgrade',
  },
  {
    id: 'poc-not-reproduced',
    title: 'The exploit PoC does not work on the live version',
    severity: 'high',
    blocking: true,
    summary: 'A PoC that fails before the upgrade proves nothing about the fix: the evidence is void.',
    fix: 'Make the PoC reproduce the attack on the pre-upgrade system (setup, funding, arguments).',
    example: 'poc drain-via-flashloan: before failed (ERC20InsufficientBalance), expected a profit',
  },
  {
    id: 'poc-still-exploitable',
    title: 'The exploit still works after the upgrade',
    severity: 'critical',
    blocking: true,
    summary: 'The PoC that drains the live version still makes a profit against the patched system.',
    fix: 'The patch does not fix the bug: fix it and simulate again.',
    example: 'poc drain-via-flashloan: before succeeded (profit 1000000), after succeeded (profit 1000000)',
  },
  {
    id: 'behaviour-changed',
    title: 'A function the patch did not change behaves differently after the upgrade',
    severity: 'high',
    blocking: true,
    summary:
      "simulate's differential fuzzing ran generated calls on a function whose code the patch leaves as it is, before and after the upgrade, and one answered differently (return or revert data, events or storage writes): the upgrade changed its behaviour through state (an initializer's write, a shifted layout), not through its code — nobody reviewing the diff saw it.",
    fix: 'Find what the upgrade changed that this function reads (the storage diff of the upgrade, the initializer); remove the change or make it explicit in the patch and its review.',
    example:
      'flashFee(address,uint256) behaves differently: @user:1 calls flashFee(@token, 100) — before returned "0", after returned "1"',
  },
  {
    id: 'behaviour-changed-expected',
    title: 'A function the patch changed behaves differently (for the review)',
    severity: 'info',
    blocking: false,
    summary:
      "simulate's differential fuzzing found a call on which a function the patch changed answers differently before and after the upgrade. That is what a patch is for; the minimal call shows reviewers what changed in behaviour, not only in code.",
    fix: 'Read the call and check that this is the intended change; nothing to do when it is.',
    example:
      'maxFlashLoan(address) behaves differently: @user:1 calls maxFlashLoan(@token) — before returned "60000000000", after returned "30000000000"',
  },
  {
    id: 'fuzz-incomplete',
    title: 'Differential fuzzing did not reach every function',
    severity: 'medium',
    blocking: true,
    summary:
      "simulate's differential fuzzing left functions without a single call: its time budget ran out, or a parameter type is one the fuzzer does not generate. Whether those functions behave as before was not checked, and what was not checked does not pass.",
    fix: "Raise the config's fuzz.timeBudgetMs (or lower fuzz.runs) and simulate again; for a type the fuzzer cannot generate, test the function yourself and acknowledge the id with the reason.",
    example:
      'VaultV2: 3 of 47 functions got no call — the time budget (20000 ms) was spent: redeem(uint256,address,address), …',
  },
];

function buildCatalog(): Record<FindingId, CatalogEntry> {
  const byId = new Map<FindingId, CatalogEntry>();
  const add = (e: CatalogEntry) => {
    if (byId.has(e.id)) throw internalError(`finding id "${e.id}" has two catalogue entries`);
    byId.set(e.id, e);
  };
  for (const kind of Object.keys(UPGRADES_CORE) as UpgradeErrorKind[]) {
    // Compiles only while every upgrades-core kind has its id in FINDING_IDS.
    const id: FindingId = `upgrade-unsafe-${kind}`;
    add({ id, blocking: true, ...UPGRADES_CORE[kind] });
  }
  for (const e of [...OWN, ...SCAN_ENTRIES, ...PROVE_ENTRIES, ...LIFECYCLE_ENTRIES, ...WATCH_ENTRIES]) add(e);
  const out = {} as Record<FindingId, CatalogEntry>;
  for (const id of FINDING_IDS) {
    const entry = byId.get(id);
    if (!entry)
      throw internalError(`finding id "${id}" has no catalogue entry`, 'add it to src/analyze/catalog.ts');
    out[id] = entry;
  }
  return out;
}

/** Exactly one entry per FindingId, in FINDING_IDS order. */
export const CATALOG: Readonly<Record<FindingId, CatalogEntry>> = buildCatalog();

/** The entry for an id; an unknown id is a bug in the detector that asked, not a user error. */
export function catalogEntry(id: FindingId): CatalogEntry {
  const entry: CatalogEntry | undefined = CATALOG[id];
  if (!entry) {
    throw internalError(
      `finding id "${id}" is not in the catalogue`,
      'add it to src/analyze/catalog.ts and docs/findings.md',
    );
  }
  return entry;
}

export interface FindingFields {
  message: string;
  location?: Location;
  status?: FindingStatus;
  severity?: Severity;
  blocking?: boolean;
  hint?: string;
  key?: string;
}

/** A finding with title, severity, blocking and fix hint filled from the catalogue (each overridable). */
export function makeFinding(id: FindingId, fields: FindingFields): Finding {
  const entry = catalogEntry(id);
  return {
    id,
    severity: fields.severity ?? entry.severity,
    title: entry.title,
    message: fields.message,
    hint: fields.hint ?? entry.fix,
    ...(fields.location ? { location: fields.location } : {}),
    ...(fields.status ? { status: fields.status } : {}),
    blocking: fields.blocking ?? entry.blocking,
    ...(fields.key !== undefined ? { key: fields.key } : {}),
  };
}
