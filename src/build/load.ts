/**
 * `loadProject`: auto-detect a Foundry, Hardhat or plain-Solidity project and return its compiler output,
 * compiling only what the content-addressed cache does not already hold.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { SolcInput } from '@openzeppelin/upgrades-core';
import { inputError } from '../core/errors.js';
import { type BuildInfo, foundryOutDir, listBuildInfo, readBuildInfo } from './buildinfo.js';
import { cacheKey, hasUnit, readNamespaced, readUnit, writeUnit } from './cache.js';
import { collectSources, isDirectory, listSolidity } from './imports.js';
import { hasNamespaces } from './namespaced.js';
import { bundledSolcVersion, compileStandardJson, shortVersion } from './solc.js';
import type { CompilationUnit, LoadProjectOptions, Project, ProjectLayout } from './types.js';

export const OUTPUT_SELECTION = {
  '*': {
    '*': [
      'abi',
      'evm.bytecode.object',
      'evm.bytecode.linkReferences',
      'evm.bytecode.sourceMap',
      'evm.deployedBytecode.object',
      'evm.deployedBytecode.sourceMap',
      'evm.deployedBytecode.immutableReferences',
      'evm.deployedBytecode.linkReferences',
      'evm.methodIdentifiers',
      'storageLayout',
      'metadata',
    ],
    '': ['ast'],
  },
};

export function detectLayout(dir: string): ProjectLayout {
  if (existsSync(join(dir, 'foundry.toml'))) return 'foundry';
  const hardhatConfig = ['js', 'ts', 'cjs', 'mjs'].some((ext) =>
    existsSync(join(dir, `hardhat.config.${ext}`)),
  );
  if (hardhatConfig || existsSync(join(dir, 'artifacts', 'build-info'))) return 'hardhat';
  return 'sources';
}

/** Standard-JSON input for `sources` (ordered by name, so the same files always give the same key). */
export function sourcesInput(sources: SolcInput['sources'], remappings: string[] = []): SolcInput {
  const ordered = Object.fromEntries(
    Object.keys(sources)
      .sort()
      .map((k) => [k, sources[k]]),
  );
  return {
    language: 'Solidity',
    sources: ordered as SolcInput['sources'],
    settings: {
      optimizer: { enabled: true, runs: 200 },
      ...(remappings.length > 0 ? { remappings } : {}),
      outputSelection: OUTPUT_SELECTION,
    },
  } as SolcInput;
}

/**
 * A unit as compiled. The ERC-7201 namespaced compilation is deferred (see `ensureNamespaced`): it is only
 * needed when a check compares namespaces that differ, and it costs a second solc run.
 */
function finishUnit(
  base: Omit<CompilationUnit, 'namespacedOutput' | 'hasNamespaces' | 'key'>,
  key: string,
): CompilationUnit {
  return { ...base, key, hasNamespaces: hasNamespaces(base.input) };
}

function sourcesKey(dir: string, dependencyDir?: string): { input: SolcInput; key: string; version: string } {
  const roots = ['contracts', 'src'].map((d) => join(dir, d)).filter(isDirectory);
  const files = roots.flatMap(listSolidity);
  if (files.length === 0) {
    throw inputError(
      'project-empty',
      `${dir} has no Solidity sources (contracts/ or src/) and no build-info`,
      'point --project at a Foundry or Hardhat project, or at a directory with contracts/ or src/',
    );
  }
  const { sources, remappings } = collectSources(dir, files, dependencyDir);
  const input = sourcesInput(sources, remappings);
  const version = bundledSolcVersion();
  return { input, key: cacheKey([version, JSON.stringify(input)]), version };
}

async function loadSources(
  dir: string,
  stateDir: string,
  dependencyDir?: string,
): Promise<{ unit: CompilationUnit; cached: boolean }> {
  const { input, key, version } = sourcesKey(dir, dependencyDir);
  const hit = readUnit(stateDir, key);
  if (hit) return { unit: withNamespaced(hit, stateDir), cached: true };
  const { output, longVersion } = await compileStandardJson(input);
  const unit = finishUnit(
    { solcVersion: version, solcLongVersion: longVersion, input, output, origin: 'solc-js' },
    key,
  );
  writeUnit(stateDir, unit);
  return { unit, cached: false };
}

/**
 * The project's own sources as they are on disk. Which of several build-infos a contract is taken from
 * depends on them (the one that compiled its file as it is now, see find.ts), so they are part of the key.
 */
