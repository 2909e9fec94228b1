/**
 * `check --reference-sources FILE`: the verified sources a block explorer publishes, compiled with their own
 * settings by the bundled solc-js. FILE is a standard-JSON input (`{language, sources, settings}`), or Etherscan's
 * `getsourcecode` answer (the whole response or one `result` entry: `SourceCode` as `{{…standard JSON…}}`, a
 * `{…sources…}` map, or one file's text, with `CompilerVersion`, `OptimizationUsed`, `Runs`, `EVMVersion`). A
 * compiler version other than the bundled one is refused, naming both (the output would not be what was deployed).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SolcInput } from '@openzeppelin/upgrades-core';
import { inputError } from '../core/errors.js';
import { cacheKey, readUnit, writeUnit } from './cache.js';
import { OUTPUT_SELECTION } from './load.js';
import { hasNamespaces } from './namespaced.js';
import { bundledSolcVersion, compileStandardJson, shortVersion } from './solc.js';
import type { CompilationUnit, Project } from './types.js';

interface Explorer {
  SourceCode?: unknown;
  CompilerVersion?: unknown;
  ContractName?: unknown;
  OptimizationUsed?: unknown;
  Runs?: unknown;
  EVMVersion?: unknown;
}

/** A standard-JSON input as a file holds it: nothing checked yet. */
interface RawInput {
  language?: unknown;
  sources?: Record<string, unknown>;
  settings?: Record<string, unknown>;
}

const SHAPE = 'a standard-JSON input {language, sources, settings}, or Etherscan getsourcecode JSON';

function bad(file: string, why: string) {
  return inputError('bad-reference-sources', `--reference-sources ${file}: ${why}`, `pass ${SHAPE}`);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw bad(file, `not JSON (${(e as Error).message})`);
  }
}

/** Etherscan's `SourceCode` in its three forms, as a standard-JSON input. */
function fromExplorer(entry: Explorer, file: string): RawInput {
  const code = typeof entry.SourceCode === 'string' ? entry.SourceCode.trim() : '';
  if (!code) throw bad(file, 'the explorer entry has no SourceCode');
  if (code.startsWith('{{')) return parseJson(code.slice(1, -1), file) as RawInput;
  const settings = {
    optimizer: { enabled: entry.OptimizationUsed === '1', runs: Number(entry.Runs ?? 200) || 200 },
    ...(typeof entry.EVMVersion === 'string' && !/^default$/i.test(entry.EVMVersion)
      ? { evmVersion: entry.EVMVersion.toLowerCase() }
      : {}),
  };
  if (code.startsWith('{')) {
    const sources = parseJson(code, file) as Record<string, unknown>;
    const map = ('sources' in sources ? sources.sources : sources) as RawInput['sources'];
    return { language: 'Solidity', sources: map, settings };
  }
  const name = typeof entry.ContractName === 'string' && entry.ContractName ? entry.ContractName : 'Contract';
  return { language: 'Solidity', sources: { [`${name}.sol`]: { content: code } }, settings };
}

/** The input FILE holds and the compiler version it asks for (when it says). */
function readInput(file: string): { input: RawInput; version?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(
      'unreadable-file',
      `cannot read --reference-sources ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      `pass ${SHAPE}`,
    );
  }
  const raw = parseJson(text, file) as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object') throw bad(file, 'not a JSON object');
  const result = Array.isArray(raw.result) ? (raw.result[0] as Explorer | undefined) : undefined;
  const entry = result ?? ('SourceCode' in raw ? (raw as Explorer) : undefined);
  const version =
    (typeof entry?.CompilerVersion === 'string' && entry.CompilerVersion) ||
    (typeof raw.compilerVersion === 'string' && raw.compilerVersion) ||
    undefined;
  const input = entry ? fromExplorer(entry, file) : (raw as RawInput);
  return { input, ...(version ? { version: version.replace(/^v/, '') } : {}) };
}

/** The input as compiled: every source inline, the file's settings, our output selection (layouts, ASTs). */
function normalized(input: RawInput, file: string): SolcInput {
  if (input.language !== undefined && input.language !== 'Solidity') {
    throw bad(file, `language ${JSON.stringify(input.language)} is not Solidity`);
  }
  const sources = input.sources;
  if (!sources || typeof sources !== 'object' || Object.keys(sources).length === 0) {
    throw bad(file, 'no sources');
  }
  for (const [name, source] of Object.entries(sources)) {
    if (typeof (source as { content?: unknown })?.content !== 'string') {
      throw bad(
        file,
        `source ${name} has no inline "content" (URLs are not fetched: patchgate works offline)`,
      );
    }
  }
  const { outputSelection: _theirs, ...settings } = input.settings ?? {};
  const ordered = Object.fromEntries(
    Object.keys(sources)
      .sort()
      .map((k) => [k, { content: (sources[k] as { content: string }).content }]),
  );
  return {
    language: 'Solidity',
    sources: ordered,
    settings: { ...settings, outputSelection: OUTPUT_SELECTION },
  } as SolcInput;
}

/**
 * The reference build of a block explorer's verified sources, compiled with the bundled solc-js (cached by
 * content in the state dir like any compile).
 *
 * @example
 * ```ts
 * const project = await sourcesFileProject({ file: 'etherscan-vault.json', stateDir: '.patchgate' });
 * ```
 */
export async function sourcesFileProject(opts: { file: string; stateDir: string }): Promise<Project> {
  const file = resolve(opts.file);
  const { input: raw, version: asked } = readInput(file);
  const bundled = bundledSolcVersion();
  if (asked && shortVersion(asked) !== bundled) {
    throw inputError(
      'reference-sources-compiler',
      `--reference-sources ${opts.file} was compiled with solc ${asked}, and patchgate ships solc ${bundled}`,
      `the bytecode and layout must come from solc ${shortVersion(asked)}: use a build-info made by that compiler (--reference-git, or the project's own build) instead`,
    );
  }
  const input = normalized(raw, opts.file);
  // The same key as a project of the same sources (load.ts): an identical input is compiled once.
  const key = cacheKey([bundled, JSON.stringify(input)]);
  const label = `--reference-sources ${basename(file)}`;
  const hit = readUnit(opts.stateDir, key);
  if (hit) return { dir: dirname(file), layout: 'sources', units: [hit], cached: true, label };
  const { output, longVersion } = await compileStandardJson(input);
  const unit: CompilationUnit = {
    solcVersion: bundled,
    solcLongVersion: longVersion,
    input,
    output,
    origin: file,
    key,
    hasNamespaces: hasNamespaces(input),
  };
  writeUnit(opts.stateDir, unit);
  return { dir: dirname(file), layout: 'sources', units: [unit], cached: false, label };
}
