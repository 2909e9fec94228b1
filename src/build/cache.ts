/**
 * Content-addressed cache of compilation units under `<stateDir>/cache/solc/`. A corrupt or partial
 * entry is a miss (and gets rewritten), never an error; writes are atomic (temp file + rename).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompilationUnit } from './types.js';

const CACHE_FORMAT = 'patchgate-unit-1';

export function cacheKey(parts: readonly (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  h.update(CACHE_FORMAT);
  for (const p of parts) {
    h.update(String(typeof p === 'string' ? p.length : p.byteLength));
    h.update(':');
    h.update(p);
  }
  return h.digest('hex');
}

function entryPath(stateDir: string, key: string): string {
  return join(stateDir, 'cache', 'solc', `${key}.json`);
}

export function readUnit(stateDir: string, key: string): CompilationUnit | undefined {
  try {
    const unit = JSON.parse(readFileSync(entryPath(stateDir, key), 'utf8')) as CompilationUnit & {
      format?: string;
    };
    if (unit.format !== CACHE_FORMAT || unit.key !== key || !unit.input?.sources || !unit.output)
      return undefined;
    return unit;
  } catch {
    return undefined;
  }
}

export function writeUnit(stateDir: string, unit: CompilationUnit): void {
  const file = entryPath(stateDir, unit.key);
  try {
    mkdirSync(join(stateDir, 'cache', 'solc'), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const { namespacedOutput: _separate, ...rest } = unit;
    writeFileSync(tmp, JSON.stringify({ format: CACHE_FORMAT, ...rest }));
    renameSync(tmp, file);
  } catch {
    // An unwritable state dir costs speed, never correctness.
  }
}

/** Whether an entry exists (without reading it; a corrupt one is still caught when it is read). */
export function hasUnit(stateDir: string, key: string): boolean {
  return existsSync(entryPath(stateDir, key));
}

function namespacedPath(stateDir: string, key: string): string {
  return join(stateDir, 'cache', 'solc', `${key}.namespaced.json`);
}

/** The namespaced compilation of a unit, kept beside it (a build-info unit itself is never copied). */
export function readNamespaced(stateDir: string, key: string): CompilationUnit['namespacedOutput'] {
  try {
    const entry = JSON.parse(readFileSync(namespacedPath(stateDir, key), 'utf8')) as {
      format?: string;
      key?: string;
      output?: CompilationUnit['namespacedOutput'];
    };
    return entry.format === CACHE_FORMAT && entry.key === key && entry.output?.sources
      ? entry.output
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeNamespaced(
  stateDir: string,
  key: string,
  output: NonNullable<CompilationUnit['namespacedOutput']>,
): void {
  const file = namespacedPath(stateDir, key);
  try {
    mkdirSync(join(stateDir, 'cache', 'solc'), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: CACHE_FORMAT, key, output }));
    renameSync(tmp, file);
  } catch {
    // An unwritable state dir costs speed, never correctness.
  }
}
