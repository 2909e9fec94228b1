/**
 * The leader lease on both backends (taken, refused, renewed, lapsed, released, raced), then two real Node processes
 * contending for it on PostgreSQL: the holder SIGKILLed, or frozen (SIGSTOP) past its expiry. Every time comparison
 * is on the database's clock; the only waits are "longer than the TTL".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, backendWithSchema, TEST_DATABASE_URL } from './backends.fixture.js';
import { type Db, openPostgres } from './db.js';
import { leaderLease } from './lease.js';
import { openStore } from './store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL = 300;

describe.each(BACKENDS)('leader lease on %s', (_name, open) => {
  const db = backendWithSchema(open);

  const lease = (name: string, holder: string, ttlMs = 60_000) => leaderLease(db(), { name, holder, ttlMs });

  it('a free lease is taken with token 1; another holder is refused while it holds', async () => {
    const a = lease('free', 'a');
    const b = lease('free', 'b');
    const mine = await a.acquire();
    expect(mine?.token).toBe(1n);
    expect(mine && mine.expiresAt.getTime() - mine.at.getTime()).toBe(60_000);
    expect(await b.acquire()).toBeUndefined();
    expect(await a.holds(1n)).toBe(true);
    expect(await b.holds(1n)).toBe(false);
    expect(await b.renew(1n)).toBeUndefined();
    expect(await b.release(1n)).toBe(false);
    expect(await a.holds(1n)).toBe(true);
  });

  it('the holder renews its own lease: same token, later expiry', async () => {
    const a = lease('renew', 'a');
    const first = await a.acquire();
    await sleep(20);
    const again = await a.acquire();
    const renewed = await a.renew(1n);
    expect([first?.token, again?.token, renewed?.token]).toEqual([1n, 1n, 1n]);
    expect(renewed && first && renewed.expiresAt > first.expiresAt).toBe(true);
    expect(await a.renew(2n)).toBeUndefined();
  });

  it('once it lapses another holder takes it with the next token; the old holder neither holds nor renews', async () => {
    const a = lease('lapse', 'a', TTL);
    const b = lease('lapse', 'b', TTL);
    const first = await a.acquire();
    expect(await b.acquire()).toBeUndefined();
    await sleep(TTL * 2);
    expect(await a.holds(1n)).toBe(false);
    const taken = await b.acquire();
    expect(taken?.token).toBe(2n);
    expect(taken && first && taken.at >= first.expiresAt).toBe(true);
    expect(await a.renew(1n)).toBeUndefined();
    expect(await a.acquire()).toBeUndefined();
    expect(await a.release(1n)).toBe(false);
    expect(await b.holds(2n)).toBe(true);
  });

  it('a holder whose own lease lapsed gets a new token when it takes it again', async () => {
    const a = lease('own-lapse', 'a', TTL);
    expect((await a.acquire())?.token).toBe(1n);
    await sleep(TTL * 2);
    expect((await a.acquire())?.token).toBe(2n);
    expect(await a.holds(1n)).toBe(false);
    expect(await a.holds(2n)).toBe(true);
  });

  it('a released lease is taken at once, and the token goes on from where it was', async () => {
    const a = lease('release', 'a');
    const b = lease('release', 'b');
    expect((await a.acquire())?.token).toBe(1n);
    expect(await a.release(1n)).toBe(true);
    expect(await a.holds(1n)).toBe(false);
    expect(await a.release(1n)).toBe(false);
    expect((await b.acquire())?.token).toBe(2n);
    expect(await b.release(2n)).toBe(true);
    expect((await a.acquire())?.token).toBe(3n);
  });

  it('of many holders asking at once, exactly one gets it', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, k) => lease('race', `holder-${k}`).acquire()),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners.map((w) => w.token)).toEqual([1n]);
  });

  it('refuses a TTL that is not a positive whole number of milliseconds', () => {
    expect(() => lease('bad', 'a', 0)).toThrow('lease "bad": ttlMs 0 is not a positive whole number');
    expect(() => lease('bad', 'a', 1.5)).toThrow('ttlMs 1.5');
  });
});

const DB_JS = fileURLToPath(new URL('../../dist/store/db.js', import.meta.url));
const LEASE_JS = fileURLToPath(new URL('../../dist/store/lease.js', import.meta.url));

/**
 * A watcher stand-in: takes the lease, then every TTL/6 checks `holds` before it "acts" (renews), and says on
 * stdout, one JSON line each, what happened: acquired, renewed, lost (a check said no: it did not act), refused.
 */
