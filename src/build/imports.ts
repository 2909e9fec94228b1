/**
 * Collects a plain-Solidity project into a complete standard-JSON `sources` map: every project file and
 * every file they import, resolved like Foundry and Node do (relative paths, remappings.txt, lib/,
 * node_modules of the project and of each parent directory).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { inputError } from '../errors.js';

const IMPORT_RE = /^\s*import\s+(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm;

export interface Remapping {
  prefix: string;
  target: string;
}

export function readRemappings(dir: string): Remapping[] {
  const file = join(dir, 'remappings.txt');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const rhs = l.includes(':') ? l.slice(l.indexOf(':') + 1) : l; // drop a context prefix
      const [prefix, target] = rhs.split('=');
      return { prefix: prefix ?? '', target: target ?? '' };
    })
    .filter((r) => r.prefix && r.target)
    .sort((a, b) => b.prefix.length - a.prefix.length);
}

/** Every .sol file under `root` (recursively), skipping dependency and output folders. */
export function listSolidity(root: string): string[] {
  const out: string[] = [];
  const skip = new Set(['node_modules', 'lib', 'out', 'cache', 'artifacts', '.git']);
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!skip.has(entry.name) && !entry.name.startsWith('.')) visit(join(d, entry.name));
      } else if (entry.name.endsWith('.sol')) out.push(join(d, entry.name));
    }
  };
  visit(root);
  return out.sort();
}

function toUnitName(p: string): string {
  return p.split(sep).join('/');
}

export interface CollectedSources {
  sources: Record<string, { content: string }>;
}

/**
 * Resolve an import (as written) from a source unit to [unit name, absolute path].
 * Unit names: project files relative to the project dir; packages by their import path.
 */
function resolveImport(
  dir: string,
  remappings: Remapping[],
  fromUnit: string,
  importPath: string,
): [string, string] | undefined {
  if (importPath.startsWith('./') || importPath.startsWith('../')) {
    const unit = posix.normalize(posix.join(posix.dirname(fromUnit), importPath));
    const abs = unitToPath(dir, remappings, unit);
    return abs ? [unit, abs] : undefined;
  }
  const abs = unitToPath(dir, remappings, importPath);
  return abs ? [importPath, abs] : undefined;
}

/** Where a source unit name lives on disk. */
function unitToPath(dir: string, remappings: Remapping[], unit: string): string | undefined {
  for (const r of remappings) {
    if (unit.startsWith(r.prefix)) {
      const p = resolve(dir, r.target + unit.slice(r.prefix.length));
      if (existsSync(p)) return p;
    }
  }
  const direct = resolve(dir, unit);
  if (existsSync(direct)) return direct;
  // Foundry-style lib/<dep>/src/... for `dep/...` imports.
  const [first, ...rest] = unit.split('/');
  if (first && existsSync(join(dir, 'lib', first))) {
    for (const cand of [join(dir, 'lib', first, 'src', ...rest), join(dir, 'lib', first, ...rest)]) {
      if (existsSync(cand)) return cand;
    }
  }
  // node_modules of the project and of each parent (Node resolution).
  let d = resolve(dir);
  for (;;) {
    const cand = join(d, 'node_modules', unit);
    if (existsSync(cand)) return cand;
    const parent = dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

export function collectSources(dir: string, roots: string[]): CollectedSources {
  const remappings = readRemappings(dir);
  const sources: Record<string, { content: string }> = {};
  const queue: Array<[string, string]> = roots.map((abs) => [toUnitName(relative(dir, abs)), abs]);
  while (queue.length > 0) {
    const [unit, abs] = queue.pop() as [string, string];
    if (sources[unit]) continue;
    const content = readFileSync(abs, 'utf8');
    sources[unit] = { content };
    for (const m of content.matchAll(IMPORT_RE)) {
      const importPath = m[1] as string;
      const resolved = resolveImport(dir, remappings, unit, importPath);
      if (!resolved) {
        throw inputError(
          'import-not-found',
          `${unit} imports "${importPath}", which cannot be found`,
          'add a line to remappings.txt, put the dependency under lib/, or `npm install` the package',
        );
      }
      if (!sources[resolved[0]]) queue.push(resolved);
    }
  }
  return { sources };
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
