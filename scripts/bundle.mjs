#!/usr/bin/env node
/**
 * The CLI's start-up bundle. A command used to spend most of its start reading modules: viem alone is ~1,500 ESM
 * files, upgrades-core and pg hundreds of CommonJS ones (about 1 s of a `patchgate status` here). dist/bundle/ is
 * tsc's dist/cli/main.js with those pure-JS dependencies inlined, still split per command (a command loads only
 * its own chunk). Packages that find files next to themselves stay external: pglite's wasm, solc's soljson,
 * anvil's and forge's binaries, typescript (a config written in TypeScript), and jsonc-parser (its UMD build
 * requires at run time). bin/patchgate.js falls back to dist/cli/ when the bundle is missing or older.
 *
 * The chunks sit two folders below the package root, like every dist/<folder>/ module, so that their
 * `new URL('../../contracts/', import.meta.url)` paths still resolve.
 */
import { rmSync } from 'node:fs';
import { build } from 'rolldown';

const INLINE = new RegExp(
  `^(${['viem', 'ox', 'abitype', '@noble', '@scure', 'commander', 'zod', 'picocolors', 'solidity-ast', '@openzeppelin/upgrades-core', 'pg', 'ws'].join('|')})(/|$)`,
);

const root = new URL('../', import.meta.url);
rmSync(new URL('dist/bundle/', root), { recursive: true, force: true });
await build({
  cwd: root.pathname,
  input: { main: 'dist/cli/main.js' },
  platform: 'node',
  logLevel: 'warn',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !INLINE.test(id),
  output: { dir: 'dist/bundle', format: 'esm', chunkFileNames: '[name]-[hash].js' },
});
