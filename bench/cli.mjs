#!/usr/bin/env node
/**
 * Benchmark: how long a `patchgate` command takes from spawn to exit, run from the start-up bundle (dist/bundle/,
 * what bin/patchgate.js runs; scripts/bundle.mjs) against tsc's unbundled dist/cli/ (the baseline: what it ran
 * before). Three commands a user runs often: `--version` (every command's module loaded), `status` on an empty
 * state dir (viem and the store's modules, then exit 2) and `check` of the example's fix against its warm cache
 * (the compiler output read back, the analysis cached). Interleaved, same machine, medians.
 * Needs `npm run build` first.   node bench/cli.mjs [--runs N] [--json FILE]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { arg, figure, freshDir, median, report, root, timedNode } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const RUNS = arg('--runs', 15);
const entries = { bundle: join(root, 'dist/bundle/main.js'), tsc: join(root, 'dist/cli/main.js') };
for (const [name, file] of Object.entries(entries)) {
  if (!existsSync(file)) {
    console.error(`${file} is missing (${name}): run \`npm run build\` first`);
    process.exit(2);
  }
}
const work = freshDir('cli');
const launcher = join(work, 'launch.mjs');
// The same two lines as bin/patchgate.js, with the entry named.
await import('node:fs').then(({ writeFileSync }) =>
  writeFileSync(
    launcher,
    'const { main } = await import(process.argv[2]);\nprocess.exitCode = await main(process.argv.slice(3));\n',
  ),
);
const example = join(root, 'examples/vault');
const state = join(work, 'state');
const commands = {
  '--version': { args: ['--version'], code: 0 },
  'status (empty state dir)': { args: ['status', '--state-dir', join(work, 'none')], code: 2 },
  'check --patch fix-flash-deposit (warm cache)': {
    args: ['check', '--patch', 'fix-flash-deposit', '--project', example, '--state-dir', state],
    code: 0,
  },
};
const times = {};
for (const [label, { args, code }] of Object.entries(commands)) {
  times[label] = { bundle: [], tsc: [] };
  for (const [name, entry] of Object.entries(entries)) {
    const warm = timedNode([launcher, entry, ...args], work); // page cache, compiler cache
    if (warm.code !== code) {
      console.error(`${name} ${args.join(' ')} exited ${warm.code}, not ${code}:\n${warm.err}`);
      process.exit(1);
    }
  }
  for (let run = 0; run < RUNS; run++) {
    for (const [name, entry] of Object.entries(entries)) {
      times[label][name].push(timedNode([launcher, entry, ...args], work).ms);
    }
  }
}
const figures = Object.entries(times).flatMap(([label, t]) => {
  const base = { label: `tsc's dist/cli/ (unbundled)`, value: median(t.tsc) };
  return [figure(`patchgate ${label}, bundle`, median(t.bundle), 'ms', RUNS, base)];
});
const result = report('cli', RUNS, figures, [
  'Spawn to exit of `node`, so Node.js start-up (about 40 ms here) is in both columns.',
]);
console.log(`patchgate start-up: bundle vs tsc output, median of ${RUNS}`);
console.log(renderLines(result).join('\n'));
