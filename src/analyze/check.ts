/**
 * `checkUpgrade`: everything that can be proven about a patch without running it. Compares the live
 * implementation (reference) with the patch (candidate) and returns findings with their status
 * relative to the reference (introduced / fixed / unchanged).
 */
import { join } from 'node:path';
import { compiled, ensureNamespaced, findContract } from '../build/index.js';
import type { ContractHandle, Project } from '../build/types.js';
import { inputError } from '../core/errors.js';
import { type Finding, SEVERITIES } from '../core/finding.js';
import type { ProofEntry } from '../prove/targets.js';
import { keccakBytesHex } from './abi.js';
import { type Acknowledgement, applyAcknowledgements } from './acknowledge.js';
import { type ContractView, contractView, inherits } from './ast.js';
import { makeFinding } from './catalog.js';
import { abiDiff } from './detectors/abi-diff.js';
import { accessControlDiff } from './detectors/access-control.js';
import { implementationInitializable } from './detectors/initializable.js';
import { initializerNotRerunnable } from './detectors/initializer-rerun.js';
import { dangerousOpcodes } from './detectors/opcodes.js';
import { selectorClash } from './detectors/selector-clash.js';
import { uninitializedState } from './detectors/state-uninitialized.js';
import { storageConflicts } from './detectors/storage-conflicts.js';
import { uupsUnprotectedUpgrade } from './detectors/uups-auth.js';
import { type LayoutChange, layoutDiff } from './layout-diff.js';
import { type ProveOptions, proveUpgrade } from './prove-stage.js';
import { findReference } from './reference.js';
import { scanDiff } from './scan/run.js';
import {
  locationFromSrc,
  type ProxyKind,
  StorageConflictError,
  storageFindings,
  storageLayoutOf,
  upgradeSafetyFindings,
} from './upgrades.js';

export type { Acknowledgement } from './acknowledge.js';

export interface CheckUpgradeParameters {
  project: Project;
  /**
   * Where the reference is looked up when it is not `project` (the candidate's): the build of a git revision, of a
   * block explorer's sources, or the one that matches the chain. Then reference and candidate may share a name.
   */
  referenceProject?: Project;
  reference: string;
  candidate: string;
  kind?: ProxyKind;
  acknowledge?: readonly Acknowledgement[];
  /** Run the prove stage (SMTChecker) with these limits; `false`: the team turned it off (a skipped stage). */
  prove?: ProveOptions | false;
}

export interface ContractSummary {
  name: string;
  fullyQualifiedName: string;
  /** keccak256 of the runtime bytecode as compiled (metadata included). */
  bytecodeHash: `0x${string}`;
}

export interface CheckResult {
  reference: ContractSummary;
  candidate: ContractSummary;
  kind: ProxyKind;
  /** How the kind was decided. */
  kindSource: 'given' | 'inferred';
  findings: Finding[];
  /**
   * The storage positions whose variable differs between the two versions (absent when none does, or when
   * upgrades-core could not lay the storage out): the table a reviewer reads beside the storage findings.
   */
  storageLayout?: LayoutChange[];
  /** The prove stage's targets and outcomes, when it ran (both versions' fix property, the candidate's assertions). */
  proofs?: ProofEntry[];
  /** The prove stage's wall time (not evidence: left out of the digest). */
  proveMs?: number;
  /** The config turned the prove stage off: it is reported as skipped, never as passed. */
  proveOff?: true;
}

function summary(handle: ContractHandle): ContractSummary {
  const object = compiled(handle).evm.deployedBytecode.object;
  return {
    name: handle.name,
    fullyQualifiedName: handle.fullyQualifiedName,
    bytecodeHash: keccakBytesHex(object),
  };
}

/**
 * Deployable behind a proxy: a concrete contract. Interfaces, libraries and abstract contracts are refused
 * (checking them proves nothing); a plain storage contract without Initializable is checked like any other.
 */
