import type { SolcInput, SolcOutput } from '@openzeppelin/upgrades-core';

export type ProjectLayout = 'foundry' | 'hardhat' | 'sources';

/** One compiler invocation: what went in and what came out (Hardhat build-info shape, minus the envelope). */
export interface CompilationUnit {
  /** Short version, e.g. `0.8.30`. */
  solcVersion: string;
  /** Long version, e.g. `0.8.30+commit.73712a01`. */
  solcLongVersion: string;
  /** Full standard-JSON input; `sources` holds every source, imports included (upgrades-core needs that). */
  input: SolcInput;
  output: SolcOutput;
  /**
   * Output of compiling upgrades-core's `makeNamespacedInput(input, output)`, which gives ERC-7201
   * namespaced members their slots and offsets. Produced on demand by `ensureNamespaced` (only a check
   * whose two versions declare different namespaces needs it); it cannot be produced for a build-info
   * from a solc version we do not ship, and the analysis then fails closed with `namespaces-unchecked`.
   */
  namespacedOutput?: SolcOutput;
  /** Whether any source declares ERC-7201 namespaced storage (`@custom:storage-location erc7201:`). */
  hasNamespaces: boolean;
  /** Content hash of everything that determines this unit's output (the cache key). */
  key: string;
  /** Where this unit came from (build-info file path, or `solc-js` for sources we compiled). */
  origin: string;
}

export interface Project {
  dir: string;
  layout: ProjectLayout;
  units: CompilationUnit[];
  /** True when every unit came from the content-addressed cache (nothing was compiled this run). */
  cached: boolean;
  /** How messages name the project when `dir` means nothing to a user (a git revision's tree in the state dir). */
  label?: string;
  /** A folder whose paths also name this project's files in a REF (the working tree a revision's tree mirrors). */
  aliasDir?: string;
}

/** A contract resolved from a REF (`Name` or `path/File.sol:Name`). */
export interface ContractHandle {
  unit: CompilationUnit;
  /** Source unit name as the compiler saw it, e.g. `src/VaultV1.sol`. */
  sourceName: string;
  name: string;
  /** `sourceName:name` */
  fullyQualifiedName: string;
}

export interface LoadProjectOptions {
  dir: string;
  /** State directory holding the compile cache (default `.patchgate` under the cwd). */
  stateDir: string;
  /**
   * Where dependencies that are not in the project folder itself resolve (node_modules, lib/ submodules): for a
   * git revision's tree, the working tree's project. The tree's own parents are then not searched.
   */
  dependencyDir?: string;
}
