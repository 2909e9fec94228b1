/** Resolve a contract reference (`Name` or `path/File.sol:Name`) to a compiled contract. */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { inputError } from '../core/errors.js';
import type { ContractHandle, Project } from './types.js';

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

export function allContracts(project: Project): ContractHandle[] {
  const out: ContractHandle[] = [];
  const seen = new Set<string>();
  for (const unit of project.units) {
    for (const [sourceName, contracts] of Object.entries(unit.output.contracts ?? {})) {
      for (const name of Object.keys(contracts)) {
        const fullyQualifiedName = `${sourceName}:${name}`;
        if (seen.has(fullyQualifiedName)) continue;
        seen.add(fullyQualifiedName);
        out.push({ unit, sourceName, name, fullyQualifiedName });
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
  if (matches.length === 1) return matches[0] as ContractHandle;
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
