#!/usr/bin/env node
// Runs every benchmark in bench/ (each prints its own figures and ratios).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./', import.meta.url));
for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')) {
  console.log(`\n## ${file}`);
  const r = spawnSync(process.execPath, [dir + file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
