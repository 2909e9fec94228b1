#!/usr/bin/env node
/**
 * A `solc` executable backed by solc-js, for tools that call the native compiler binary (Foundry's
 * `solc = "..."` / `forge build --use`, Hardhat's compiler path). It answers what they ask:
 *   --version                      the native banner (`Version: 0.8.30+commit.73712a01.<platform>`)
 *   --standard-json [paths flags]  standard-JSON input on stdin, output on stdout
 * Which solc-js it loads: `--solc-package NAME` (first argument) or the PATCHGATE_SOLC_PACKAGE variable,
 * default `solc` (the pinned one); other versions are npm aliases, e.g. `solc-0.8.20@npm:solc@0.8.20`.
 * Imports missing from the input are read from disk relative to --base-path / --include-path, inside
 * --allow-paths, as native solc does.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve, sep } from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
let pkg = process.env.PATCHGATE_SOLC_PACKAGE || 'solc';
if (args[0] === '--solc-package') {
  pkg = args[1];
  args.splice(0, 2);
}

function valuesOf(flag) {
  const out = [];
  args.forEach((a, i) => {
    if (a === flag && args[i + 1] !== undefined) out.push(...args[i + 1].split(','));
    else if (a.startsWith(`${flag}=`)) out.push(...a.slice(flag.length + 1).split(','));
  });
  return out.filter(Boolean);
}

function load() {
  return require(require.resolve(pkg, { paths: [process.cwd(), import.meta.dirname] }));
}

function nativeVersion(solc) {
  const platform = process.platform === 'darwin' ? 'Darwin.appleclang' : 'Linux.g++';
  return solc.version().replace(/\.Emscripten\.clang$/, `.${platform}`);
}

if (args.includes('--version')) {
  const solc = load();
  process.stdout.write(
    `solc, the solidity compiler commandline interface\nVersion: ${nativeVersion(solc)}\n`,
  );
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write(
    `solc-js-native: only --version and --standard-json are supported (got: ${args.join(' ')})\n`,
  );
  process.exit(1);
}

const stdin = readFileSync(0, 'utf8');
const solc = load();
const roots = [...valuesOf('--base-path'), ...valuesOf('--include-path')].map((p) => resolve(p));
if (roots.length === 0) roots.push(process.cwd());
const allowed = [...roots, ...valuesOf('--allow-paths').map((p) => resolve(p))];

function readCallback(path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((r) => join(r, path));
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const real = realpathSync(file);
    if (!allowed.some((a) => real === a || real.startsWith(a + sep) || file.startsWith(a + sep))) {
      return { error: `File outside of allowed directories: ${path}` };
    }
    return { contents: readFileSync(file, 'utf8') };
  }
  return { error: `File not found: ${path}` };
}

process.stdout.write(solc.compile(stdin, { import: readCallback }));
