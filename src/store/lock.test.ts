/**
 * The store lock: one process owns an embedded store at a time; a second waits a bounded time, then fails
 * naming the holder; a dead holder's lock (killed, pid reused, rebooted) is broken; a lock it cannot judge
 * (another host, unreadable) is not. Child processes run the compiled lock (dist/, `npm run build` first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { acquireLock, describeCommand, type LockHolder, lockWaitMs, processStat } from './lock.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/store/lock.js', import.meta.url));
const fresh = () => join(mkdtempSync(join(tmpdir(), 'patchgate-lock-')), 'db.lock');

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A lock file as another process would have left it. */
function leftBy(path: string, holder: Partial<LockHolder>): void {
  const self = processStat(process.pid);
  writeFileSync(
    path,
    JSON.stringify({
      pid: process.pid,
      host: hostname(),
      bootId: bootId(),
      startTicks: self?.startTicks,
      command: 'patchgate approve',
      since: '2026-11-02T10:00:00.000Z',
      token: 'someone-else',
      ...holder,
    }),
  );
}

/** A node script using the compiled lock; `args` reach it as process.argv[2..]. */
function script(body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'patchgate-lock-child-')), 'child.mjs');
  writeFileSync(file, `const { acquireLock } = await import(${JSON.stringify(LOCK_JS)});\n${body}\n`);
  return file;
}

