/**
 * The embedded chain: patchgate starts its own anvil (from the npm package's platform binary) on a free
 * loopback port, waits until it answers JSON-RPC, and stops it on stop(), on process exit and on signals.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { environmentError } from '../errors.js';

export interface Anvil {
  rpcUrl: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  port?: number;
  /** Extra anvil arguments (e.g. `--fork-url`, `--hardfork`). */
  args?: string[];
  /** How long to wait for the node to answer (default 10 s). */
  timeoutMs?: number;
}

const require = createRequire(import.meta.url);
const running = new Set<ChildProcess>();
let hooked = false;

/** The anvil binary shipped by `@foundry-rs/anvil-<platform>-<arch>` (no postinstall download needed). */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    const root = dirname(require.resolve(`${pkg}/package.json`));
    const bin = join(root, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(bin)) return bin;
  } catch {
    // fall through
  }
  throw environmentError(
    'anvil-missing',
    `the anvil binary for ${process.platform}-${arch} is not installed (${pkg})`,
    'run `npm ci`',
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

export async function startAnvil(opts: StartAnvilOptions = {}): Promise<Anvil> {
  const port = opts.port ?? (await freePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  const child = spawn(
    anvilBinary(),
    ['--host', '127.0.0.1', '--port', String(port), '--silent', ...(opts.args ?? [])],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  running.add(child);
  hookExit();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
    running.delete(child);
  });
  const stop = async () => {
    if (exited !== undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw environmentError(
        'anvil-failed',
        `anvil exited with code ${exited} before answering: ${stderr.trim() || 'no output'}`,
      );
    }
    if (await answers(rpcUrl)) return { rpcUrl, port, pid: child.pid as number, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw environmentError(
    'anvil-timeout',
    `anvil did not answer on ${rpcUrl} within ${opts.timeoutMs ?? 10_000} ms`,
  );
}