function assertUpgradeable(view: ContractView, role: string): void {
  if (view.def.contractKind !== 'contract') {
    const kind = view.def.contractKind;
    throw inputError(
      'not-upgradeable',
      `${role} ${view.handle.fullyQualifiedName} is ${kind === 'interface' ? 'an' : 'a'} ${kind}, not a contract that can sit behind a proxy`,
      'pass the implementation contract',
    );
  }
  if (view.def.abstract) {
    throw inputError(
      'not-upgradeable',
      `${role} ${view.handle.fullyQualifiedName} is abstract and cannot be deployed as an implementation`,
      'pass the concrete implementation contract that inherits it',
    );
  }
}

/** `no-initializer`: a plain storage contract (no Initializable), listed so reviewers know no initializer runs. */
function plainStorage(view: ContractView): Finding[] {
  if (inherits(view, 'Initializable')) return [];
  return [
    makeFinding('no-initializer', {
      message: `${view.def.name} does not inherit Initializable: it has no initializer, so the proxy state is set only by its ordinary functions and the initializer checks do not apply.`,
      location: { file: view.handle.sourceName, line: view.lineOf(view.def), contract: view.def.name },
      key: 'plain',
    }),
  ];
}

function inferKind(view: ContractView): ProxyKind {
  const methods = compiled(view.handle).evm.methodIdentifiers;
  return 'proxiableUUID()' in methods && 'upgradeToAndCall(address,bytes)' in methods
    ? 'uups'
    : 'transparent';
}

function identity(f: Finding): string {
  return `${f.id}|${f.key ?? f.location?.function ?? ''}`;
}

/** Findings of one-version detectors, run on both versions, with their status relative to the reference. */
function compareVersions(before: Finding[], after: Finding[]): Finding[] {
  const old = new Map(before.map((f) => [identity(f), f]));
  const now = new Set(after.map(identity));
  const out: Finding[] = after.map((f) => ({
    ...f,
    status: old.has(identity(f)) ? 'unchanged' : 'introduced',
  }));
  // A problem the patch removes does not block anything: it is reported as fixed, never as blocking.
  for (const f of before) if (!now.has(identity(f))) out.push({ ...f, status: 'fixed', blocking: false });
  return out;
}

function singleVersionFindings(view: ContractView, kind: ProxyKind): Finding[] {
  return [
    ...implementationInitializable(view),
    ...uupsUnprotectedUpgrade(view),
    ...dangerousOpcodes(view),
    ...selectorClash(view, kind),
    ...plainStorage(view),
  ];
}

const STATUS_ORDER = { introduced: 0, unchanged: 1, fixed: 2 } as const;

/** Dependency sources (npm packages, Foundry lib/) sort after the project's own at equal severity. */
function inDependency(f: Finding): number {
  const file = f.location?.file ?? '';
  return file.startsWith('@') || file.includes('node_modules/') || file.startsWith('lib/') ? 1 : 0;
}

function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      STATUS_ORDER[a.status ?? 'introduced'] - STATUS_ORDER[b.status ?? 'introduced'] ||
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      inDependency(a) - inDependency(b) ||
      a.id.localeCompare(b.id) ||
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0),
  );
}

/** ERC-7201 namespace id → the struct declaration that defines it, over the contract's linearization. */
function namespacesOf(view: ContractView): Map<string, number> {
  const out = new Map<string, number>();
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType !== 'StructDefinition') continue;
      const doc = typeof node.documentation === 'object' && node.documentation ? node.documentation.text : '';
      const id = /@custom:storage-location\s+(\S+)/.exec(doc ?? '')?.[1];
      if (id) out.set(id, node.id);
    }
  }
  return out;
}

/**
 * Whether both versions lay out exactly the same namespaces: the same ids defined by the very same struct
 * declarations of one compilation (same AST node, hence same members, types and nested types). Then the
 * namespaced storage cannot have changed and its slot-level layout need not be computed.
 */
