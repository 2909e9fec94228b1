/**
 * Attacks on the store, through the CLI as people run it (separate processes, one state dir), against the
 * example deployed on a real anvil: concurrent writers and readers on one embedded store, a holder that sleeps
 * or is SIGKILLed holding it, a mistyped --state-dir, a crash right after a commit, and concurrent approvals on
 * PostgreSQL. Each asserts exact exit codes and that nothing was lost. Every store here is a copy of one
 * proposed store (`template`), so the tests do not depend on each other.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../../src/chain/clients.js';
import { openPglite, openPostgres } from '../../src/store/db.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { KEY_ENV, type LiveExample, startLiveExample } from '../helpers/live.js';

const DATABASE_URL = process.env.PATCHGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = fileURLToPath(new URL('../../bin/patchgate.js', import.meta.url));
const DB_JS = fileURLToPath(new URL('../../dist/store/db.js', import.meta.url));
const OWNER = [1, 2, 3].map((i) => localAccount(i).address);

let live: LiveExample;
let template: string;
let digest: Hex;

/** The CLI in a child process, not waiting for it: for commands that must run at the same time. */
function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: live.configDir,
      env: { ...process.env, NO_COLOR: '1', ...KEY_ENV, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function cli(state: string, args: string[], env: Record<string, string> = {}): CliResult {
  return runCli([...args, '--rpc', live.anvil.rpcUrl, '--state-dir', state], {
    cwd: live.configDir,
    env: { ...KEY_ENV, ...env },
  });
}

const cliAsync = (state: string, args: string[], env: Record<string, string> = {}) =>
  runCliAsync([...args, '--rpc', live.anvil.rpcUrl, '--state-dir', state], env);

type Status = { state: string; approvals: { signer: string }[] };

function status(state: string): Status {
  const r = cli(state, ['status', digest, '--format', 'json']);
  if (r.code !== 0) throw new Error(`status: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Status;
}

const signers = (s: Status) => s.approvals.map((a) => a.signer).sort();

/** A fresh copy of the proposed store (and the compiler cache). */
function copyState(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-store-attack-'));
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** A process that opens the store and holds it until killed (or for `ms`, then closes it). */
function holder(state: string, ms = 600_000) {
  const file = join(mkdtempSync(join(tmpdir(), 'pg-holder-')), 'holder.mjs');
  writeFileSync(
    file,
    `const { openDb } = await import(${JSON.stringify(DB_JS)});
const db = await openDb({ stateDir: process.argv[2], create: false });
console.log('held');
setTimeout(async () => { await db.close(); console.log('released'); }, ${ms});
`,
  );
  const child = spawn(process.execPath, [file, state], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, held, exited };
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `patchgate: the store … is in use by <holder> (pid N, since T; lock …/db.lock); waited W s`, where `holder`
 * and `pid` are regular expressions.
 */
const lockedLine = (state: string, holder: string, pid: string, waited: string) =>
  new RegExp(
    `^patchgate: the store ${literal(state)}/db is in use by ${holder} \\(pid ${pid}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; lock ${literal(state)}/db\\.lock\\); waited ${waited} s$`,
  );

beforeAll(async () => {
  live = await startLiveExample();
  template = mkdtempSync(join(tmpdir(), 'pg-store-template-'));
  cpSync(join(live.stateDir, 'cache'), join(template, 'cache'), { recursive: true });
  const r = cli(template, [
    'propose',
    '--patch',
    'fix-flash-deposit',
    '--key-env',
    'DEPLOYER_KEY',
    '--format',
    'json',
  ]);
  if (r.code !== 0) throw new Error(`propose: exit ${r.code}: ${r.stderr}`);
  digest = (JSON.parse(r.stdout) as { digest: Hex }).digest;
}, 300_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('one embedded store, many processes', () => {
  it('two concurrent approves by different owners: both approvals are recorded, none that printed APPROVED is lost', async () => {
    const state = copyState();
    const runs = await Promise.all(
      ['OWNER1_KEY', 'OWNER2_KEY'].map((key) => cliAsync(state, ['approve', digest, '--key-env', key])),
    );
    for (const [i, r] of runs.entries()) {
      expect(r.stderr).not.toMatch(/Aborted|internal error/);
      if (r.code === 3) {
        // The loser waited the bounded time: it names the holder, recorded nothing, and a re-run lands.
        expect(r.stderr.split('\n')[0]).toMatch(
          lockedLine(state, literal(`patchgate approve ${digest.slice(0, 12)}…`), '\\d+', '5'),
        );
        expect(signers(status(state))).not.toContain(OWNER[i]);
        const again = cli(state, ['approve', digest, '--key-env', `OWNER${i + 1}_KEY`]);
        expect(again.code).toBe(0);
      } else {
        expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^APPROVED by /)]);
      }
    }
    const after = status(state);
    expect(signers(after)).toEqual([OWNER[0], OWNER[1]].sort());
    expect(after.state).toBe('approved');
  });

  it('N concurrent status and log export processes: none aborts, each exits 0 or 3 with one clear line, nothing changes', async () => {
    const state = copyState();
    expect(cli(state, ['approve', digest, '--key-env', 'OWNER3_KEY']).code).toBe(0);
    const before = status(state);
    const out = mkdtempSync(join(tmpdir(), 'pg-exports-'));
    const runs = await Promise.all([
      ...[0, 1, 2].map(() => cliAsync(state, ['status', '--format', 'json'])),
      ...[0, 1, 2].map((i) =>
        runCliAsync(['log', 'export', '--state-dir', state, '--out', join(out, `log${i}.jsonl`)]),
      ),
    ]);
    for (const [i, r] of runs.entries()) {
      expect(r.stderr).not.toMatch(/Aborted|internal error|\n\s+at /);
      expect([0, 3]).toContain(r.code);
      if (r.code === 3) {
        expect(r.stderr.split('\n')[0]).toMatch(
          lockedLine(state, 'patchgate (status|log export)', '\\d+', '5'),
        );
        // An export that gave up wrote nothing: its --out is an artifact, never an error message.
        if (i >= 3) expect(existsSync(join(out, `log${i - 3}.jsonl`))).toBe(false);
      } else if (i < 3) {
        expect(JSON.parse(r.stdout)).toHaveLength(1);
      } else {
        expect(readFileSync(join(out, `log${i - 3}.jsonl`), 'utf8')).toMatch(/^\{/);
      }
    }
    expect(runs.some((r) => r.code === 0)).toBe(true);
    const exports = [0, 1, 2]
      .map((i) => join(out, `log${i}.jsonl`))
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8'));
    expect(new Set(exports).size).toBeLessThanOrEqual(1); // every export that ran wrote the same log
    expect(status(state)).toEqual(before);
  });

  it('a second process while a holder sleeps holding the store waits, then exits 3 naming the holder; nothing recorded', async () => {
    const state = copyState();
    const h = holder(state);
    await h.held;
    const wait = { PATCHGATE_LOCK_WAIT: '2' };
    const r = cli(state, ['approve', digest, '--key-env', 'OWNER1_KEY'], wait);
    const s = cli(state, ['status'], wait);
    h.child.kill('SIGTERM');
    await h.exited;
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n')[0]).toMatch(lockedLine(state, 'holder\\.mjs \\S+', String(h.child.pid), '2'));
    expect(r.stderr).toContain(`if that process is gone, delete ${state}/db.lock`);
    expect(s.code).toBe(3);
    expect(existsSync(join(state, 'db.lock'))).toBe(false); // SIGTERM released it
    expect(status(state).approvals).toEqual([]);
  });

  it('a holder that finishes within the wait lets the waiting command through', async () => {
    const state = copyState();
    const h = holder(state, 1_500);
    await h.held;
    const r = cli(state, ['approve', digest, '--key-env', 'OWNER1_KEY'], { PATCHGATE_LOCK_WAIT: '120' });
    await h.exited;
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^APPROVED by /)]);
    expect(signers(status(state))).toEqual([OWNER[0]]);
  });

  it('a stale lock left by a SIGKILLed command does not block the next command', () => {
    const state = copyState();
    const killed = cli(state, ['approve', digest, '--key-env', 'OWNER1_KEY'], {
      PATCHGATE_FAILPOINT: 'approve:after-sign',
    });
    expect(killed.code).toBe(-1);
    const left = JSON.parse(readFileSync(join(state, 'db.lock'), 'utf8')) as { pid: number; command: string };
    expect(left.command).toBe(`patchgate approve ${digest.slice(0, 12)}…`);
    // No waiting allowed: the stale lock must be recognised, not outwaited.
    const next = cli(state, ['approve', digest, '--key-env', 'OWNER1_KEY'], { PATCHGATE_LOCK_WAIT: '0' });
    expect([next.code, next.stdout]).toEqual([0, expect.stringMatching(/^APPROVED by .*: 1 of 2/)]);
    expect(signers(status(state))).toEqual([OWNER[0]]);
    expect(existsSync(join(state, 'db.lock'))).toBe(false);
  });
});

describe('a mistyped --state-dir', () => {
  it('is refused by every command that does not start state: exit 2 naming the path, no directory created', () => {
    const typo = join(mkdtempSync(join(tmpdir(), 'pg-typo-')), '.patchgat');
    const commands: string[][] = [
      ['approve', digest, '--key-env', 'OWNER1_KEY'],
      ['status'],
      ['status', digest],
      ['queue', digest, '--key-env', 'OUTSIDER_KEY'],
      ['execute', digest, '--key-env', 'OUTSIDER_KEY'],
      ['cancel', digest, '--key-env', 'OWNER1_KEY'],
      ['verify', digest],
    ];
    const log: string[][] = [
      ['log', 'head'],
      ['log', 'export'],
      ['log', 'proof', '--index', '0'],
      ['log', 'consistency', '--from', '1', '--to', '2'],
    ];
    const runs = [
      ...commands.map((args) => cli(typo, args)),
      ...log.map((args) => runCli([...args, '--state-dir', typo])),
      cli(typo, ['log', 'anchor', '--gate', live.system.governance.timelock, '--key-env', 'OWNER1_KEY']),
    ];
    for (const r of runs) {
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, `patchgate: no patchgate store at ${typo}/db`]);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(typo)).toBe(false);
  });
});

describe("the guardian's pause", () => {
  it('needs no store: it brakes while another process holds the store, and with no store at all, creating none', async () => {
    const snapshot = await live.clients.test.snapshot();
    try {
      const state = copyState();
      const h = holder(state);
      await h.held;
      const r = cli(state, ['pause', '--contract', 'vault', '--key-env', 'GUARDIAN_KEY'], {
        PATCHGATE_LOCK_WAIT: '0',
      });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^PAUSED {2}0x[0-9a-fA-F]{40} {2}\(tx 0x[0-9a-f]{64}\)/);
      h.child.kill('SIGTERM');
      await h.exited;
      const none = join(mkdtempSync(join(tmpdir(), 'pg-nostore-')), '.patchgate');
      const again = cli(none, ['pause', '--contract', 'vault', '--key-env', 'GUARDIAN_KEY']);
      expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/^ALREADY PAUSED/)]);
      expect(existsSync(none)).toBe(false);
    } finally {
      await live.clients.test.revert({ id: snapshot });
    }
  });
});

describe('durability', () => {
  it('the store the CLI created commits durably: fsync is on, and the WAL is synced with fsync', async () => {
    const state = copyState();
    const db = await openPglite(join(state, 'db'), { create: false });
    try {
      expect(await db.query('show fsync')).toEqual([{ fsync: 'on' }]);
      expect(await db.query('show wal_sync_method')).toEqual([{ wal_sync_method: 'fsync' }]);
    } finally {
      await db.close();
    }
  });

  it('an approval committed, then SIGKILLed before the store is closed, survives', () => {
    const state = copyState();
    const killed = cli(state, ['approve', digest, '--key-env', 'OWNER2_KEY'], {
      PATCHGATE_FAILPOINT: 'store:after-approval',
    });
    expect(killed.code).toBe(-1);
    expect(killed.stdout).toBe('');
    expect(existsSync(join(state, 'db.lock'))).toBe(true);
    expect(signers(status(state))).toEqual([OWNER[1]]);
    const other = cli(state, ['approve', digest, '--key-env', 'OWNER1_KEY', '--format', 'json']);
    expect(JSON.parse(other.stdout)).toMatchObject({ state: 'approved', approvals: 2 });
  });
});

describe('PostgreSQL (--database-url)', () => {
  it('two concurrent approves against PostgreSQL: both approvals are recorded and the second moves the patch to approved', async () => {
    const name = `patchgate_store_${randomBytes(4).toString('hex')}`;
    const admin = await openPostgres(DATABASE_URL);
    await admin.query(`create database ${name}`);
    const url = DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
    try {
      const state = copyState();
      const db = ['--database-url', url];
      const p = cli(state, [
        'propose',
        '--patch',
        'fix-flash-deposit',
        '--key-env',
        'DEPLOYER_KEY',
        '--format',
        'json',
        ...db,
      ]);
      expect(p.code).toBe(0);
      const pgDigest = (JSON.parse(p.stdout) as { digest: Hex }).digest;
      const runs = await Promise.all(
        ['OWNER1_KEY', 'OWNER2_KEY'].map((key) =>
          cliAsync(state, ['approve', pgDigest, '--key-env', key, '--format', 'json', ...db]),
        ),
      );
      expect(runs.map((r) => [r.code, r.stderr])).toEqual([
        [0, ''],
        [0, ''],
      ]);
      // Whichever committed second counted the first's approval: 1 of 2, then 2 of 2 and approved.
      const told = runs.map((r) => JSON.parse(r.stdout) as { approvals: number; state: string });
      expect(told.map((t) => [t.approvals, t.state]).sort()).toEqual([
        [1, 'proposed'],
        [2, 'approved'],
      ]);
      const check = await openPostgres(url);
      const rows = await check.query<{ signer: string }>('select signer from approvals order by signer');
      await check.close();
      expect(rows.map((r) => r.signer)).toEqual([OWNER[0], OWNER[1]].sort());
      const after = JSON.parse(cli(state, ['status', pgDigest, '--format', 'json', ...db]).stdout) as Status;
      expect(signers(after)).toEqual([OWNER[0], OWNER[1]].sort());
      expect(after.state).toBe('approved');
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    }
  });
});
