/**
 * What every benchmark shares: its arguments, a fresh temp dir that is removed however the process ends, the
 * median, a timed run of a command as a user runs it, the machine it ran on, and the machine-readable result
 * that `npm run bench` (bench/run.mjs) collects.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The 1-minute load average when this bench started: a shared machine's figures move with it. */
const loadAtStart = loadavg()[0];

export const root = fileURLToPath(new URL('../../', import.meta.url));
/** The compiled CLI, run as a user runs it: `node bin/patchgate.js …`. */
export const cli = join(root, 'bin/patchgate.js');

/** `--name N` from the command line, or `dflt`. */
export function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`${name} "${process.argv[i + 1]}" is not a positive integer`);
    process.exit(2);
  }
  return v;
}

/** A fresh directory under the OS temp dir, removed when the process exits (normally or by an error). */
export function freshDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `patchgate-bench-${prefix}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  return dir;
}

/** The q-quantile (nearest rank) of `xs`: p99 of 30 runs is the slowest but none. */
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * One run of `node …args` as a separate process, timed from spawn to exit (Node's start, module loading and
 * everything the command does). `cwd` should be a temp dir: nothing lands in the repo.
 */
export function timedNode(args, cwd) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd, maxBuffer: 1 << 28 });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, code: r.status, out: r.stdout, err: r.stderr };
}

/** The machine a figure was measured on, and its load average at the bench's start and end. */
export function machine() {
  const cpu = cpus();
  return {
    cpu: (cpu[0]?.model ?? 'unknown cpu').replace(/\s+/g, ' ').trim(),
    cores: cpu.length,
    ramGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${arch()}`,
    load: [+loadAtStart.toFixed(1), +loadavg()[0].toFixed(1)],
  };
}

/**
 * A figure: `value` in `unit`, measured over `runs` runs (a median unless `note` says otherwise), beside its
 * `baseline` (another figure measured in the same run) with the ratio value / baseline.
 */
export function figure(label, value, unit, runs, baseline, note) {
  const f = { label, value, unit, runs };
  if (baseline) {
    f.baseline = baseline;
    if (baseline.value !== 0) f.ratio = value / baseline.value; // no ratio to a zero (a count of none)
  }
  if (note) f.note = note;
  return f;
}

/**
 * Prints the figures (each beside its baseline, with the ratio) and, with `--json FILE`, writes the result
 * there for bench/run.mjs: `{bench, date, machine, runs, figures, notes}`.
 */
export function report(bench, runs, figures, notes = []) {
  const result = { bench, date: new Date().toISOString(), machine: machine(), runs, figures, notes };
  const i = process.argv.indexOf('--json');
  if (i > 0) writeFileSync(process.argv[i + 1], JSON.stringify(result, null, 2));
  return result;
}