function sameNamespaces(a: ContractView, b: ContractView): boolean {
  if (a.unit !== b.unit) return false;
  const x = namespacesOf(a);
  const y = namespacesOf(b);
  return x.size === y.size && [...x].every(([id, node]) => y.get(id) === node);
}

/**
 * What needs upgrades-core's storage layout: the layout comparison, its upgrade-safety rules, new-state
 * initialization. One validation covers both versions (the two source files and what they import). A storage
 * conflict upgrades-core refuses to lay out comes back as the error, for `withRefusal`; any other error is
 * not recognised and propagates (an internal error: fail closed).
 */
function upgradesCoreFindings(
  reference: ContractView,
  candidate: ContractView,
  kind: ProxyKind,
): Finding[] | StorageConflictError {
  const roots = [reference.handle.sourceName, candidate.handle.sourceName];
  try {
    return [
      ...storageFindings(reference.handle, candidate.handle, kind, roots),
      ...compareVersions(
        upgradeSafetyFindings(reference, kind, roots),
        upgradeSafetyFindings(candidate, kind, roots),
      ),
      ...uninitializedState(
        reference,
        candidate,
        storageLayoutOf(reference.handle, roots),
        storageLayoutOf(candidate.handle, roots),
      ),
    ];
  } catch (e) {
    if (e instanceof StorageConflictError) return e;
    throw e;
  }
}

/**
 * The findings with upgrades-core's refusal in them: added to the matching conflict patchgate found itself, or
 * as a finding of its own (blocking: storage safety is unproven while upgrades-core cannot lay it out).
 */
function withRefusal(findings: Finding[], e: StorageConflictError): Finding[] {
  const note = ` upgrades-core refuses to lay out ${e.contract} ("${e.message}"), so the storage layout comparison and its upgrade-safety checks did not run.`;
  const key = `${e.kind === 'namespace-conflict' ? 'namespace' : 'layout'}:${e.namespace}`;
  const same = findings.findIndex((f) => f.id === e.kind && f.key === key && f.status !== 'fixed');
  if (same >= 0) {
    return findings.map((f, i) => (i === same ? { ...f, message: f.message + note } : f));
  }
  const message = `${e.contract}: ${e.message} (${e.sources.join(', ') || 'no location given'}).${note}`;
  const location = locationFromSrc(e.sources[0], e.contract);
  return [
    ...findings,
    makeFinding(e.kind, { message, ...(location ? { location } : {}), status: 'introduced', key }),
  ];
}

/** Whether a contract moves its variables with `layout at` (solc 0.8.29+). */
function hasLayoutAt(view: ContractView): boolean {
  return (view.def as { storageLayout?: unknown }).storageLayout !== undefined;
}

/**
 * The findings before acknowledgements: a pure function of the compiled project and the parameters.
 *
 * @example
 * ```ts
 * const project = await loadProject({ dir: 'examples/vault', stateDir: '.patchgate' });
 * const { findings, kind } = await analyzeUpgrade({ project, reference: 'VaultV1', candidate: 'VaultV2' });
 * ```
 */
