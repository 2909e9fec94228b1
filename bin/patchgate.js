#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('patchgate: dist/ is missing; run `npm ci` (or `npm run build`) first.\n');
  process.exit(3);
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
