/**
 * The real CLI in a child process without blocking this one: for tests whose stand-in servers live in the
 * test process (spawnSync would stop them from answering) and for tests that kill the CLI mid-run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli.js';

const BIN = fileURLToPath(new URL('../../bin/patchgate.js', import.meta.url));

export interface RunningCli {
  child: ChildProcess;
  /** Exit code (-1 when killed by a signal), output, and how long it ran. */
  done: Promise<CliResult & { signal: NodeJS.Signals | null; ms: number }>;
}

export function startCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): RunningCli {
  const t = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null; ms: number }>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr, ms: performance.now() - t });
    });
  });
  return { child, done };
}

export function runCliAsync(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): RunningCli['done'] {
  return startCli(args, opts).done;
}
