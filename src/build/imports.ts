/**
 * Collects a plain-Solidity project into a complete standard-JSON `sources` map: every project file and
 * every file they import, resolved like Foundry and Node do (relative paths, remappings.txt and foundry.toml, lib/,
 * node_modules of the project and of each parent directory).
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { inputError } from '../core/errors.js';
import { foundryConfig } from './foundry-toml.js';

const IMPORT_RE = /(?:^|[;}\s])import\s*(?:[^'";]*?\s*from\s*)?["']([^"']+)["']/g;

/**
 * The source with comments blanked out (strings kept), so a commented-out import is not followed.
 * Same length as the input; newlines inside block comments are kept.
 */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The import paths of a Solidity source, as written (`import "x";`, `import {A} from "x";`, `import * as X from 'x';`). */
function importPaths(src: string): string[] {
  return [...stripComments(src).matchAll(IMPORT_RE)].map((m) => m[1] as string);
}

export interface Remapping {
  prefix: string;
  target: string;
}

/** Remappings from foundry.toml's `remappings` and remappings.txt, as forge merges them (foundry.toml first). */
function readRemappings(dir: string): Remapping[] {
  const file = join(dir, 'remappings.txt');
  const fromToml = foundryConfig(dir, 'remappings');
  const lines = [
    ...(Array.isArray(fromToml) ? fromToml : []),
    ...(existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []),
  ];
  const byPrefix = new Map<string, Remapping>();
  const parsed = lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const rhs = l.includes(':') ? l.slice(l.indexOf(':') + 1) : l; // drop a context prefix
      const [prefix, target] = rhs.split('=');
      return { prefix: prefix ?? '', target: target ?? '' };
    })
    .filter((r) => r.prefix && r.target);
  for (const r of parsed) if (!byPrefix.has(r.prefix)) byPrefix.set(r.prefix, r);
  return [...byPrefix.values()].sort((a, b) => b.prefix.length - a.prefix.length);
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
  /**
   * solc remappings (`import path=unit name`, one per remapped import) that tell the compiler which unit a
   * remapped import names; empty when nothing was remapped.
   */
  remappings: string[];
}

/**
 * Resolve an import (as written) from a source unit to [unit name, absolute path]. Unit names follow solc:
 * a relative import is joined to the importing unit's name; a remapped import (remappings.txt, or Foundry's
 * implicit `dep/=lib/dep/src/`) is named by the file it maps to, relative to the project dir (as forge
 * names it, and so a project file reached through a remapping is not a second unit); a package found in
 * node_modules keeps its import path (as Hardhat names it).
 */
function resolveImport(
  where: Where,
  remappings: Remapping[],
  fromUnit: string,
  importPath: string,
): [string, string] | undefined {
  if (importPath.startsWith('./') || importPath.startsWith('../')) {
    const unit = posix.normalize(posix.join(posix.dirname(fromUnit), importPath));
    const found = unitToPath(where, remappings, unit);
    return found ? [unit, found.abs] : undefined;
  }
  const found = unitToPath(where, remappings, importPath);
  if (!found) return undefined;
  const rel = relative(found.base, found.abs);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  return [found.remapped && inside ? toUnitName(rel) : importPath, found.abs];
}

/**
 * Where imports resolve: the project folder, and — for a git revision's tree — the working tree's project,
 * where dependencies that are not in git live (node_modules, lib/ submodules). Then the tree's own parents are
 * not searched (they are the state dir, not the repository).
 */
interface Where {
  dir: string;
  dependencyDir?: string;
}

/** Where a source unit name lives on disk, whether a remapping (or lib/) put it there, and under which root. */
function unitToPath(
  where: Where,
  remappings: Remapping[],
  unit: string,
): { abs: string; remapped: boolean; base: string } | undefined {
  const { dir, dependencyDir } = where;
  const bases = dependencyDir ? [dir, dependencyDir] : [dir];
  for (const r of remappings) {
    if (!unit.startsWith(r.prefix)) continue;
    for (const base of bases) {
      const p = resolve(base, r.target + unit.slice(r.prefix.length));
      if (existsSync(p)) return { abs: p, remapped: true, base };
    }
  }
  const direct = resolve(dir, unit);
  if (existsSync(direct)) return { abs: direct, remapped: false, base: dir };
  // Foundry-style lib/<dep>/src/... for `dep/...` imports.
  const [first, ...rest] = unit.split('/');
  for (const base of bases) {
    if (first && existsSync(join(base, 'lib', first))) {
      for (const cand of [join(base, 'lib', first, 'src', ...rest), join(base, 'lib', first, ...rest)]) {
        if (existsSync(cand)) return { abs: cand, remapped: true, base };
      }
    }
  }
  // node_modules of the project and of each parent (Node resolution).
  let d = resolve(dir);
  if (dependencyDir) {
    const cand = join(dir, 'node_modules', unit);
    if (existsSync(cand)) return { abs: cand, remapped: false, base: dir };
    d = resolve(dependencyDir);
  }
  for (;;) {
    const cand = join(d, 'node_modules', unit);
    if (existsSync(cand)) return { abs: cand, remapped: false, base: dir };
    const parent = dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

/** The nearest directory at or above `dir` holding `.git`, else `dir` itself: the repository a project is in. */
function repositoryOf(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return dir;
  }
}

/**
 * A source is read only when it really lies (symlinks followed) inside the project's repository — or the working
 * tree's, for a git revision's tree — or inside a `node_modules` package. A pull request must not make the compiler
 * read, and the report print, a file of the machine it runs on: `import "/etc/passwd"`, `../../../…`, a committed
 * symlink to `/proc/self/environ`.
 */
function insideCheck(dir: string, dependencyDir?: string): (unit: string, abs: string) => void {
  const roots = [dir, ...(dependencyDir ? [dependencyDir] : [])].flatMap((d) => {
    const real = realpathSync(d);
    return [real, repositoryOf(real)];
  });
  return (unit, abs) => {
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      real = resolve(abs);
    }
    const inside = roots.some((r) => {
      const rel = relative(r, real);
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    });
    if (!inside && !real.split(sep).includes('node_modules')) {
      throw inputError(
        'source-outside-project',
        `${unit} is outside the project's repository (${real}): it is not read`,
        'keep every source and import inside the repository (or a node_modules package); no symlinks or paths out of it',
      );
    }
  };
}

export function collectSources(dir: string, roots: string[], dependencyDir?: string): CollectedSources {
  const where: Where = dependencyDir ? { dir, dependencyDir } : { dir };
  const remappings = readRemappings(dir);
  const sources: Record<string, { content: string }> = {};
  const remapped = new Set<string>();
  const assertInside = insideCheck(dir, dependencyDir);
  const queue: Array<[string, string]> = roots.map((abs) => [toUnitName(relative(dir, abs)), abs]);
  while (queue.length > 0) {
    const [unit, abs] = queue.pop() as [string, string];
    if (sources[unit]) continue;
    assertInside(unit, abs);
    const content = readFileSync(abs, 'utf8');
    sources[unit] = { content };
    for (const importPath of importPaths(content)) {
      const resolved = resolveImport(where, remappings, unit, importPath);
      if (!resolved) {
        throw inputError(
          'import-not-found',
          `${unit} imports "${importPath}", which cannot be found`,
          'add a line to remappings.txt, put the dependency under lib/, or `npm install` the package',
        );
      }
      if (resolved[0] !== importPath && !importPath.startsWith('.')) {
        remapped.add(`${importPath}=${resolved[0]}`);
      }
      if (!sources[resolved[0]]) queue.push(resolved);
    }
  }
  return { sources, remappings: [...remapped].sort() };
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
