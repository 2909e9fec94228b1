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
  UpgradeableContractErrorReport,
  type ValidationOptions,
  type ValidationRunData,
  validate,
  withValidationDefaults,
} from '@openzeppelin/upgrades-core';
// Not exported by the package entry (upgrades-core 1.46): `LayoutCompatibilityReport` (only its instances come
// out, from getStorageUpgradeReport; one report per operation is needed to explain each on its own — the
// report's own explain() skips a `layoutchange` that is not first), and `errorKinds`/`convertToWarnings` (the
// list of kinds for a hint, and the kinds getErrors turns into logged warnings and drops).
import { LayoutCompatibilityReport } from '@openzeppelin/upgrades-core/dist/storage/report.js';
import { convertToWarnings, errorKinds } from '@openzeppelin/upgrades-core/dist/validate/run.js';
import { importClosure } from '../build/closure.js';
import type { CompilationUnit, ContractHandle } from '../build/types.js';
import { environmentError, inputError, type PatchgateError } from '../core/errors.js';
import type { Finding, Location } from '../core/finding.js';
import { type ContractView, enclosingAt } from './ast.js';
import { makeFinding } from './catalog.js';

export type ProxyKind = 'transparent' | 'uups' | 'beacon';

/** upgrades-core's `ValidationError`, as its public `getErrors` returns it (the type itself is not exported). */
type ValidationError = ReturnType<typeof getErrors>[number];

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

type Sources<T> = Record<string, T>;

function pick<T>(record: Sources<T> | undefined, keep: Set<string>): Sources<T> {
  const out: Sources<T> = {};
  for (const [k, v] of Object.entries(record ?? {})) if (keep.has(k)) out[k] = v;
  return out;
}

const runCache = new WeakMap<CompilationUnit, Map<string, ValidationRunData>>();

/**
 * upgrades-core's validation of the part of a unit that `roots` (the reference's and candidate's source
 * files) need — not of every contract the project compiles — with namespaced layouts when the namespaced
 * output is there. The import closure is complete by construction, as upgrades-core requires.
 */
function validationOf(unit: CompilationUnit, roots: readonly string[]): ValidationRunData {
  const keep = importClosure(unit, roots);
  const memoKey = `${unit.namespacedOutput ? 'ns' : 'plain'}:${[...keep].sort().join('|')}`;
  const memo = runCache.get(unit) ?? new Map<string, ValidationRunData>();
  runCache.set(unit, memo);
  const hit = memo.get(memoKey);
  if (hit) return hit;
  const output = {
    ...unit.output,
    sources: pick(unit.output.sources, keep),
    contracts: pick(unit.output.contracts, keep),
  };
  const input = { ...unit.input, sources: pick(unit.input.sources, keep) };
  const namespaced = unit.namespacedOutput && {
    ...unit.namespacedOutput,
    sources: pick(unit.namespacedOutput.sources, keep),
    contracts: pick(unit.namespacedOutput.contracts, keep),
  };
  let run: ValidationRunData;
  try {
    run = validate(output, solcInputOutputDecoder(input, output), unit.solcVersion, input, namespaced);
  } catch (e) {
    throw storageConflictOf(e) ?? annotationError(e, input.sources) ?? unsupportedLayout(e) ?? e;
  }
  memo.set(memoKey, run);
  return run;
}

/**
 * A user's storage bug that upgrades-core refuses to lay out (it throws instead of reporting): the same
 * ERC-7201 namespace twice in one inheritance tree, or a `layout at` base slot equal to a namespace slot.
 */
export class StorageConflictError extends Error {
  constructor(
    readonly kind: 'namespace-conflict' | 'layout-clash',
    readonly contract: string,
    readonly namespace: string,
    /** `file:line` of each definition upgrades-core names. */
    readonly sources: string[],
    message: string,
  ) {
    super(message);
  }
}

const RECOGNISED = [
  {
    kind: 'namespace-conflict',
    error: 'DuplicateNamespaceError',
    first: /^Namespace (\S+) is defined multiple times for contract (\S+)$/,
    groups: { namespace: 1, contract: 2 },
  },
  {
    kind: 'layout-clash',
    error: 'CustomLayoutClashWithNamespaceError',
    first: /^Custom layout for contract (\S+) clashes with the storage location for namespace (\S+)$/,
    groups: { namespace: 2, contract: 1 },
  },
] as const;

/** The conflict behind one of the two upgrades-core errors recognised above; undefined for anything else. */
function storageConflictOf(e: unknown): StorageConflictError | undefined {
  if (!(e instanceof Error)) return undefined;
  const [first = '', ...rest] = e.message.split('\n');
  for (const r of RECOGNISED) {
    const m = r.first.exec(first);
    if (e.constructor.name !== r.error || !m) continue;
    const sources = rest.map((l) => /^- (.+:\d+)$/.exec(l.trim())?.[1]).filter((x): x is string => !!x);
    return new StorageConflictError(
      r.kind,
      m[r.groups.contract] as string,
      m[r.groups.namespace] as string,
      sources,
      first,
    );
  }
  return undefined;
}

/**
 * An OpenZeppelin annotation upgrades-core cannot read (an unknown `oz-upgrades-unsafe-allow` argument, a
 * `storage-location` without exactly one argument) is the user's typo, not a patchgate bug: exit 2 naming the
 * annotation where it is written and what it accepts.
 */
