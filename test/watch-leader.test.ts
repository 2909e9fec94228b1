/**
 * Two watchers of one protocol on two "machines" (two processes) sharing one PostgreSQL: both follow the chain,
 * exactly one — the holder of the leader lease — responds. The leader is SIGKILLed in the middle of an attack
 * (right after it raised the alert); the other takes the lease over when it lapses and finishes the job: the
 * vault ends paused by exactly one guardian transaction.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAbi } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../src/store/backends.fixture.js';
import { openPostgres } from '../src/store/db.js';
import { accountFor } from '../src/system/model.js';
import { KEY_ENV, type LiveExample, startLiveExample } from './helpers/live.js';
import { freshState, startWatcher, until } from './helpers/watch.js';
import { armedExploit, attackCall, contract } from './helpers/watch-state.js';

const PAUSABLE = parseAbi(['function paused() view returns (bool)']);

let live: LiveExample;
let database: string;
let url: string;
let configFile: string;
beforeAll(async () => {
  live = await startLiveExample();
  database = `patchgate_watch_${randomBytes(4).toString('hex')}`;
  const admin = await openPostgres(TEST_DATABASE_URL);
  await admin.query(`create database ${database}`);
  await admin.close();
  url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${database}`);
  // The example's watch section with a 2 s lease, so the takeover is quick.
  const config = JSON.parse(readFileSync(join(live.configDir, 'patchgate.config.json'), 'utf8'));
  config.watch = { ...config.watch, leaseTtl: 2 };
  configFile = join(live.configDir, 'leader.config.json');
  writeFileSync(configFile, JSON.stringify(config));
});
afterAll(async () => {
  await live?.anvil.stop();
  const admin = await openPostgres(TEST_DATABASE_URL);
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.close();
});

/** One watcher "machine": a state dir of its own (build cache), the shared PostgreSQL store. */
const watcher = () =>
  startWatcher(
    [
      '--rpc',
      live.anvil.rpcUrl,
      '--config',
      configFile,
      '--state-dir',
      freshState(live),
      '--database-url',
      url,
      '--key-env',
      'GUARDIAN_KEY',
      '--format',
      'json',
    ],
    KEY_ENV,
  );

it('two watchers on one PostgreSQL, the leader SIGKILLed mid-attack: the other takes over and the vault is paused exactly once', async () => {
  const guardian = accountFor('guardian').address;
  const vault = contract(live, 'vault').address;
  const exploit = await armedExploit(live);
  const nonceBefore = await live.clients.public.getTransactionCount({ address: guardian });
  const a = watcher();
  await until('watcher A to lead', () => a.lines().find((l) => l.event === 'leader' && l.leads === true));
  const b = watcher();
  try {
    await until('watcher B to start', () => b.lines().find((l) => l.event === 'started'));
    expect(b.lines().some((l) => l.event === 'leader' && l.leads === true)).toBe(false);
    const attack = await live.clients.wallet(accountFor('attacker')).writeContract(attackCall(live, exploit));
    // The leader dies the moment it has seen the attack: before, during or just after sending its pause.
    // (Seen: its alert, or its pause — which goes out before the alert's log write, and the alert itself may be
    // logged, and so printed, by B first: the log keeps one entry per alert, printed by whoever wrote it.)
    await until('watcher A to see the attack', () =>
      a.lines().find((l) => l.event === 'alert' || l.event === 'pause'),
    );
    a.child.kill('SIGKILL');
    expect((await a.done).signal).toBe('SIGKILL');
    await until(
      'watcher B to take the lease over',
      () => b.lines().find((l) => l.event === 'leader' && l.leads === true),
      30_000,
    );
    await until(
      'the vault to be paused',
      async () =>
        (await live.clients.public.readContract({ address: vault, abi: PAUSABLE, functionName: 'paused' })) ||
        undefined,
    );
    // Whoever sent it, one pause: the guardian's nonce moved by exactly one. (Which watcher reports the pause
    // mined depends on where A died — the chain is the judge.) Past the replacement delay, still one.
    await until(
      'the pause to be mined',
      async () =>
        (await live.clients.public.getTransactionCount({ address: guardian })) > nonceBefore || undefined,
    );
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await live.clients.public.getTransactionCount({ address: guardian })).toBe(nonceBefore + 1);
    expect((await live.clients.public.getTransactionReceipt({ hash: attack })).status).toBe('success');
    const pool = (await live.clients.public.request({ method: 'txpool_content' as never })) as {
      pending: Record<string, unknown>;
    };
    expect(Object.keys(pool.pending).map((a) => a.toLowerCase())).not.toContain(guardian.toLowerCase());
  } finally {
    b.child.kill('SIGTERM');
    expect((await b.done).code).toBe(0);
  }
});