describe('store lock', () => {
  it('a second holder waits the bounded time, then fails (exit 3) naming the holder: pid, command, since, lock file', async () => {
    const path = fresh();
    const first = await acquireLock(path, {
      store: '/s/db',
      waitMs: 0,
      command: 'patchgate approve 0x3dd2…',
    });
    const e = await errorOf(acquireLock(path, { store: '/s/db', waitMs: 300 }));
    first.release();
    expect([e.code, e.exitCode]).toEqual(['store-locked', 3]);
    expect(e.shortMessage).toBe(
      `the store /s/db is in use by patchgate approve 0x3dd2… (pid ${process.pid}, since ${first.holder.since}; lock ${path}); waited 0.3 s`,
    );
    expect(e.hint).toContain('PATCHGATE_LOCK_WAIT');
    expect(existsSync(path)).toBe(false);
  });

  it('a waiter gets the store as soon as the holder releases it', async () => {
    const path = fresh();
    const first = await acquireLock(path, { store: 's', waitMs: 0 });
    setTimeout(() => first.release(), 300);
    const second = await acquireLock(path, { store: 's', waitMs: 10_000 });
    expect(JSON.parse(readFileSync(path, 'utf8')).token).toBe(second.holder.token);
    second.release();
  });

  it('breaks the lock of a process that no longer runs', async () => {
    const path = fresh();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    leftBy(path, { pid: gone });
    const lock = await acquireLock(path, { store: 's', waitMs: 0 });
    expect(lock.holder.pid).toBe(process.pid);
    lock.release();
  });

  it('breaks a lock whose pid was reused by another process (same pid, another start time)', async () => {
    const path = fresh();
    const self = processStat(process.pid);
    expect(self).toBeDefined();
    leftBy(path, { startTicks: (self?.startTicks ?? 0) - 1 });
    const lock = await acquireLock(path, { store: 's', waitMs: 0 });
    lock.release();
  });

  it('breaks a lock written before the last reboot (another boot id), whatever its pid', async () => {
    const path = fresh();
    leftBy(path, { bootId: '00000000-0000-0000-0000-000000000000' });
    const lock = await acquireLock(path, { store: 's', waitMs: 0 });
    lock.release();
  });

  it('never breaks a lock from another host (it cannot tell whether that holder runs)', async () => {
    const path = fresh();
    leftBy(path, { host: 'build-server-2', pid: spawnSync(process.execPath, ['-e', '']).pid });
    const e = await errorOf(acquireLock(path, { store: 's', waitMs: 0 }));
    expect(e.code).toBe('store-locked');
    expect(e.shortMessage).toContain('on host build-server-2');
    expect(existsSync(path)).toBe(true);
  });

  it('fails closed on an unreadable lock file, naming the file to delete', async () => {
    const path = fresh();
    writeFileSync(path, 'garbage');
    const e = await errorOf(acquireLock(path, { store: 's', waitMs: 0 }));
    expect(e.shortMessage).toContain(`an unreadable lock ${path}`);
    expect(e.hint).toBe(`if no patchgate process is using s, delete ${path}`);
    expect(readFileSync(path, 'utf8')).toBe('garbage');
  });

  it('fails closed on a dangling symlink as the lock (it used to spin at 100 % CPU forever)', async () => {
    const path = fresh();
    symlinkSync('/nonexistent/patchgate-lock-target', path);
    const e = await errorOf(acquireLock(path, { store: 's', waitMs: 200 }));
    expect([e.code, e.exitCode]).toEqual(['store-locked', 3]);
    expect(e.shortMessage).toContain(`an unreadable lock ${path}`);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
  });

  it('a holder releases only its own lock', async () => {
    const path = fresh();
    const lock = await acquireLock(path, { store: 's', waitMs: 0 });
    leftBy(path, { token: 'the-next-holder' });
    lock.release();
    expect(JSON.parse(readFileSync(path, 'utf8')).token).toBe('the-next-holder');
  });

  it('goes with its process: released on exit, and on SIGTERM (the signal still ends the process)', async () => {
    const path = fresh();
    const exits = spawnSync(process.execPath, [
      script(`await acquireLock(process.argv[2], { store: 's', waitMs: 0 }); process.exit(0);`),
      path,
    ]);
    expect(exits.status).toBe(0);
    expect(existsSync(path)).toBe(false);

    const child = spawn(process.execPath, [
      script(
        `await acquireLock(process.argv[2], { store: 's', waitMs: 0 }); console.log('held'); setTimeout(() => {}, 60_000);`,
      ),
      path,
    ]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(existsSync(path)).toBe(true);
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    child.kill('SIGTERM');
    expect(await ended).toBe('SIGTERM');
    expect(existsSync(path)).toBe(false);
  });

  it("processes take turns: never two holders at once, even racing to break a SIGKILLed holder's lock", async () => {
    const path = fresh();
    const journal = `${path}.journal`;
    writeFileSync(journal, '');
    const worker = script(`
      import { appendFileSync } from 'node:fs';
      const [path, journal, rounds] = process.argv.slice(2);
      for (let i = 0; i < Number(rounds); i++) {
        const lock = await acquireLock(path, { store: 's', waitMs: 60_000 });
        appendFileSync(journal, '+' + process.pid + '\\n');
        await new Promise((r) => setTimeout(r, 10));
        appendFileSync(journal, '-' + process.pid + '\\n');
        lock.release();
      }`);
    const killer = script(`
      await acquireLock(process.argv[2], { store: 's', waitMs: 60_000 });
      process.kill(process.pid, 'SIGKILL');`);
    const run = (file: string, args: string[]) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        spawn(process.execPath, [file, ...args], { stdio: 'ignore' }).on('exit', (code, signal) =>
          resolve({ code, signal }),
        ),
      );
    // The killer dies holding the lock: four workers then race to break the same stale lock.
    expect((await run(killer, [path])).signal).toBe('SIGKILL');
    expect(existsSync(path)).toBe(true);
    const results = await Promise.all(Array.from({ length: 4 }, () => run(worker, [path, journal, '5'])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(existsSync(path)).toBe(false);
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(40);
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]?.startsWith('+')).toBe(true);
      expect(lines[i + 1]).toBe(`-${lines[i]?.slice(1)}`);
    }
  });

  it('reads the wait from PATCHGATE_LOCK_WAIT (seconds) and refuses anything else with exit 2', async () => {
    expect(lockWaitMs({})).toBe(5_000);
    expect(lockWaitMs({ PATCHGATE_LOCK_WAIT: '0' })).toBe(0);
    expect(lockWaitMs({ PATCHGATE_LOCK_WAIT: '2.5' })).toBe(2_500);
    const e = await errorOf(() => lockWaitMs({ PATCHGATE_LOCK_WAIT: '5s' }));
    expect([e.code, e.exitCode, e.shortMessage]).toEqual([
      'bad-lock-wait',
      2,
      'PATCHGATE_LOCK_WAIT="5s" is not a number of seconds (0–86400)',
    ]);
  });

  it('names the holder by its command words, never its options (an RPC URL may carry an API key)', () => {
    expect(
      describeCommand([
        'node',
        '/x/bin/patchgate.js',
        'approve',
        '0x3dd2aaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        '--rpc',
        'https://mainnet.example/v3/SECRET',
      ]),
    ).toBe('patchgate approve 0x3dd2aaaaaa…');
    expect(describeCommand(['node', '/x/bin/patchgate.js', 'log', 'export', 'extra'])).toBe(
      'patchgate log export',
    );
  });
});
