/** `patchgate serve` as a child process on a free port: started, waited for, stopped with SIGTERM. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/patchgate.js', import.meta.url));

export interface Served {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** What it has written to stderr so far. */
  stderr(): string;
  /** SIGTERM, then its exit code and whole stderr. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

export async function startServe(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const closed = once(child, 'close');
  const listening = /serving http:\/\/127\.0\.0\.1:(\d+)/;
  const deadline = Date.now() + 60_000;
  while (!listening.test(err) && child.exitCode === null && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const port = listening.exec(err)?.[1];
  if (!port) {
    child.kill('SIGKILL');
    throw new Error(`serve did not start: ${err}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGTERM');
      const [code] = (await closed) as [number | null];
      return { code, stderr: err };
    },
  };
}
