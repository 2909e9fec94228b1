/**
 * `patchgate sandbox` and `patchgate demo --keep` as a newcomer uses them: started as a process of its own, its
 * printed environment read back, and the commands it prints run one by one with that environment (README's
 * lifecycle: propose → approve ×2 → queue → execute, warped → verify → status → log → audit) against its chain;
 * then SIGTERM: exit 0 and nothing left listening or running. Also: a port already in use, and a state dir
 * holding a store it did not make, are refused (exit 2) before any work.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, getAddress, http, slice } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERC1967 } from '../src/core/proxy-kinds.js';
import { type CliResult, runCli } from './helpers/cli.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const BIN = fileURLToPath(new URL('../bin/patchgate.js', import.meta.url));

/** A state dir of its own, seeded with the run's compiler cache. */
function stateDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pg-${name}-`));
  cpSync(join(TEST_STATE_DIR, 'cache'), join(dir, 'cache'), { recursive: true });
  return dir;
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `patchgate <args>` in the background, resolved once it says its chain is up (stderr `… running on URL`). */
async function startBackground(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': 'exit' may come before the last of its output has been read from the pipes.
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 240_000;
  while (!/ running on http:\/\/127\.0\.0\.1:\d+/.test(err)) {
    const done = await Promise.race([exit, new Promise((r) => setTimeout(r, 200))]);
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`not running: ${JSON.stringify(done)}\n${out}\n${err}`);
    }
  }
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** `export NAME=value   # note` lines → { NAME: value } (the values are plain shell words here). */
function exportsOf(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^export ([A-Z0-9_]+)=(\S+)/gm)].map((m) => [m[1] as string, m[2] as string]),
  );
}