export async function analyzeUpgrade(
  params: Omit<CheckUpgradeParameters, 'acknowledge'> & { stateDir?: string },
): Promise<CheckResult> {
  const refHandle = findReference(params.referenceProject ?? params.project, params.reference);
  const candHandle = findContract(params.project, params.candidate);
  if (!params.referenceProject && refHandle.fullyQualifiedName === candHandle.fullyQualifiedName) {
    throw inputError(
      'same-contract',
      `reference and candidate are the same contract (${refHandle.fullyQualifiedName})`,
      'pass the live implementation as --reference and the patched one as --candidate',
    );
  }
  const reference = contractView(refHandle);
  const candidate = contractView(candHandle);
  assertUpgradeable(reference, 'reference');
  assertUpgradeable(candidate, 'candidate');
  const kind = params.kind ?? inferKind(candidate);

  const findings: Finding[] = [];
  let namespacesUnproven = false;
  // Namespaced layouts: to compare namespaces that differ, and to size the namespaces a `layout at` may overlap
  // (without them, storage-conflicts estimates the size; only differing namespaces are then unproven).
  const differ = !sameNamespaces(reference, candidate);
  if (
    (refHandle.unit.hasNamespaces || candHandle.unit.hasNamespaces) &&
    (differ || hasLayoutAt(reference) || hasLayoutAt(candidate))
  ) {
    for (const unit of new Set([refHandle.unit, candHandle.unit])) {
      if (!(await ensureNamespaced(unit, params.stateDir)) && differ) namespacesUnproven = true;
    }
  }
  if (namespacesUnproven) {
    findings.push(
      makeFinding('namespaces-unchecked', {
        message: `ERC-7201 namespaced storage differs between ${refHandle.name} and ${candHandle.name} but could not be laid out (the build-info was made by solc ${candHandle.unit.solcVersion}, which patchgate does not ship), so namespaced storage safety is unproven.`,
        location: {
          file: candHandle.sourceName,
          line: candidate.lineOf(candidate.def),
          contract: candHandle.name,
        },
        status: 'introduced',
        key: 'namespaces',
      }),
    );
  }
  const conflicts = compareVersions(storageConflicts(reference), storageConflicts(candidate));
  findings.push(...conflicts);
  findings.push(
    ...compareVersions(singleVersionFindings(reference, kind), singleVersionFindings(candidate, kind)),
  );
  findings.push(...abiDiff(reference, candidate));
  findings.push(...accessControlDiff(reference, candidate));
  findings.push(...initializerNotRerunnable(reference, candidate));
  findings.push(...scanDiff(reference, candidate));
  const cacheDir = params.stateDir ? join(params.stateDir, 'cache') : undefined;
  const proved = params.prove
    ? await proveUpgrade(reference, candidate, { ...params.prove, ...(cacheDir ? { cacheDir } : {}) })
    : undefined;
  if (proved) findings.push(...proved.findings);
  const layout = upgradesCoreFindings(reference, candidate, kind);
  const all =
    layout instanceof StorageConflictError ? withRefusal(findings, layout) : [...findings, ...layout];
  // Laid out already by upgradesCoreFindings (memoized per unit): the diff costs no second validation.
  const roots = [refHandle.sourceName, candHandle.sourceName];
  const storageLayout =
    layout instanceof StorageConflictError
      ? []
      : layoutDiff(storageLayoutOf(refHandle, roots), storageLayoutOf(candHandle, roots));

  // DELEGATECALL is the heart of every UUPS implementation: opcodes block only when the patch adds them.
  const adjusted = all.map((f) =>
    f.id.startsWith('bytecode-') && f.status !== 'introduced'
      ? { ...f, severity: 'info' as const, blocking: false }
      : f,
  );
  return {
    reference: summary(refHandle),
    candidate: summary(candHandle),
    kind,
    kindSource: params.kind ? 'given' : 'inferred',
    findings: sortFindings(adjusted),
    ...(storageLayout.length > 0 ? { storageLayout } : {}),
    ...(proved ? { proofs: proved.proofs, proveMs: proved.durationMs } : {}),
    ...(params.prove === false ? { proveOff: true as const } : {}),
  };
}

/**
 * `analyzeUpgrade` with the acknowledgements applied: the findings the gate judges, for a loaded project.
 *
 * @example
 * ```ts
 * const project = await loadProject({ dir: 'examples/vault', stateDir: '.patchgate' });
 * const result = await checkUpgrade({ project, reference: 'VaultV1', candidate: 'VaultV2', kind: 'transparent' });
 * if (verdictOf(result.findings) === 'fail') process.exitCode = 1;
 * ```
 */
export async function checkUpgrade(params: CheckUpgradeParameters): Promise<CheckResult> {
  const result = await analyzeUpgrade(params);
  return { ...result, findings: applyAcknowledgements(result.findings, params.acknowledge ?? []) };
}
