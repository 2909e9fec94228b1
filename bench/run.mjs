#!/usr/bin/env node
/**
 * `npm run bench`: runs every benchmark, one after the other (never two at once: they would time each other),
 * collects each one's machine-readable result (`--json FILE`, bench/lib/common.mjs) and regenerates the
 * figures in README.md and docs/bench.md between their markers (`<!-- bench:NAME -->` … `<!-- /bench:NAME -->`),
 * stamped with the date, the machine and the run count (bench/lib/readme.mjs). The figures are never typed.
 *
 *   node bench/run.mjs [--no-write | --check] [--only check,ledger] [--json FILE] [options passed to each bench]
 *   node bench/run.mjs --from FILE [--no-write]   (render the results a run saved with --json; runs nothing)
 *
 * --no-write (or --check) prints the blocks instead of writing them. A bench that fails leaves its block as it
 * was and makes the exit code non-zero.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDir, root } from './lib/common.mjs';
import { parseBlocks, renderBlock, replaceBlock } from './lib/readme.mjs';

const BENCHES = [
  'anvil',
  'cli',
  'check',
  'scan',
  'precision',
  'simulate',
  'fuzz',
  'ledger',
  'demo',
  'watch',
  'server',
];
const DOCS = ['README.md', 'docs/bench.md'];

const argv = process.argv.slice(2).filter((a) => a !== '--no-write' && a !== '--check');
const printOnly = process.argv.includes('--no-write') || process.argv.includes('--check');
const take = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = argv.splice(i, 2);
  if (value === undefined) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return value;
};
const write = !printOnly;
const only = take('--only')?.split(',');
const jsonOut = take('--json');
const from = take('--from');
const unknown = only?.filter((b) => !BENCHES.includes(b)) ?? [];
if (unknown.length) {
  console.error(`--only: no bench named ${unknown.join(', ')} (benches: ${BENCHES.join(', ')})`);
  process.exit(2);
}

const results = from ? JSON.parse(readFileSync(from, 'utf8')) : [];
const work = freshDir('run');
for (const bench of from ? [] : BENCHES.filter((b) => !only || only.includes(b))) {
  console.log(`\n## ${bench}`);
  const out = join(work, `${bench}.json`);
  const r = spawnSync(process.execPath, [join(root, 'bench', `${bench}.mjs`), ...argv, '--json', out], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`bench/${bench}.mjs exited ${r.status ?? r.signal}: its figures are left as they were`);
    process.exitCode = 1;
    continue;
  }
  results.push(JSON.parse(readFileSync(out, 'utf8')));
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));

for (const result of results) {
  const body = renderBlock(result);
  const homes = DOCS.filter((doc) =>
    parseBlocks(readFileSync(join(root, doc), 'utf8')).some((b) => b.name === result.bench),
  );
  if (!write || homes.length === 0) {
    console.log(
      `\n<!-- bench:${result.bench} --> ${homes.length ? '(not written: --no-write)' : '(no block for it in README.md or docs/bench.md)'}\n${body}`,
    );
    continue;
  }
  for (const doc of homes) {
    const file = join(root, doc);
    writeFileSync(file, replaceBlock(readFileSync(file, 'utf8'), result.bench, body));
    console.log(`${doc}: <!-- bench:${result.bench} --> regenerated`);
  }
}
