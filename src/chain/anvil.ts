/**
 * The embedded chain: patchgate starts its own anvil (from the npm package's platform binary) on a free
 * loopback port and waits until it answers JSON-RPC. The node is a tied child (chain/child.ts): it stops
 * on stop() and dies with patchgate however patchgate dies, SIGKILL included.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { environmentError } from '../core/errors.js';
import { spawnTied, stopTied, type TieMethod } from './child.js';
import { displayUrl, requestTimeoutMs } from './rpc.js';

export interface Anvil {
  rpcUrl: string;
  port: number;
  pid: number;
  /** How the node dies with patchgate (chain/child.ts). */
  tie: TieMethod;
  /** Settles when the node has exited, for whatever reason (stop(), a crash, a signal). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  port?: number;
  /** Extra anvil arguments (e.g. `--fork-url`, `--hardfork`). */
  args?: string[];
  /** How long to wait for the node to answer (default 10 s). */
  timeoutMs?: number;
  /** How the node is tied to this process (default: the strongest available; see chain/child.ts). */
  tie?: TieMethod;
}

const require = createRequire(import.meta.url);

/** The anvil binary shipped by `@foundry-rs/anvil-<platform>-<arch>` (no postinstall download needed). */
function anvilBinary(): string {
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

/** anvil's own words for why it stopped, on one line (its stderr can hold a multi-line error chain). */
function anvilFailure(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /^error\b/i.test(l)) ?? lines[0];
  return error ? error.replace(/\s+/g, ' ').slice(0, 300) : 'no output';
}

/**
 * Start the embedded anvil (npm `@foundry-rs/anvil`) on a free port, tied to this process: it dies with it, however
 * this process ends. `stop()` ends it.
 *
 * @example
 * ```ts
 * const anvil = await startAnvil();
 * console.log(anvil.rpcUrl); // http://127.0.0.1:<a free port>
 * await anvil.stop();
 * ```
 */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<Anvil> {
  const port = opts.port ?? (await freePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  const args = opts.args ?? [];
  const forkAt = args.indexOf('--fork-url');
  const forkUrl = forkAt >= 0 ? args[forkAt + 1] : undefined;
  // A forked node's requests upstream wait as long as patchgate's own (anvil's default is 45 s).
  const forkTimeout = forkUrl && !args.includes('--timeout') ? ['--timeout', String(requestTimeoutMs())] : [];
  const tied = spawnTied(
    anvilBinary(),
    ['--host', '127.0.0.1', '--port', String(port), '--silent', ...forkTimeout, ...args],
    { stderr: 'pipe', ...(opts.tie ? { method: opts.tie } : {}) },
  );
  const { child } = tied;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 64_000) stderr += d.toString();
  });
  let exited: number | null | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const stop = () => stopTied(tied);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw forkUrl
        ? environmentError(
            'fork-failed',
            `anvil could not fork ${displayUrl(forkUrl)}: ${anvilFailure(stderr)}`,
            'check that the URL names an Ethereum JSON-RPC node that serves blocks and state',
          )
        : environmentError(
            'anvil-failed',
            `anvil exited with code ${exited} before answering: ${anvilFailure(stderr)}`,
            'run `npm ci`',
          );
    }
    if (await answers(rpcUrl)) {
      return { rpcUrl, port, pid: child.pid as number, tie: tied.method, exited: gone, stop };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw environmentError('anvil-timeout', `anvil did not answer on ${rpcUrl} within ${timeoutMs} ms`);
}
