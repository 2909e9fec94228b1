/**
 * The pinned compiler (solc-js, shipped in node_modules: no download). Loaded lazily: soljson costs about
 * a second to load, and a cached run must not pay it.
 */

import { createRequire } from 'node:module';
import type { SolcInput, SolcOutput } from '@openzeppelin/upgrades-core';
import { environmentError, inputError } from '../errors.js';

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
    const text = errors.map((e) => (e.formattedMessage ?? e.message).trim()).join('\n\n');
    throw inputError('compile-failed', `compilation failed:\n${text}`, 'fix the Solidity error above');
  }
  return { output: output as SolcOutput, longVersion: solc.version().replace(/\.Emscripten\.clang$/, '') };
}
