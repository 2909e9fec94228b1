/**
 * The finding catalogue: the one place where ids, titles, default severities and fixes live.
 * docs/findings.md documents every id here (a test keeps the two in sync).
 */
import type { Finding, FindingStatus, Location, Severity } from './finding.js';

/**
 * upgrades-core's validation error kinds (`errorKinds` in its validate/run.js), listed here so that
 * rendering a report does not load upgrades-core. catalog.test.ts fails when upgrades-core adds a kind.
 */
export const UPGRADES_CORE_ERROR_KINDS = [
  'state-variable-assignment',
  'state-variable-immutable',
  'external-library-linking',
  'struct-definition',
  'enum-definition',
  'constructor',
  'delegatecall',
  'selfdestruct',
  'missing-public-upgradeto',
  'internal-function-storage',
  'missing-initializer',
  'missing-initializer-call',
  'duplicate-initializer-call',
  'incorrect-initializer-order',
] as const;

export interface CatalogEntry {
  id: string;
  title: string;
  severity: Severity;
  blocking: boolean;
  /** One sentence: what it means and why it matters. */
  summary: string;
  /** One sentence: how to fix it. */
  fix: string;
}

type UpgradeErrorKind = (typeof UPGRADES_CORE_ERROR_KINDS)[number];

const UPGRADES_CORE: Record<
  UpgradeErrorKind,
  Omit<CatalogEntry, 'id' | 'blocking'> & { blocking?: boolean }
> = {
  'state-variable-assignment': {
    title: 'State variable assigned at declaration',
    severity: 'high',
    summary: 'An inline initial value runs in the implementation constructor, so the proxy never sees it.',
    fix: 'Move the assignment into the initializer (or a reinitializer), or make it a constant.',
  },
  'state-variable-immutable': {
    title: 'Immutable variable in an upgradeable contract',
    severity: 'high',
    summary:
      'Immutables are set in the implementation bytecode, shared by every proxy and lost on the next upgrade.',
    fix: 'Use a constant or a storage variable set by the initializer; if deliberate, annotate it as allowed.',
  },
  'external-library-linking': {
    title: 'Linked external library',
    severity: 'medium',
    summary:
      'An externally linked library is code outside the audited implementation that can change or vanish.',
    fix: 'Use libraries with internal functions only, or verify the linked library by hand and acknowledge.',
  },
  'struct-definition': {
    title: 'Struct layout not checkable by this upgrades-core version',
    severity: 'medium',
    summary: 'The storage layout of a struct could not be verified.',
    fix: 'Update @openzeppelin/upgrades-core and run again.',
  },
  'enum-definition': {
    title: 'Enum layout not checkable by this upgrades-core version',
    severity: 'medium',
    summary: 'The storage layout of an enum could not be verified.',
    fix: 'Update @openzeppelin/upgrades-core and run again.',
  },
  constructor: {
    title: 'Constructor in an upgradeable contract',
    severity: 'high',
    summary:
      'A constructor runs on the implementation, not on the proxy: whatever it sets is missing behind the proxy.',
    fix: 'Move the logic to an initializer; keep only `_disableInitializers()` with `@custom:oz-upgrades-unsafe-allow constructor`.',
  },
  delegatecall: {
    title: 'delegatecall in the implementation',
    severity: 'critical',
    summary:
      'A delegatecall runs foreign code with the proxy storage; to an attacker-chosen target it is a full takeover.',
    fix: 'Remove the delegatecall, or restrict the target to audited code and annotate the function as allowed.',
  },
  selfdestruct: {
    title: 'selfdestruct in the implementation',
    severity: 'critical',
    summary:
      'A selfdestruct reachable through the proxy or on the implementation can brick every proxy (Parity 2017).',
    fix: 'Remove the selfdestruct.',
  },
  'missing-public-upgradeto': {
    title: 'UUPS implementation cannot upgrade',
    severity: 'critical',
    summary:
      'A UUPS implementation without a public upgradeToAndCall locks the proxy forever on this version.',
    fix: 'Inherit UUPSUpgradeable (and guard `_authorizeUpgrade`).',
  },
  'internal-function-storage': {
    title: 'Internal function pointer in storage',
    severity: 'medium',
    summary: 'Internal function pointers are code offsets of one build; after an upgrade they jump anywhere.',
    fix: 'Store external function references or an enum, or reassign the pointer during every upgrade.',
  },
  'missing-initializer': {
    title: 'Missing initializer',
    severity: 'high',
    summary: 'Parents need initialization but the contract defines no initializer to do it.',
    fix: 'Define an initializer that calls every parent initializer.',
  },
  'missing-initializer-call': {
    title: 'Parent initializer not called',
    severity: 'high',
    summary:
      "A parent contract's initializer is never called, so its state (owner, roles, name) stays unset.",
    fix: 'Call each parent initializer from your initializer.',
  },
  'duplicate-initializer-call': {
    title: 'Parent initializer called twice',
    severity: 'high',
    summary: 'A parent initializer runs twice, which reverts or resets state.',
    fix: 'Call each parent initializer exactly once.',
  },
  'incorrect-initializer-order': {
    title: 'Parent initializers called out of order',
    severity: 'low',
    blocking: false,
    summary:
      'Parent initializers do not follow the linearization order; usually harmless, sometimes a dependency bug.',
    fix: 'Call parent initializers in the order of the inheritance linearization.',
  },
};