/** The `npx patchgate …` lines it printed, their trailing `# notes` dropped. */
function commandsOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('npx patchgate '))
    .map((l) => l.replace(/\s+#.*$/, ''));
}

/** A printed command run as the shell would: `$NAME` expanded from `env`, then `patchgate` (this build) with those words. */
function run(command: string, env: Record<string, string>): CliResult {
  const words = command
    .replace(/^npx patchgate /, '')
    .split(/\s+/)
    .map((w) =>
      w.replace(/\$([A-Z0-9_]+)/g, (_, name: string) => {
        const value = env[name];
        if (value === undefined) throw new Error(`$${name} is not in the printed environment`);
        return value;
      }),
    );
  return runCli(words, { env });
}

/** The direct children of `pid` (anvil is one: a tied child keeps its own pid). */
function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(rpc: string): Promise<boolean> {
  try {
    await fetch(rpc, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(2000),
    });
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM → exit 0, its anvil gone with it and the RPC port closed. */
async function stopsCleanly(running: Running, rpc: string): Promise<void> {
  const pid = running.child.pid as number;
  const children = childrenOf(pid);
  expect(children.length).toBeGreaterThan(0);
  running.child.kill('SIGTERM');
  const { code, signal } = await running.exit;
  expect({ code, signal }, running.stderr()).toEqual({ code: 0, signal: null });
  expect(running.stderr()).toMatch(/stopped\n$/);
  for (const c of children) expect(alive(c), `child ${c}`).toBe(false);
  expect(await answers(rpc)).toBe(false);
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Holds 127.0.0.1:8545 for the sandbox test (if something else already does, it is taken all the same). */
let usual: Server | undefined;
afterAll(() => usual?.close());

describe('patchgate sandbox', () => {
  let sandbox: Running;
  let state: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    usual = await listen(8545).catch(() => undefined);
    state = stateDir('sandbox');
    sandbox = await startBackground(['sandbox', '--state-dir', state]);
    env = exportsOf(sandbox.stdout());
  }, 300_000);

  afterAll(() => {
    if (sandbox?.child.exitCode === null) sandbox.child.kill('SIGKILL');
  });

  it('prints the environment — RPC, config, state dir, the test keys (said to be public), the addresses — and writes it to sandbox.env', () => {
    const out = sandbox.stdout();
    expect(out).toContain('V1 live, nothing proposed yet');
    // 8545 is held: another port was picked, and it says so.
    expect(out).toContain('8545 is taken: a free port was picked');
    expect(env.RPC).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.RPC).not.toBe('http://127.0.0.1:8545');
    expect(env).toMatchObject({ STATE_DIR: state, CONFIG: join(state, 'sandbox.config.json') });
    for (const key of ['DEPLOYER_KEY', 'OWNER1_KEY', 'OWNER2_KEY', 'OWNER3_KEY', 'SUBMITTER_KEY', 'LOG_KEY'])
      expect(env[key], key).toMatch(/^0x[0-9a-f]{64}$/);
    for (const name of ['VAULT', 'TIMELOCK', 'SAFE', 'PROXY_ADMIN', 'LOG_SIGNER'])
      expect(env[name], name).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(out).toMatch(/anvil's well-known public test keys/);
    // `source <state>/sandbox.env` gives the same values.
    const file = join(state, 'sandbox.env');
    expect(readFileSync(file, 'utf8')).toMatch(/public test keys/);
    const sourced = spawnSync('sh', ['-c', '. "$0" && printf "%s\\n" "$RPC" "$OWNER2_KEY" "$VAULT"', file], {
      encoding: 'utf8',
    });
    expect(sourced.stdout).toBe(`${env.RPC}\n${env.OWNER2_KEY}\n${env.VAULT}\n`);
    // Nothing proposed yet: the store it made is empty.
    const status = runCli(['status', '--state-dir', state, '--format', 'json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([]);
  });

  it("runs README's lifecycle as printed: propose, 2 approvals, queue, execute (warped), verify, status, log, audit — the approved implementation is live", async () => {
    const commands = commandsOf(sandbox.stdout());
    expect(commands.map((c) => c.split(' ').slice(2, 4).join(' '))).toEqual([
      'propose --patch',
      'approve $DIGEST',
      'approve $DIGEST',
      'queue $DIGEST',
      'execute $DIGEST',
      'verify $DIGEST',
      'status $DIGEST',
      'log export',
      'log head',
      'log verify',
      'audit $VAULT',
    ]);
    const [propose, ...rest] = commands;
    const proposed = run(propose as string, env);
    expect(proposed.code, proposed.stderr).toBe(0);
    // As the printed step says: export DIGEST=<the digest propose printed>.
    const digest = /^\s+digest\s+(0x[0-9a-f]{64})$/m.exec(proposed.stdout)?.[1] as string;
    const implementation = /^\s+implementation\s+(0x[0-9a-fA-F]{40})/m.exec(proposed.stdout)?.[1] as string;
    expect(digest).toBeDefined();
    const withDigest = { ...env, DIGEST: digest };
    const results: Record<string, CliResult> = {};
    for (const command of rest) {
      const r = run(command, withDigest);
      expect(r.code, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
      results[command.split(' ').slice(2, 4).join(' ')] = r;
    }
    expect(results['execute $DIGEST']?.stdout).toMatch(/local clock moved forward 172800 s/);
    const verified = results['verify $DIGEST']?.stdout ?? '';
    expect(verified).toMatch(/^PASS {2}verify fix-flash-deposit/);
    expect(verified).toContain(`implementation slot = ${implementation}`);
    expect(results['status $DIGEST']?.stdout).toMatch(/verified/);
    expect(results['log verify']?.stdout).toMatch(/^OK: 9 entries authenticated by the head/);
    // And the chain itself, read without patchgate: the vault's implementation slot holds the approved one.
    const client = createPublicClient({ transport: http(env.RPC) });
    const slot = await client.getStorageAt({
      address: env.VAULT as `0x${string}`,
      slot: ERC1967.implementation,
    });
    expect(getAddress(slice(slot as `0x${string}`, 12))).toBe(getAddress(implementation));
  }, 600_000);

  it('stops on SIGTERM: exit 0, its anvil gone, the port closed', async () => {
    await stopsCleanly(sandbox, env.RPC as string);
  });

  it('refuses a port already in use (exit 2) and a state dir holding a store it did not make (exit 2), touching nothing', async () => {
    const taken = await listen();
    const port = (taken.address() as { port: number }).port;
    const fresh = mkdtempSync(join(tmpdir(), 'pg-sandbox-port-'));
    const r = runCli(['sandbox', '--port', String(port), '--state-dir', fresh]);
    taken.close();
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`patchgate: --port ${port} is in use by another process`);
    expect(readdirSync(fresh)).toEqual([]);

    const other = mkdtempSync(join(tmpdir(), 'pg-sandbox-real-'));
    mkdirSync(join(other, 'db'));
    const s = runCli(['sandbox', '--state-dir', other]);
    expect(s.code).toBe(2);
    expect(s.stderr.split('\n')[0]).toBe(
      `patchgate: --state-dir ${other} already holds a store the sandbox did not make`,
    );
    expect(readdirSync(other)).toEqual(['db']);
  });
});

describe('patchgate demo --keep', () => {
  it('leaves the chain up after the demo with its environment, the printed commands work against it, SIGTERM stops it', async () => {
    const state = stateDir('demo-keep');
    const demo = await startBackground(['demo', '--keep', '--state-dir', state]);
    try {
      const out = demo.stdout();
      expect(out).toMatch(/the fix executed and verified/);
      const env = exportsOf(out);
      expect(env.DIGEST).toMatch(/^0x[0-9a-f]{64}$/);
      expect(existsSync(join(state, 'sandbox.env'))).toBe(true);
      const commands = commandsOf(out);
      expect(commands.map((c) => c.split(' ')[2])).toEqual(['status', 'verify', 'log', 'audit']);
      for (const command of commands) {
        const r = run(command, env);
        expect(r.code, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
      }
      await stopsCleanly(demo, env.RPC as string);
    } finally {
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
    }
  }, 600_000);
});
