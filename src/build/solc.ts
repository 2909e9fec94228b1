/**
 * The pinned compiler (solc-js, shipped in node_modules: no download). Loaded lazily: soljson costs about
 * a second to load, and a cached run must not pay it.
 */

import { createRequire } from 'node:module';
import type { SolcInput, SolcOutput } from '@openzeppelin/upgrades-core';
import { environmentError, inputError } from '../core/errors.js';

const require = createRequire(import.meta.url);

interface SolcJs {
  version(): string;
  compile(input: string, callbacks?: unknown): string;
}

let loaded: Promise<SolcJs> | undefined;

async function solcJs(): Promise<SolcJs> {
  loaded ??= import('solc').then((m) => (m.default ?? m) as SolcJs);
  return loaded;
}

/** Whether soljson has been loaded in this process (a cached run never loads it). */
export function solcLoaded(): boolean {
  return loaded !== undefined;
}

/** The bundled compiler's version (`0.8.30`), read from its package without loading soljson. */
export function bundledSolcVersion(): string {
  return (require('solc/package.json') as { version: string }).version;
}

export function shortVersion(long: string): string {
  return /^(\d+\.\d+\.\d+)/.exec(long)?.[1] ?? long;
}

export interface SolcError {
  severity: 'error' | 'warning' | 'info';
  type: string;
  formattedMessage?: string;
  message: string;
  sourceLocation?: { file: string; start: number; end: number };
}

/** `src/A.sol:3:55: ParserError: Expected ';' but got '}'` — where the error is, from the source text. */
function errorLine(error: SolcError, input: SolcInput): string {
  const loc = error.sourceLocation;
  const content = loc ? input.sources[loc.file]?.content : undefined;
  let where = loc?.file;
  if (loc && content !== undefined && loc.start >= 0) {
    const before = content.slice(0, loc.start).split('\n');
    where = `${loc.file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
  }
  return `${where ? `${where}: ` : ''}${error.type}: ${error.message}`;
}

/**
 * Compile a complete standard-JSON input (every source present; no import callback needed).
 * Compiler errors in the sources → exit 2 with solc's own formatted message; a compiler crash → exit 3.
 */
export async function compileStandardJson(
  input: SolcInput,
): Promise<{ output: SolcOutput; longVersion: string }> {
  const solc = await solcJs();
  let raw: string;
  try {
    raw = solc.compile(JSON.stringify(input), {
      import: (path: string) => ({ error: `File not found in the compiler input: ${path}` }),
    });
  } catch (e) {
    throw environmentError('compiler-crashed', `solc-js crashed: ${(e as Error).message}`, undefined, e);
  }
  const output = JSON.parse(raw) as Omit<SolcOutput, 'errors'> & { errors?: SolcError[] };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw inputError(
      'compile-failed',
      `compilation failed: ${errorLine(errors[0] as SolcError, input)}${more}`,
      'fix the Solidity error; solc says:',
      errors.flatMap((e) => (e.formattedMessage ?? e.message).trim().split('\n')),
    );
  }
  return { output: output as SolcOutput, longVersion: solc.version().replace(/\.Emscripten\.clang$/, '') };
}
