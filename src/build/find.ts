/** Resolve a contract reference (`Name` or `path/File.sol:Name`) to a compiled contract. */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { inputError } from '../core/errors.js';
import type { CompilationUnit, ContractHandle, Project } from './types.js';

function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[y.length] as number;
}

const diskCache = new WeakMap<Project, Map<string, string | null>>();

/**
 * Whether a build-info compiled `sourceName` as the file reads on disk now. True for our own compilation,
 * and when the file is not in the project (a package, a deleted file): nothing to compare with.
 */
function matchesDisk(project: Project, unit: CompilationUnit, sourceName: string): boolean {
  if (unit.origin === 'solc-js') return true;
  const compiled = unit.input.sources[sourceName]?.content;
  if (compiled === undefined) return true;
  const files = diskCache.get(project) ?? new Map<string, string | null>();
  diskCache.set(project, files);
  if (!files.has(sourceName)) {
    const file = join(project.dir, sourceName);
    files.set(sourceName, existsSync(file) ? readFileSync(file, 'utf8') : null);
  }
  const onDisk = files.get(sourceName);
  return onDisk === null || onDisk === undefined || onDisk === compiled;
}

/**
 * Every contract of the project, once per fully qualified name. A contract several build-infos hold (forge
 * writes a new build-info for each incremental build and keeps the older ones; compiler profiles share
 * dependencies) comes from the first one that compiled its file as it is on disk now.
 */
export function allContracts(project: Project): ContractHandle[] {
  const out: ContractHandle[] = [];
  const index = new Map<string, number>();
  for (const unit of project.units) {
    for (const [sourceName, contracts] of Object.entries(unit.output.contracts ?? {})) {
      for (const name of Object.keys(contracts)) {
        const fullyQualifiedName = `${sourceName}:${name}`;
        const handle = { unit, sourceName, name, fullyQualifiedName };
        const at = index.get(fullyQualifiedName);
        if (at === undefined) {
          index.set(fullyQualifiedName, out.length);
          out.push(handle);
        } else if (
          !matchesDisk(project, (out[at] as ContractHandle).unit, sourceName) &&
          matchesDisk(project, unit, sourceName)
        ) {
          out[at] = handle;
        }
      }
    }
  }
  return out;
}

/**
 * The source names a REF's path may mean: as written (relative to the project dir), and, when it names a
 * file inside the project from the cwd or absolutely (`examples/vault/src/V.sol`), relative to the project.
 */
function pathCandidates(dirs: readonly string[], path: string): Set<string> {
  const out = new Set([path.replace(/^\.\//, '')]);
  for (const dir of dirs) {
    const rel = relative(dir, isAbsolute(path) ? path : resolve(path));
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) out.add(rel.split(sep).join('/'));
  }
  return out;
}

/**
 * A contract of a loaded project by name (`Vault`) or fully qualified name (`src/Vault.sol:Vault`); an unknown
 * or ambiguous name is exit 2 with suggestions.
 *
 * @example
 * ```ts
 * const project = await loadProject({ dir: 'examples/vault', stateDir: '.patchgate' });
 * const vault = findContract(project, 'src/VaultV1.sol:VaultV1');
 * console.log(vault.fullyQualifiedName);
 * ```
 */
export function findContract(project: Project, ref: string): ContractHandle {
  const all = allContracts(project);
  const colon = ref.lastIndexOf(':');
  const paths =
    colon >= 0
      ? pathCandidates(
          project.aliasDir ? [project.dir, project.aliasDir] : [project.dir],
          ref.slice(0, colon),
        )
      : undefined;
  const path = colon >= 0 ? ref.slice(0, colon) : undefined;
  const name = colon >= 0 ? ref.slice(colon + 1) : ref;
  const matches = all.filter((c) => c.name === name && (paths === undefined || paths.has(c.sourceName)));
  if (matches.length === 1) {
    const found = matches[0] as ContractHandle;
    if (!matchesDisk(project, found.unit, found.sourceName)) {
      throw inputError(
        'build-info-stale',
        `${found.sourceName} changed since ${found.unit.origin} was built (its ${found.name} is not the file on disk)`,
        'rebuild the project (forge build, or npx hardhat compile) and run again',
      );
    }
    const output = found.unit.output.contracts?.[found.sourceName]?.[found.name] as {
      storageLayout?: unknown;
    };
    if (output.storageLayout === undefined) {
      // Without solc's storage layout upgrades-core guesses slots from the AST and misses changes: refuse.
      throw inputError(
        'build-info-incomplete',
        `${found.unit.origin} has no storage layout for ${found.fullyQualifiedName}`,
        'add extra_output = ["storageLayout"] to foundry.toml (Hardhat: "storageLayout" in the ' +
          'outputSelection) and rebuild',
      );
    }
    return found;
  }
  if (matches.length > 1) {
    throw inputError(
      'ambiguous-contract',
      `contract name "${ref}" is ambiguous in ${project.label ?? project.dir}`,
      `use path/File.sol:Name, one of: ${matches.map((m) => m.fullyQualifiedName).join(', ')}`,
    );
  }
  const projectOwn = all.filter(
    (c) =>
      !c.sourceName.startsWith('@') &&
      !c.sourceName.startsWith('lib/') &&
      !c.sourceName.includes('node_modules'),
  );
  const pool = projectOwn.length > 0 ? projectOwn : all;
  const names = [...new Set(pool.map((c) => c.name))].sort();
  const close = names
    .map((n) => [n, editDistance(n, name)] as const)
    .filter(([, d]) => d <= Math.max(2, Math.ceil(name.length / 3)))
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([n]) => n);
  const inOtherFile =
    path !== undefined ? all.filter((c) => c.name === name).map((c) => c.fullyQualifiedName) : [];
  const listed = names.length > 10 ? `${names.slice(0, 10).join(', ')}, …` : names.join(', ');
  throw inputError(
    'unknown-contract',
    `contract "${ref}" not found in ${project.label ?? project.dir}`,
    inOtherFile.length > 0
      ? `it exists as: ${inOtherFile.join(', ')}`
      : close.length > 0
        ? `did you mean: ${close.join(', ')}?`
        : `contracts in the project: ${listed}`,
  );
}
