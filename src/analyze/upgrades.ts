/**
 * The bridge to @openzeppelin/upgrades-core, the reference implementation of upgrade safety and storage
 * layout comparison. patchgate does not reimplement what it does; it turns its results into findings.
 */
import {
  getContractVersion,
  getErrors,
  getStorageLayout,
  getStorageUpgradeReport,
  type StorageLayout,
  silenceWarnings,
  solcInputOutputDecoder,
  type ValidationOptions,
  type ValidationRunData,
  validate,
  withValidationDefaults,
} from '@openzeppelin/upgrades-core';
import { LayoutCompatibilityReport } from '@openzeppelin/upgrades-core/dist/storage/report.js';
import { describeError } from '@openzeppelin/upgrades-core/dist/validate/report.js';
import type { CompilationUnit, ContractHandle } from '../build/types.js';
import { makeFinding } from './catalog.js';
import type { Finding, Location } from './finding.js';

export type ProxyKind = 'transparent' | 'uups' | 'beacon';

// upgrades-core prints notes and warnings to stderr itself; patchgate reports through findings only.
// (silenceWarnings announces itself on stderr too, so mute that one message.)
{
  const error = console.error;
  console.error = () => {};
  try {
    silenceWarnings();
  } finally {
    console.error = error;
  }
}

const runCache = new WeakMap<
  CompilationUnit,
  { plain?: ValidationRunData; namespaced?: ValidationRunData }
>();

/** upgrades-core's validation of a unit, with namespaced layouts when the namespaced output is there. */
export function validationOf(unit: CompilationUnit): ValidationRunData {
  const entry = runCache.get(unit) ?? {};
  runCache.set(unit, entry);
  const slot = unit.namespacedOutput ? 'namespaced' : 'plain';
  entry[slot] ??= validate(
    unit.output,
    solcInputOutputDecoder(unit.input, unit.output),
    unit.solcVersion,
    unit.input,
    unit.namespacedOutput,
  );
  return entry[slot];
}

function options(kind: ProxyKind): Required<ValidationOptions> {
  return withValidationDefaults({ kind });
}

/** `src/Vault.sol:42` as upgrades-core decodes it → a location. */
export function locationFromSrc(
  src: string | undefined,
  contract: string,
  fn?: string,
): Location | undefined {
  if (!src) return undefined;
  const m = /^(.*):(\d+)$/.exec(src);
  if (!m) return undefined;
  return { file: m[1] as string, line: Number(m[2]), contract, ...(fn ? { function: fn } : {}) };
}

export function storageLayoutOf(handle: ContractHandle): StorageLayout {
  const run = validationOf(handle.unit);
  const version = getContractVersion(run, handle.fullyQualifiedName);
  return getStorageLayout([run], version);
}

/** upgrades-core's standalone upgrade-safety errors for one implementation, as findings. */
export function upgradeSafetyFindings(handle: ContractHandle, kind: ProxyKind): Finding[] {
  const run = validationOf(handle.unit);
  const version = getContractVersion(run, handle.fullyQualifiedName);
  const errors = getErrors([run], version, options(kind));
  return errors.map((e) => {
    const text = describeError(e, false);
    const [first, ...rest] = text.split('\n');
    return makeFinding(`upgrade-unsafe-${e.kind}`, {
      message: `${handle.name}: ${first?.replace(/^.*?: /, '') ?? e.kind}`,
      hint:
        rest
          .map((l) => l.trim())
          .filter(Boolean)
          .join(' ') || undefined,
      location: locationFromSrc(e.src, handle.name),
      key: `${e.kind}:${'name' in e ? e.name : ''}:${srcFile(e.src) === handle.sourceName ? '<self>' : srcFile(e.src)}`,
    });
  });
}

function srcFile(src: string): string {
  return src.replace(/:\d+$/, '');
}

/** upgrades-core's storage layout comparison, one finding per incompatible operation. */
export function storageFindings(
  reference: ContractHandle,
  candidate: ContractHandle,
  kind: ProxyKind,
): Finding[] {
  const report = getStorageUpgradeReport(
    storageLayoutOf(reference),
    storageLayoutOf(candidate),
    options(kind),
  );
  if (report.ok) return [];
  return report.ops.map((op) => {
    const explanation = new LayoutCompatibilityReport([op]).explain(false);
    const [first, ...rest] = explanation
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const field = ('updated' in op && op.updated) || ('original' in op && op.original) || undefined;
    const src = (field as { src?: string } | undefined)?.src;
    const label = (field as { label?: string } | undefined)?.label ?? '';
    return makeFinding('storage-layout-incompatible', {
      message: `${candidate.name} (upgrading from ${reference.name}): ${first?.replace(/^.*?: /, '') ?? op.kind}`,
      hint: rest.map((l) => l.replace(/^> /, '')).join(' ') || undefined,
      location: locationFromSrc(src, candidate.name),
      status: 'introduced',
      key: `${op.kind}:${label}`,
    });
  });
}