function diskSources(dir: string): string[] {
  const files = ['contracts', 'src']
    .map((d) => join(dir, d))
    .filter(isDirectory)
    .flatMap(listSolidity);
  return files.flatMap((f) => [relative(dir, f), readFileSync(f, 'utf8')]);
}

function buildInfoKey(bytes: Uint8Array, onDisk: readonly string[]): string {
  return cacheKey(['build-info', bundledSolcVersion(), bytes, ...onDisk]);
}

/**
 * A build-info is its own cache: it is read as is (nothing compiled, nothing copied); only the namespaced
 * compilation made from it is kept in the state dir.
 */
function loadBuildInfo(
  info: BuildInfo,
  stateDir: string,
  onDisk: readonly string[],
): { unit: CompilationUnit; cached: boolean } {
  const unit = finishUnit(
    {
      solcVersion: shortVersion(info.solcVersion),
      solcLongVersion: info.solcLongVersion,
      input: info.input,
      output: info.output,
      origin: info.file,
    },
    buildInfoKey(info.bytes, onDisk),
  );
  return { unit: withNamespaced(unit, stateDir), cached: true };
}

function withNamespaced(unit: CompilationUnit, stateDir: string): CompilationUnit {
  const namespacedOutput = unit.hasNamespaces ? readNamespaced(stateDir, unit.key) : undefined;
  return namespacedOutput ? { ...unit, namespacedOutput } : unit;
}

function checkedDir(opts: LoadProjectOptions): string {
  const dir = resolve(opts.dir);
  if (!existsSync(dir)) {
    throw inputError(
      'project-not-found',
      `project directory ${opts.dir} does not exist`,
      'check the --project path',
    );
  }
  if (!isDirectory(dir)) {
    throw inputError(
      'project-not-found',
      `project path ${opts.dir} is not a directory`,
      'pass the project root directory',
    );
  }
  return dir;
}

function buildInfoDir(dir: string, layout: ProjectLayout): string {
  return layout === 'foundry'
    ? join(dir, foundryOutDir(dir), 'build-info')
    : join(dir, 'artifacts', 'build-info');
}

/**
 * The cache keys of the project's compilation units when every one of them is already in the cache, without
 * reading the (large) cached outputs; undefined when something would have to be compiled. Lets a caller with
 * its own result cache skip loading compiler output altogether.
 */
export function cachedUnitKeys(opts: LoadProjectOptions): string[] | undefined {
  const dir = checkedDir(opts);
  const layout = detectLayout(dir);
  const files = layout === 'sources' ? [] : listBuildInfo(buildInfoDir(dir, layout));
  if (files.length > 0) {
    const onDisk = diskSources(dir);
    return files.map((f) => buildInfoKey(readFileSync(f), onDisk));
  }
  const { key } = sourcesKey(dir, opts.dependencyDir);
  return hasUnit(opts.stateDir, key) ? [key] : undefined;
}

/**
 * A Solidity project (Foundry, Hardhat or plain sources) compiled with solc-js, or read from its build-info;
 * compilations are cached by content under `stateDir`.
 *
 * @example
 * ```ts
 * const project = await loadProject({ dir: 'examples/vault', stateDir: '.patchgate' });
 * ```
 */
export async function loadProject(opts: LoadProjectOptions): Promise<Project> {
  const dir = checkedDir(opts);
  const layout = detectLayout(dir);
  if (layout === 'sources') {
    const { unit, cached } = await loadSources(dir, opts.stateDir, opts.dependencyDir);
    return { dir, layout, units: [unit], cached };
  }
  const infoDir = buildInfoDir(dir, layout);
  const files = listBuildInfo(infoDir);
  if (files.length === 0) {
    const how = layout === 'foundry' ? 'forge build --build-info' : 'npx hardhat compile';
    const hasSources = ['contracts', 'src'].some(
      (d) => existsSync(join(dir, d)) && readdirSync(join(dir, d)).length > 0,
    );
    if (hasSources) {
      // A Foundry/Hardhat project that was never built: compile its sources ourselves.
      const { unit, cached } = await loadSources(dir, opts.stateDir, opts.dependencyDir);
      return { dir, layout, units: [unit], cached };
    }
    throw inputError(
      'project-empty',
      `${layout} project ${dir} has no build-info in ${infoDir}`,
      `run \`${how}\` first`,
    );
  }
  const loaded = [];
  const onDisk = diskSources(dir);
  for (const file of files) loaded.push(loadBuildInfo(readBuildInfo(file), opts.stateDir, onDisk));
  return { dir, layout, units: loaded.map((l) => l.unit), cached: loaded.every((l) => l.cached) };
}
