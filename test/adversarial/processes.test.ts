/**
 * The embedded anvil dies with patchgate however patchgate dies. SIGKILL (and the OOM killer, which sends
 * it) runs no exit hook: the node must still go — by the kernel's parent-death signal (Linux, setpriv) or
 * by a watcher that sees patchgate's pipe close (other POSIX systems). Each test kills a real CLI run in
 * the middle of its work, then finds the anvil it had started (by /proc: a descendant of the killed
 * process, its port read from the command line) and requires it gone and its port closed within seconds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erc1967Slots } from '../../src/chain/proxy.js';
import { startCli } from '../helpers/cli-async.js';
import { EXAMPLE_DIR, TEST_STATE_DIR } from '../helpers/example.js';
import { type LiveExample, startLiveExample } from '../helpers/live.js';

const ANVIL_MODULE = fileURLToPath(new URL('../../dist/chain/anvil.js', import.meta.url));
const CONFIG = join(EXAMPLE_DIR, 'patchgate.config.json');

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  state: string;
  cmdline: string[];
}

function proc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …  — comm may hold spaces and parentheses: split at the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return {
      pid,
      ppid: Number(ppid),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      state: state ?? '',
      cmdline,
    };
  } catch {
    return undefined;
  }
}

const all = (): Proc[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => proc(Number(d)))
    .filter((p): p is Proc => p !== undefined);

/** Every process below `root` (children, grandchildren…). */
function descendants(root: number): Proc[] {
  const procs = all();
  const out: Proc[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop() as number;
    for (const p of procs.filter((x) => x.ppid === parent)) {
      out.push(p);
      frontier.push(p.pid);
    }
  }
  return out;
}

/** Running: a zombie (killed, waiting for its new parent to reap it) counts as gone. */
const alive = (pid: number) => {
  const p = proc(pid);
  return p !== undefined && p.state !== 'Z';
};

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

async function blockNumber(port: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return Number(((await res.json()) as { result?: string }).result);
  } catch {
    return -1;
  }
}

interface Node {
  pid: number;
  port: number;
}

/** The anvil a process started (anywhere below it), once it is up; its port from `--port N`. */
async function anvilOf(root: number, ms = 60_000): Promise<Node> {
  let found: Node | undefined;
  await until(() => {
    const p = descendants(root).find((x) => x.comm === 'anvil');
    const i = p?.cmdline.indexOf('--port') ?? -1;
    if (p && i >= 0) found = { pid: p.pid, port: Number(p.cmdline[i + 1]) };
    return found !== undefined;
  }, ms);
  if (!found) throw new Error(`process ${root} started no anvil within ${ms} ms`);
  return found;
}

/** SIGKILL `child` once its anvil has mined `blocks` blocks (the run is mid-work), and return that anvil. */
async function killMidRun(child: ChildProcess, blocks: number): Promise<Node> {
  const node = await anvilOf(child.pid as number);
  expect(await until(async () => (await blockNumber(node.port)) >= blocks, 60_000)).toBe(true);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return node;
}

/** Within a few seconds: the process is gone, the port closed, and nothing it started is left. */
async function expectGone(node: Node): Promise<void> {
  expect(await until(() => !alive(node.pid), 5000)).toBe(true);
  expect(await until(async () => !(await listens(node.port)), 5000)).toBe(true);
  const leftovers = all().filter(
    (p) => p.state !== 'Z' && p.cmdline.includes('--port') && p.cmdline.includes(String(node.port)),
  );
  expect(leftovers).toEqual([]);
}

let live: LiveExample;
beforeAll(async () => {
  live = await startLiveExample();
}, 300_000);
afterAll(async () => {
  await live?.anvil.stop();
});

describe('SIGKILL leaves no anvil behind', () => {
  it('a SIGKILLed simulate leaves no anvil running and its port closed', async () => {
    const { child } = startCli([
      'simulate',
      '--config',
      CONFIG,
      '--patch',
      'fix-flash-deposit',
      '--state-dir',
      TEST_STATE_DIR,
    ]);
    // The system is being deployed: a few blocks in.
    await expectGone(await killMidRun(child, 3));
  });

  it('a SIGKILLed demo leaves no anvil running and its port closed', async () => {
    const { child } = startCli(['demo', '--state-dir', TEST_STATE_DIR]);
    await expectGone(await killMidRun(child, 3));
  });

  it('a SIGKILLed simulate --rpc leaves neither its fork running nor a trace on the node it forked', async () => {
    const vault = live.system.contracts.get('vault')?.address as `0x${string}`;
    const before = {
      block: await live.clients.public.getBlockNumber(),
      slots: await erc1967Slots(live.clients.public, vault),
    };
    const { child } = startCli([
      'simulate',
      '--config',
      CONFIG,
      '--patch',
      'fix-flash-deposit',
      '--rpc',
      live.anvil.rpcUrl,
      '--state-dir',
      TEST_STATE_DIR,
    ]);
    const fork = await killMidRun(child, Number(before.block) + 3);
    expect(fork.port).not.toBe(live.anvil.port);
    await expectGone(fork);
    expect({
      block: await live.clients.public.getBlockNumber(),
      slots: await erc1967Slots(live.clients.public, vault),
    }).toEqual(before);
  });
});

/** A node process that starts an anvil tied by `tie`, prints its pid and port, and waits to be killed. */
function holder(tie: string): { child: ChildProcess; node: Promise<Node & { tie: string }> } {
  const code = `
    const { startAnvil } = await import(${JSON.stringify(ANVIL_MODULE)});
    const a = await startAnvil(${tie === 'default' ? '' : `{ tie: ${JSON.stringify(tie)} }`});
    process.stdout.write(JSON.stringify({ pid: a.pid, port: a.port, tie: a.tie }) + '\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const node = new Promise<Node & { tie: string }>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(JSON.parse(d.toString())));
    child.once('exit', () => reject(new Error('holder exited before its anvil answered')));
  });
  return { child, node };
}

describe('each way of tying the node to patchgate survives SIGKILL', () => {
  it('uses the kernel parent-death signal by default on Linux with setpriv', async () => {
    const { child, node } = holder('default');
    const n = await node;
    child.kill('SIGKILL');
    expect(n.tie).toBe('pdeathsig');
    await expectGone(n);
  });

  for (const tie of ['pdeathsig', 'pipe'] as const) {
    it(`a SIGKILLed holder's anvil (${tie}) is gone within seconds`, async () => {
      const { child, node } = holder(tie);
      const n = await node;
      expect(n.tie).toBe(tie);
      expect(alive(n.pid)).toBe(true);
      // The anvil is patchgate's direct child in both modes (the pid people see is the node's).
      expect(proc(n.pid)?.ppid).toBe(child.pid);
      child.kill('SIGKILL');
      await expectGone(n);
    });
  }
});
