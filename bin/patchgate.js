#!/usr/bin/env node
// Thin launcher. The compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script): dist/bundle/ is
// the same code with viem and the other pure-JS dependencies inlined, which starts several times faster;
// tsc's dist/cli/ is used when the bundle is missing or older than it (a `tsc` run without `npm run build`).
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const bundled = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));
if (!existsSync(compiled)) {
  process.stderr.write('patchgate: dist/ is missing; run `npm ci` (or `npm run build`) first.\n');
  process.exit(3);
}
const fresh = existsSync(bundled) && statSync(bundled).mtimeMs >= statSync(compiled).mtimeMs;
const { main } = await import(fresh ? bundled : compiled);
process.exitCode = await main(process.argv.slice(2));