function annotationError(
  e: unknown,
  sources: Record<string, { content?: string }>,
): PatchgateError | undefined {
  if (!(e instanceof Error)) return undefined;
  const outside = /^(.+:\d+): Namespace struct (\w+) is defined outside of a contract/.exec(e.message);
  if (outside) {
    return inputError(
      'bad-annotation',
      `${outside[1]}: the ERC-7201 namespace struct ${outside[2]} is declared outside a contract`,
      'declare the struct (with its @custom:storage-location) inside the contract that uses the namespace',
    );
  }
  const unknownArg = /^NatSpec: ([a-z-]+) argument not recognized: (\S+)$/.exec(e.message);
  const storage = /^@custom:storage-location annotation must have exactly one argument$/.test(e.message);
  if (!unknownArg && !storage) return undefined;
  const tag = unknownArg ? (unknownArg[1] as string) : 'storage-location';
  const arg = unknownArg?.[2];
  const where = annotationSite(sources, tag, arg);
  return inputError(
    'bad-annotation',
    unknownArg
      ? `@custom:${tag} ${arg}${where}: "${arg}" is not a check upgrades-core can allow`
      : `@custom:storage-location${where} needs exactly one argument (erc7201:<namespace id>)`,
    unknownArg
      ? `use one of: ${[...errorKinds].join(', ')}`
      : 'write `/// @custom:storage-location erc7201:my.namespace` above the namespace struct',
  );
}

/**
 * Solidity upgrades-core cannot lay out yet (a `layout at` base written as an expression): storage safety cannot
 * be checked, so nothing passes — exit 3 saying what could not be checked and how to write it so it can.
 */
function unsupportedLayout(e: unknown): PatchgateError | undefined {
  if (!(e instanceof Error)) return undefined;
  const m = /^(.*?): Custom storage layout expression with node type (\w+) is not currently supported/.exec(
    e.message,
  );
  if (!m) return undefined;
  return environmentError(
    'storage-unsupported',
    `upgrades-core cannot evaluate the \`layout at\` base in ${m[1]} (a ${m[2]}): storage safety cannot be checked, so the patch cannot pass`,
    'write the base slot as a number literal (e.g. `layout at 0x…`)',
    e,
  );
}

/** ` in src/A.sol:9` — the first line that carries the annotation (with the argument, when known). */
function annotationSite(sources: Record<string, { content?: string }>, tag: string, arg?: string): string {
  for (const [file, { content }] of Object.entries(sources)) {
    const lines = (content ?? '').split('\n');
    const at = lines.findIndex((l) => l.includes(`@custom:${tag}`) && (!arg || l.includes(arg)));
    if (at >= 0) return ` in ${file}:${at + 1}`;
  }
  return '';
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

/** A bare `file:line` from upgrades-core, with the enclosing contract and function filled in. */
function located(view: ContractView, src: string | undefined): Location | undefined {
  const at = locationFromSrc(src, view.def.name);
  if (!at) return undefined;
  const inside = enclosingAt(view, at.file, at.line);
  return {
    ...at,
    contract: inside.contract ?? at.contract,
    ...(inside.function ? { function: inside.function } : {}),
  };
}

export function storageLayoutOf(
  handle: ContractHandle,
  roots: readonly string[] = [handle.sourceName],
): StorageLayout {
  const run = validationOf(handle.unit, roots);
  const version = getContractVersion(run, handle.fullyQualifiedName);
  return getStorageLayout([run], version);
}

/** upgrades-core's standalone upgrade-safety errors for one implementation, as findings. */
export function upgradeSafetyFindings(
  view: ContractView,
  kind: ProxyKind,
  roots: readonly string[] = [view.handle.sourceName],
): Finding[] {
  const handle = view.handle;
  const run = validationOf(handle.unit, roots);
  const version = getContractVersion(run, handle.fullyQualifiedName);
  const errors = [
    ...getErrors([run], version, options(kind)),
    ...upgradeWarnings(run, handle.fullyQualifiedName),
  ];
  return errors.map((e) => {
    // One error's report is its `describeError` text (the public class explains each error with it).
    const text = new UpgradeableContractErrorReport([e]).explain(false);
    const [first, ...rest] = text.split('\n');
    return makeFinding(`upgrade-unsafe-${e.kind}`, {
      message: `${handle.name}: ${first?.replace(/^.*?: /, '') ?? e.kind}`,
      hint:
        rest
          .map((l) => l.trim())
          .filter(Boolean)
          .join(' ') || undefined,
      location: located(view, e.src),
      key: `${e.kind}:${'name' in e ? e.name : ''}:${srcFile(e.src) === handle.sourceName ? '<self>' : srcFile(e.src)}`,
    });
  });
}

/**
 * The kinds upgrades-core turns into warnings (`convertToWarnings`: incorrect-initializer-order): getErrors
 * logs them and drops them, so they are read here from the contract's and its bases' validation, as getErrors
 * gathers non-opcode errors, and reported with their catalogue severity (non-blocking).
 */
function upgradeWarnings(run: ValidationRunData, fullyQualifiedName: string): ValidationError[] {
  const self = run[fullyQualifiedName];
  if (!self) return [];
  return [fullyQualifiedName, ...self.inherit]
    .flatMap((name) => run[name]?.errors ?? [])
    .filter((e) => convertToWarnings.includes(e.kind));
}

function srcFile(src: string): string {
  return src.replace(/:\d+$/, '');
}

/** upgrades-core's storage layout comparison, one finding per incompatible operation. */
export function storageFindings(
  reference: ContractHandle,
  candidate: ContractHandle,
  kind: ProxyKind,
  roots: readonly string[] = [reference.sourceName, candidate.sourceName],
): Finding[] {
  const report = getStorageUpgradeReport(
    storageLayoutOf(reference, roots),
    storageLayoutOf(candidate, roots),
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
      location: locationFromSrc(
        src,
        (field as { contract?: string } | undefined)?.contract ?? candidate.name,
      ),
      status: 'introduced',
      key: `${op.kind}:${label}`,
    });
  });
}