const CONTENDER = `
const { openPostgres } = await import(${JSON.stringify(DB_JS)});
const { leaderLease } = await import(${JSON.stringify(LEASE_JS)});
const [url, schema, name, holder, ttl] = process.argv.slice(2);
const db = await openPostgres(url, { schema });
const lease = leaderLease(db, { name, holder, ttlMs: Number(ttl) });
const say = (o) => console.log(JSON.stringify({ holder, ...o }));
const times = (h) => ({ token: String(h.token), atMs: h.at.getTime(), expiresMs: h.expiresAt.getTime() });
let token;
for (;;) {
  if (token === undefined) {
    const h = await lease.acquire();
    if (h) { token = h.token; say({ event: 'acquired', ...times(h) }); } else say({ event: 'refused' });
  } else if (await lease.holds(token)) {
    const h = await lease.renew(token);
    if (h) say({ event: 'renewed', ...times(h) }); else { say({ event: 'lost', token: String(token) }); token = undefined; }
  } else { say({ event: 'lost', token: String(token) }); token = undefined; }
  await new Promise((r) => setTimeout(r, Number(ttl) / 6));
}
`;

interface Said {
  holder: string;
  event: 'acquired' | 'renewed' | 'lost' | 'refused';
  token?: string;
  atMs?: number;
  expiresMs?: number;
}

/** A contender process and everything it said so far; `until` waits (bounded) for a line matching `pred`. */
function contender(script: string, args: string[]) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const said: Said[] = [];
  const waiters: (() => void)[] = [];
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line) said.push(JSON.parse(line) as Said);
    for (const w of waiters.splice(0)) w();
  });
  const until = async (pred: (s: Said) => boolean, from = 0, ms = 30_000): Promise<Said> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = said.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching line in ${JSON.stringify(said.slice(from))}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { child, said, until };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('leader lease between processes on PostgreSQL', () => {
  const PROCESS_TTL = 2_000;
  const schema = `patchgate_test_${randomBytes(4).toString('hex')}`;
  const script = join(mkdtempSync(join(tmpdir(), 'pg-lease-')), 'contender.mjs');
  let admin: Db;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    writeFileSync(script, CONTENDER);
    admin = await openPostgres(TEST_DATABASE_URL);
    await admin.query(`create schema ${schema}`);
    const db = await openPostgres(TEST_DATABASE_URL, { schema });
    await openStore(db);
    await db.close();
  }, 60_000);
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await exited(c);
      }
    }
  });
  afterAll(async () => {
    await admin?.query(`drop schema ${schema} cascade`);
    await admin?.close();
  });

  const start = (name: string, holder: string) => {
    const c = contender(script, [TEST_DATABASE_URL, schema, name, holder, String(PROCESS_TTL)]);
    children.push(c.child);
    return c;
  };
  const lastExpiry = (said: Said[]) => Math.max(...said.flatMap((s) => (s.expiresMs ? [s.expiresMs] : [])));

  it('the holder is SIGKILLed: the other takes over after its TTL and not before, with the next token', async () => {
    const a = start('killed', 'a');
    const first = await a.until((s) => s.event === 'acquired');
    const b = start('killed', 'b');
    await b.until((s) => s.event === 'refused');
    // A full TTL of the database's clock passes with A holding and B asking: B never gets it.
    await a.until((s) => s.event === 'renewed' && (s.expiresMs ?? 0) >= (first.expiresMs ?? 0) + PROCESS_TTL);
    expect(b.said.filter((s) => s.event !== 'refused')).toEqual([]);

    a.child.kill('SIGKILL');
    await exited(a.child);
    const expiry = lastExpiry(a.said);
    const taken = await b.until((s) => s.event === 'acquired');
    expect(taken.token).toBe(String(BigInt(first.token ?? '0') + 1n));
    // On the database's clock: not before A's last holding expired.
    expect(taken.atMs).toBeGreaterThanOrEqual(expiry);
    expect(a.said.filter((s) => s.event !== 'acquired' && s.event !== 'renewed')).toEqual([]);
  });

  it('a holder frozen past its expiry (SIGSTOP) wakes to find its token no longer holds, and does not act', async () => {
    const a = start('frozen', 'a');
    const first = await a.until((s) => s.event === 'acquired');
    const b = start('frozen', 'b');
    await b.until((s) => s.event === 'refused');
    // Frozen right after it said something: between two checks, not in the middle of one.
    const before = a.said.length;
    await a.until((s) => s.event === 'renewed', before);
    a.child.kill('SIGSTOP');
    const taken = await b.until((s) => s.event === 'acquired');
    // Read after B took over (a TTL later): every line A wrote before it froze has arrived.
    const frozenAt = a.said.length;
    const expiry = lastExpiry(a.said);
    expect(taken.token).toBe(String(BigInt(first.token ?? '0') + 1n));
    expect(taken.atMs).toBeGreaterThanOrEqual(expiry);

    a.child.kill('SIGCONT');
    // Its first word after waking: the check before acting said no (it renews nothing), then it is refused.
    const woke = await a.until(() => true, frozenAt);
    expect(woke).toEqual({ holder: 'a', event: 'lost', token: first.token });
    await a.until((s) => s.event === 'refused', frozenAt);
    expect(a.said.slice(frozenAt).filter((s) => s.event === 'renewed' || s.event === 'acquired')).toEqual([]);
    // B kept it throughout.
    await b.until((s) => s.event === 'renewed' && s.token === taken.token);
    expect(b.said.filter((s) => s.event === 'lost')).toEqual([]);
  });
});