const OWN: CatalogEntry[] = [
  {
    id: 'storage-layout-incompatible',
    title: 'Storage layout incompatible with the live version',
    severity: 'critical',
    blocking: true,
    summary:
      'A variable was deleted, inserted, reordered or retyped, so the new code reads the old data as something else (Audius 2022).',
    fix: 'Only append new variables (or use a gap / an ERC-7201 namespace); never reorder, delete or retype.',
  },
  {
    id: 'access-control-removed',
    title: 'Access guard removed from a state-changing function',
    severity: 'critical',
    blocking: true,
    summary: 'A function that only privileged callers could use is open to anyone after the upgrade.',
    fix: 'Restore the modifier or caller check (onlyOwner, onlyRole, require(msg.sender == …)).',
  },
  {
    id: 'access-control-missing',
    title: 'New state-changing function without an access guard',
    severity: 'high',
    blocking: true,
    summary: 'The patch adds a function that changes state and that anyone can call.',
    fix: 'Add the right guard, or acknowledge the finding if the function is meant to be public (like deposit).',
  },
  {
    id: 'implementation-initializable',
    title: 'Implementation contract can be initialized',
    severity: 'critical',
    blocking: true,
    summary:
      'The implementation does not call `_disableInitializers()` in its constructor, so anyone can initialize it and take it over (Wormhole 2022).',
    fix: 'Add `constructor() { _disableInitializers(); }` with `/// @custom:oz-upgrades-unsafe-allow constructor`.',
  },
  {
    id: 'uups-unprotected-upgrade',
    title: 'UUPS upgrade not access-controlled',
    severity: 'critical',
    blocking: true,
    summary:
      '`_authorizeUpgrade` has no access guard: anyone can replace the implementation behind the proxy.',
    fix: 'Guard `_authorizeUpgrade` with onlyOwner or onlyRole(UPGRADER_ROLE).',
  },
  {
    id: 'function-removed',
    title: 'Public function removed',
    severity: 'high',
    blocking: true,
    summary:
      'A function integrators, keepers or front ends call no longer exists; their calls revert after the upgrade.',
    fix: 'Keep the function (deprecated, forwarding to the new one) or coordinate the removal and acknowledge it.',
  },
  {
    id: 'function-changed',
    title: 'Function changed behind the same selector',
    severity: 'high',
    blocking: true,
    summary:
      'The selector is unchanged but the return types or mutability changed, so callers decode garbage or break.',
    fix: 'Add a new function with a new name instead of changing the existing one.',
  },
  {
    id: 'event-removed',
    title: 'Event removed',
    severity: 'medium',
    blocking: true,
    summary: 'An event indexers and monitors follow is no longer declared; they go blind after the upgrade.',
    fix: 'Keep emitting the event, or acknowledge the removal after informing its consumers.',
  },
  {
    id: 'function-added',
    title: 'Public function added',
    severity: 'info',
    blocking: false,
    summary: 'The patch adds an externally callable function; listed for reviewers.',
    fix: 'Nothing to fix; review it.',
  },
  {
    id: 'selector-clash',
    title: 'Selector clash with the proxy',
    severity: 'critical',
    blocking: true,
    summary:
      "An implementation function has the selector of one of the proxy's own functions, so calls reach the wrong code.",
    fix: 'Rename the function (or do not put a UUPS implementation behind a transparent proxy).',
  },
  {
    id: 'state-uninitialized',
    title: 'New state never initialized during the upgrade',
    severity: 'high',
    blocking: true,
    summary:
      'The patch adds state the code reads, but no reinitializer run by the upgrade sets it, so it keeps its zero value (Ronin 2022 style vacuous checks).',
    fix: 'Set it in a `reinitializer(n)` called by the upgrade calldata.',
  },
  {
    id: 'bytecode-selfdestruct',
    title: 'SELFDESTRUCT in the runtime bytecode',
    severity: 'high',
    blocking: true,
    summary: 'The runtime bytecode contains SELFDESTRUCT (from source, assembly or a library).',
    fix: 'Remove the code path that reaches selfdestruct.',
  },
  {
    id: 'bytecode-delegatecall',
    title: 'DELEGATECALL in the runtime bytecode',
    severity: 'high',
    blocking: true,
    summary:
      'The patch adds DELEGATECALL to the runtime bytecode (UUPS implementations always have one; only new ones block).',
    fix: 'Remove the delegatecall or restrict its target to audited code and acknowledge.',
  },
  {
    id: 'bytecode-callcode',
    title: 'CALLCODE in the runtime bytecode',
    severity: 'high',
    blocking: true,
    summary:
      'The runtime bytecode contains the deprecated CALLCODE, which runs foreign code against the proxy storage.',
    fix: 'Remove it.',
  },
  {
    id: 'namespaces-unchecked',
    title: 'ERC-7201 namespaced storage not verified',
    severity: 'high',
    blocking: true,
    summary:
      'Namespaced storage could not be laid out (a build-info from a solc version patchgate does not ship), so storage safety is unproven.',
    fix: 'Compile with the solc version patchgate ships, or let patchgate compile the sources.',
  },
  {
    id: 'simulation-reverted',
    title: 'The upgrade reverts on its governance path',
    severity: 'critical',
    blocking: true,
    summary:
      'Executed through the real path (Safe → timelock → ProxyAdmin/UUPS), a step reverted: on chain the operation would fail after the review window, leaving the bug live.',
    fix: 'Fix the revert named in the message (often the upgrade initializer or its calldata) and simulate again.',
  },
  {
    id: 'upgrade-not-applied',
    title: 'The proxy does not point at the candidate after the upgrade',
    severity: 'critical',
    blocking: true,
    summary:
      'The governance path completed but the proxy implementation slot does not hold the candidate implementation.',
    fix: 'Check the upgrade target (ProxyAdmin or UUPS proxy) and calldata in the patch.',
  },
  {
    id: 'invariant-broken',
    title: 'An invariant does not hold',
    severity: 'critical',
    blocking: true,
    summary:
      'A property the protocol declares (a view call compared with a value) is false after the upgrade — or already false on the live version, which voids the simulation.',
    fix: 'Fix the patch (or its upgrade initializer) so the invariant holds; if it failed before the upgrade, fix the invariant or the setup.',
  },
  {
    id: 'replay-difference',
    title: 'A user flow behaves differently after the upgrade',
    severity: 'high',
    blocking: true,
    summary:
      'The same transaction, replayed before and after the upgrade, changes status or moves different amounts (blocking), or returns or emits something else (low, listed for review).',
    fix: 'Make sure the change is intended; a flow that now reverts or moves other amounts breaks users.',
  },
  {
    id: 'storage-unexpected-change',
    title: 'The upgrade wrote existing state it was not expected to',
    severity: 'high',
    blocking: true,
    summary:
      'During the upgrade transaction a proxy slot holding existing state changed, beyond the implementation slot, the initializer version and the variables the patch adds — the signature of a backdoor or a wrong initializer.',
    fix: "Remove the write, or declare the variable in the patch's expectStorage if the upgrade is meant to change it.",
  },
  {
    id: 'poc-not-reproduced',
    title: 'The exploit PoC does not work on the live version',
    severity: 'high',
    blocking: true,
    summary: 'A PoC that fails before the upgrade proves nothing about the fix: the evidence is void.',
    fix: 'Make the PoC reproduce the attack on the pre-upgrade system (setup, funding, arguments).',
  },
  {
    id: 'poc-still-exploitable',
    title: 'The exploit still works after the upgrade',
    severity: 'critical',
    blocking: true,
    summary: 'The PoC that drains the live version still makes a profit against the patched system.',
    fix: 'The patch does not fix the bug: fix it and simulate again.',
  },
];

function buildCatalog(): Record<string, CatalogEntry> {
  const out: Record<string, CatalogEntry> = {};
  for (const kind of UPGRADES_CORE_ERROR_KINDS) {
    const e = UPGRADES_CORE[kind];
    out[`upgrade-unsafe-${kind}`] = { id: `upgrade-unsafe-${kind}`, blocking: true, ...e };
  }
  for (const e of OWN) out[e.id] = e;
  return out;
}

export const CATALOG: Readonly<Record<string, CatalogEntry>> = buildCatalog();

export function catalogEntry(id: string): CatalogEntry {
  const entry = CATALOG[id];
  if (!entry) throw new Error(`internal: finding id "${id}" is not in the catalogue`);
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
export function makeFinding(id: string, fields: FindingFields): Finding {
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
