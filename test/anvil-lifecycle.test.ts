/**
 * The embedded anvil never outlives patchgate: stopped by stop(), on normal exit, on an uncaught error,
 * and on Ctrl-C / SIGTERM (a child process that holds an anvil is signalled; its anvil must be gone).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startAnvil } from '../src/chain/anvil.js';

const ANVIL_MODULE = fileURLToPath(new URL('../dist/chain/anvil.js', import.meta.url));

/** Running (a zombie — killed, waiting for its new parent to reap it — counts as gone). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

/** A node process that starts an anvil, prints its pid, then does `then`. */
function holder(then: 'wait' | 'exit' | 'throw'): { child: ChildProcess; anvilPid: Promise<number> } {
  const code = `
    const { startAnvil } = await import(${JSON.stringify(ANVIL_MODULE)});
    const a = await startAnvil();
    process.stdout.write(a.pid + '\\n');
    ${then === 'wait' ? 'setInterval(() => {}, 1000);' : then === 'exit' ? 'setTimeout(() => process.exit(0), 50);' : "setTimeout(() => { throw new Error('boom'); }, 50);"}
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const anvilPid = new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('holder exited before printing the anvil pid')));
  });
  return { child, anvilPid };
}

describe('embedded anvil lifecycle', () => {
  it('stop() ends the node', async () => {
    const a = await startAnvil();
    expect(alive(a.pid)).toBe(true);
    await a.stop();
    expect(await until(() => !alive(a.pid))).toBe(true);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`leaves no anvil behind when patchgate gets ${signal}`, async () => {
      const { child, anvilPid } = holder('wait');
      const pid = await anvilPid;
      expect(alive(pid)).toBe(true);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
      expect(await until(() => !alive(pid))).toBe(true);
    });
  }

  for (const how of ['exit', 'throw'] as const) {
    it(`leaves no anvil behind when patchgate ${how === 'exit' ? 'exits' : 'dies of an uncaught error'}`, async () => {
      const { child, anvilPid } = holder(how);
      const pid = await anvilPid;
      await new Promise((r) => child.once('exit', r));
      expect(await until(() => !alive(pid))).toBe(true);
    });
  }
});
