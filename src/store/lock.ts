/**
 * One process owns an embedded store at a time. PGlite is a single-process database: two processes on one data
 * directory lose commits, spin, or abort. The lock is a file next to the data directory (`<state-dir>/db.lock`),
 * created atomically (written in full to a temporary file, then `link`ed into place — the name appears with its
 * content, or not at all) and naming its holder: pid, host, boot id, the process's start time, the command and
 * since when. A second process waits a bounded time (`PATCHGATE_LOCK_WAIT` seconds, default 5), then fails
 * naming the holder. A holder that died without releasing (SIGKILL, power loss) leaves a stale lock: it is
 * broken when the recorded process is gone — its pid no longer runs, or runs with another start time (the pid
 * was reused), or the machine rebooted since (another boot id). A lock from another host is never judged.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { environmentError, inputError } from '../core/errors.js';

const LOCK_WAIT_ENV = 'PATCHGATE_LOCK_WAIT';
const DEFAULT_LOCK_WAIT_MS = 5_000;
const POLL_MS = 100;

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Linux boot id: a lock written before the last reboot is stale whatever its pid. */
  bootId?: string;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22): tells a reused pid apart. */
  startTicks?: number;
  command: string;
  /** ISO 8601 UTC. */
  since: string;
  /** Random, so a holder only ever removes its own lock. */
  token: string;
}

export interface StoreLock {
  path: string;
  holder: LockHolder;
  /** Removes the lock if it is still this holder's. Idempotent, synchronous (safe in an exit handler). */
  release(): void;
}

/** How long to wait for a held store: `PATCHGATE_LOCK_WAIT` (seconds), else 5 s. */
export function lockWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[LOCK_WAIT_ENV];
  if (raw === undefined || raw === '') return DEFAULT_LOCK_WAIT_MS;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > 86_400) {
    throw inputError(
      'bad-lock-wait',
      `${LOCK_WAIT_ENV}="${raw}" is not a number of seconds (0–86400)`,
      `e.g. ${LOCK_WAIT_ENV}=30 to wait up to 30 s for another patchgate process to release the store`,
    );
  }
  return Math.round(Number(raw) * 1000);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** A process's state letter and start time (Linux /proc), or undefined where there is no /proc or no such pid. */
export function processStat(pid: number): { state: string; startTicks: number } | undefined {
  const stat = readTextQuiet(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]);
  return Number.isSafeInteger(startTicks) ? { state: fields[0] ?? '', startTicks } : undefined;
}

function readTextQuiet(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  return readTextQuiet('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

/** `patchgate approve 0x3dd2…`: the program and its leading words, never its options (an RPC URL may hold an API key). */
export function describeCommand(argv: readonly string[] = process.argv): string {
  const script = basename(argv[1] ?? 'node');
  const program = /^patchgate(\.js)?$/.test(script) ? 'patchgate' : script;
  const words: string[] = [];
  for (const a of argv.slice(2)) {
    if (a.startsWith('-') || words.length === 2) break;
    words.push(a.length > 14 ? `${a.slice(0, 12)}…` : a);
  }
  return [program, ...words].join(' ');
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isSafeInteger(v.pid) || typeof v.host !== 'string' || typeof v.token !== 'string')
      return undefined;
    return v as LockHolder;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the recorded holder certainly no longer runs. A lock from another host is never stale to us. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return true;
  if (!alive(holder.pid)) return true;
  const now = processStat(holder.pid);
  if (!now) return false;
  // Z: killed, not yet reaped by its parent — it holds nothing any more.
  if (now.state === 'Z' || now.state === 'X') return true;
  return holder.startTicks !== undefined && now.startTicks !== holder.startTicks;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/**
 * Removes a stale lock whose text is `staleText`, under a short-lived breaker file, so two waiters that both saw
 * the stale lock cannot remove each other's fresh one: only the breaker removes, and only the text it judged.
 */
function breakStale(path: string, staleText: string, self: LockHolder): boolean {
  const breaker = `${path}.break`;
  try {
    writeFileSync(breaker, JSON.stringify(self), { flag: 'wx' });
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw e;
    const other = parseHolder(readText(breaker) ?? '');
    // A breaker that died mid-break (its whole window is two file operations).
    if (other && isStale(other)) {
      try {
        unlinkSync(breaker);
      } catch {}
      return true;
    }
    return false;
  }
  try {
    if (readText(path) === staleText) unlinkSync(path);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  } finally {
    unlinkSync(breaker);
  }
  return true;
}

const held = new Set<StoreLock>();
let hooked = false;

/** Released on exit however the process exits, short of SIGKILL (which the next process detects as stale). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const releaseAll = () => {
    for (const lock of [...held]) lock.release();
  };
  process.on('exit', releaseAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      releaseAll();
      process.kill(process.pid, signal);
    });
  }
}

function holderLine(h: LockHolder | undefined, path: string): string {
  if (!h) return `an unreadable lock ${path}`;
  const where = h.host === hostname() ? '' : ` on host ${h.host}`;
  return `${h.command} (pid ${h.pid}${where}, since ${h.since}; lock ${path})`;
}

/** Is there anything at `path` itself (a dangling symlink counts)? */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Takes the lock at `path` for the store `store` (named in messages), waiting up to `waitMs` for a live holder
 * and breaking a stale one. Fails with `store-locked` (exit 3) naming the holder.
 */
export async function acquireLock(
  path: string,
  opts: { store: string; waitMs: number; command?: string },
): Promise<StoreLock> {
  const boot = bootId();
  const startTicks = processStat(process.pid)?.startTicks;
  const self: LockHolder = {
    pid: process.pid,
    host: hostname(),
    ...(boot ? { bootId: boot } : {}),
    ...(startTicks !== undefined ? { startTicks } : {}),
    command: opts.command ?? describeCommand(),
    since: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
  };
  const text = `${JSON.stringify(self)}\n`;
  const tmp = `${path}.${process.pid}.${self.token}.tmp`;
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const started = Date.now();
  try {
    for (;;) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      }
      const current = readText(path);
      // Released between our link and our read: try again. Anything else that cannot be read (a dangling
      // symlink, a directory) is an unreadable lock: waited for, then named — never spun on.
      if (current === undefined && !exists(path)) continue;
      const holder = current === undefined ? undefined : parseHolder(current);
      if (holder && current !== undefined && isStale(holder) && breakStale(path, current, self)) continue;
      const waited = Date.now() - started;
      if (waited >= opts.waitMs) {
        throw environmentError(
          'store-locked',
          `the store ${opts.store} is in use by ${holderLine(holder, path)}; waited ${(opts.waitMs / 1000).toFixed(1).replace(/\.0$/, '')} s`,
          holder
            ? `one patchgate process uses a store at a time: run this again when it is done (${LOCK_WAIT_ENV}=SECONDS waits longer); if that process is gone, delete ${path}`
            : `if no patchgate process is using ${opts.store}, delete ${path}`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, opts.waitMs - waited)));
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {}
  }
  const lock: StoreLock = {
    path,
    holder: self,
    release() {
      if (!held.delete(lock)) return;
      try {
        if (parseHolder(readText(path) ?? '')?.token === self.token) unlinkSync(path);
      } catch {
        // Gone already, or unreadable: nothing of ours to remove.
      }
    },
  };
  held.add(lock);
  hookExit();
  return lock;
}
