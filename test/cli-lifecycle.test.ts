/**
 * The lifecycle commands as people run them — separate processes sharing a state dir, keys in environment
 * variables and keystore files — against the example deployed on a real anvil. Every transition is also run
 * with the process SIGKILLed at its crash points and then re-run: the job finishes with exactly one
 * on-chain schedule and execution and no approval lost. Every bad input is refused (exit 2) with no state
 * change.
 */

import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFunctionData, type Hex, parseAbi, parseEventLogs, zeroAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../src/chain/clients.js';
import { TIMELOCK_ABI } from '../src/core/abis.js';
import { signApproval } from '../src/govern/approval.js';
import { encryptKeystore } from '../src/govern/keystore.js';

import { batchChecksum, type TxBuilderBatch } from '../src/govern/tx-builder.js';
import { openPglite, openPostgres } from '../src/store/db.js';
import { type CliResult, runCli } from './helpers/cli.js';
import { cliOn, KEY_ENV, type LiveExample, okJson, startLiveExample } from './helpers/live.js';

const DATABASE_URL = process.env.PATCHGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let live: LiveExample;
let state: string;
let digest: Hex;

const pg = (args: string[], env: Record<string, string> = {}): CliResult => cliOn(live, state, args, env);
const json = okJson;

/** A run killed at a crash point dies of SIGKILL: no exit code, nothing printed after the point. */
function crashed(args: string[], point: string): void {
  const r = pg(args, { PATCHGATE_FAILPOINT: point });
  expect(r.code, `${point}: ${r.stderr}`).toBe(-1);
}

type Status = {
  state: string;
  approvals: { signer: string }[];
  history: { to: string; txHash: string | null }[];
};
const status = () => json<Status>(pg(['status', digest, '--format', 'json']));

async function timelockEvents(eventName: 'CallScheduled' | 'CallExecuted') {
  const logs = await live.clients.public.getContractEvents({
    address: live.system.governance.timelock,
    abi: TIMELOCK_ABI,
    eventName,
    fromBlock: 0n,
  });
  return logs;
}

beforeAll(async () => {
  live = await startLiveExample();
  // Its own state dir (its own store), seeded with the run's content-addressed compiler cache.
  state = mkdtempSync(join(tmpdir(), 'pg-cli-state-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });
}, 240_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('propose', () => {
  it('finishes after being killed right after deploying the implementation, with one patch and one deployment', async () => {
    crashed(['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY'], 'propose:after-deploy');
    const r = json<{ verdict: string; digest: Hex; created: boolean; implementation: { reused: boolean } }>(
      pg(['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY', '--format', 'json']),
    );
    expect(r).toMatchObject({ verdict: 'pass', created: true, implementation: { reused: true } });
    digest = r.digest;
    const again = json<{ digest: Hex; created: boolean }>(
      pg(['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY', '--format', 'json']),
    );
    expect(again).toMatchObject({ digest, created: false });
    expect(json<unknown[]>(pg(['status', '--format', 'json']))).toHaveLength(1);
  });

  it('exports the schedule and execute SafeTxs as Safe{Wallet} Transaction Builder batches', async () => {
    const schedule = json<TxBuilderBatch>(pg(['queue', digest, '--format', 'safe-tx-builder']));
    const exec = json<TxBuilderBatch>(pg(['execute', digest, '--format', 'safe-tx-builder']));
    const timelock = live.system.governance.timelock;
    for (const [batch, fn] of [
      [schedule, 'schedule'],
      [exec, 'execute'],
    ] as const) {
      expect(batch.meta.checksum).toBe(batchChecksum(batch));
      expect(batch.meta.createdFromSafeAddress).toBe(live.system.governance.safe);
      expect(batch.transactions).toHaveLength(1);
      expect(batch.transactions[0]?.to).toBe(timelock);
      const call = decodeFunctionData({ abi: TIMELOCK_ABI, data: batch.transactions[0]?.data as Hex });
      expect(call.functionName).toBe(fn);
      expect(call.args?.[4]).toBe(digest); // the salt is the patch digest
    }
    expect(status().state).toBe('proposed');
  });

  it('refuses a patch the static check rejects, exit 1, proposing nothing', () => {
    const r = pg(['propose', '--patch', 'storage-collision', '--key-env', 'DEPLOYER_KEY']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/REFUSED\s+storage-collision: check fails/);
    expect(r.stdout).toContain('storage-layout-incompatible');
    expect(json<unknown[]>(pg(['status', '--format', 'json']))).toHaveLength(1);
  });
});

describe('bad approvals, each refused with exit 2 and no state change', () => {
  const files = mkdtempSync(join(tmpdir(), 'pg-approvals-'));
  let n = 0;
  async function fileFor(
    signer: number,
    overrides: Record<string, unknown> = {},
    mutate?: (sig: Hex) => Hex,
  ) {
    const vault = live.system.contracts.get('vault')?.address as Hex;
    const now = (await live.clients.public.getBlock()).timestamp;
    const fields = { digest, chainId: 31337, proxy: vault, nonce: 5n, expiry: now + 3600n, ...overrides };
    const a = await signApproval(localAccount(signer) as never, fields as never);
    const file = join(files, `a${n++}.json`);
    const signature = mutate ? mutate(a.signature) : a.signature;
    writeFileSync(
      file,
      JSON.stringify({ ...fields, nonce: String(fields.nonce), expiry: String(fields.expiry), signature }),
    );
    return file;
  }
  const highS = (sig: Hex): Hex => {
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const v = Number.parseInt(sig.slice(130, 132), 16);
    return `${sig.slice(0, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
  };

  it.each([
    ['another chain', 1, { chainId: 1 }, undefined, 'approval-wrong-chain', /chain 1/],
    ['another proxy', 1, { proxy: zeroAddress }, undefined, 'approval-wrong-proxy', /proxy 0x0{40}/],
    [
      'another digest',
      1,
      { digest: `0x${'ab'.repeat(32)}` },
      undefined,
      'approval-wrong-digest',
      /digest 0xabab/,
    ],
    ['a signer outside the set', 7, {}, undefined, 'approval-unknown-signer', /is not an approver/],
    ['an expired approval', 1, { expiry: 1n }, undefined, 'approval-expired', /expired at 1 /],
    ['a malleable (high-s) signature', 1, {}, highS, 'approval-malleable', /high s/],
  ] as const)('refuses %s', async (_what, signer, overrides, mutate, _code, message) => {
    const before = status();
    const r = pg(['approve', digest, '--approval', await fileFor(signer, overrides, mutate)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(status()).toEqual(before);
  });

  it('refuses a key variable holding garbage without echoing it', () => {
    const r = pg(['approve', digest, '--key-env', 'BAD_KEY'], { BAD_KEY: '0xnot-a-key-but-secret-ish' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('BAD_KEY');
    expect(r.stderr).not.toContain('secret-ish');
  });
});

describe('approve → queue → execute → verify, killed at every step and re-run', () => {
  it('keeps every approval through a crash: owner 1 by key, owner 2 by keystore, killed before storing', () => {
    expect(
      json<{ approvals: number }>(pg(['approve', digest, '--key-env', 'OWNER1_KEY', '--format', 'json']))
        .approvals,
    ).toBe(1);
    const same = pg(['approve', digest, '--key-env', 'OWNER1_KEY']);
    expect([same.code, same.stdout]).toEqual([0, expect.stringContaining('already approved')]);
    const keystore = join(mkdtempSync(join(tmpdir(), 'pg-ks-')), 'owner2.json');
    writeFileSync(keystore, JSON.stringify(encryptKeystore(KEY_ENV.OWNER2_KEY as Hex, 'owner two')));
    const args = ['approve', digest, '--keystore', keystore, '--password-env', 'PW'];
    const r = pg(args, { PATCHGATE_FAILPOINT: 'approve:after-sign', PW: 'owner two' });
    expect(r.code).toBe(-1);
    expect(status()).toMatchObject({ state: 'proposed', approvals: [{ signer: localAccount(1).address }] });
    const wrong = pg(args, { PW: 'owner 2' });
    expect([wrong.code, wrong.stderr]).toEqual([2, expect.stringContaining('wrong password')]);
    const ok = json<{ state: string; approvals: number }>(
      pg([...args, '--format', 'json'], { PW: 'owner two' }),
    );
    expect(ok).toEqual(expect.objectContaining({ state: 'approved', approvals: 2 }));
    expect(status().approvals).toHaveLength(2);
  });

  it('queues exactly once through crashes before the broadcast and after the receipt', async () => {
    const args = ['queue', digest, '--key-env', 'OUTSIDER_KEY'];
    crashed(args, 'queue:before-broadcast');
    crashed(args, 'queue:after-receipt');
    expect(status().state).toBe('approved');
    const q = json<{ state: string; already: boolean; txHash: Hex }>(pg([...args, '--format', 'json']));
    expect(q).toMatchObject({ state: 'queued', already: true });
    const scheduled = await timelockEvents('CallScheduled');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]?.transactionHash).toBe(q.txHash);
    expect(status().history.filter((h) => h.to === 'queued')).toHaveLength(1);
  });

  it('refuses to execute below the threshold (an approval deleted from the store) and before the delay', async () => {
    const before = pg(['execute', digest, '--key-env', 'OUTSIDER_KEY']);
    // Not bad input and not a failure: the timelock says "not yet" (exit 1), and the hint says how to wait.
    expect([before.code, before.stderr]).toEqual([
      1,
      expect.stringMatching(/delay has not passed: .* ready at .*\n {2}hint: .*--wait.*--warp/s),
    ]);
    const db = await openPglite(join(state, 'db'));
    const [row] = await db.query<Record<string, unknown>>('select * from approvals where signer = $1', [
      localAccount(2).address,
    ]);
    await db.query('delete from approvals where signer = $1', [localAccount(2).address]);
    await db.close();
    const below = pg(['execute', digest, '--key-env', 'OUTSIDER_KEY', '--warp']);
    expect([below.code, below.stderr]).toEqual([
      2,
      expect.stringContaining('has 1 valid approval(s); the standard lane needs 2'),
    ]);
    expect(status().state).toBe('queued');
    const db2 = await openPglite(join(state, 'db'));
    await db2.query(
      'insert into approvals (digest, signer, nonce, expiry, signature, created_at) values ($1, $2, $3, $4, $5, $6)',
      [row?.digest, row?.signer, row?.nonce, row?.expiry, row?.signature, row?.created_at],
    );
    await db2.close();
  });

  it('executes exactly once through a crash after the broadcast', async () => {
    const args = ['execute', digest, '--key-env', 'OUTSIDER_KEY', '--warp'];
    crashed(args, 'execute:after-broadcast');
    expect(status().state).toBe('queued');
    const x = json<{ state: string; txHash: Hex }>(pg([...args, '--format', 'json']));
    expect(x.state).toBe('executed');
    const executed = await timelockEvents('CallExecuted');
    expect(executed).toHaveLength(1);
    const receipt = await live.clients.public.getTransactionReceipt({ hash: x.txHash });
    const upgraded = parseEventLogs({
      abi: parseAbi(['event Upgraded(address indexed implementation)']),
      logs: receipt.logs,
    });
    expect(upgraded).toHaveLength(1);
  });

  it('verifies through a crash before recording, and the history shows each transition once', () => {
    crashed(['verify', digest], 'verify:before-record');
    const v = pg(['verify', digest]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^PASS {2}verify fix-flash-deposit/);
    expect(v.stdout).toMatch(/✓ bytecode +runtime code = src\/VaultV2.sol:VaultV2/);
    expect(status().history.map((h) => h.to)).toEqual([
      'proposed',
      'approved',
      'queued',
      'executed',
      'verified',
    ]);
  });

  it('exits 1 naming the difference when the code that runs is no longer the approved build', async () => {
    const impl = json<{ implementation: Hex }>(pg(['status', digest, '--format', 'json'])).implementation;
    const code = (await live.clients.public.getCode({ address: impl })) as Hex;
    const snapshot = await live.clients.test.snapshot();
    await live.clients.test.setCode({
      address: impl,
      bytecode: `${code.slice(0, 100)}fe${code.slice(102)}` as Hex,
    });
    const v = pg(['verify', digest]);
    await live.clients.test.revert({ id: snapshot });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^FAIL/);
    expect(v.stdout).toMatch(
      /verify-bytecode-mismatch: runtime code of 0x\w+ differs from src\/VaultV2.sol:VaultV2 at byte 49/,
    );
  });
});

describe('a tampered store', () => {
  it('refuses evidence edited after approval, naming the patch', async () => {
    const db = await openPglite(join(state, 'db'));
    await db.query(`update evidence set body = replace(body, '"passed"', '"skipped"') where stage = 'check'`);
    await db.close();
    const r = pg(['verify', digest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the check report of patch 0x[0-9a-f]{64} was edited in the store/);
  });

  it('refuses a malformed --database-url (exit 2) and an unreachable one (exit 3), never printing the password', () => {
    const bad = runCli(['status', '--database-url', 'mysql://root:hunter2@db/x']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('is not a postgres:// URL')]);
    const down = runCli(['status', '--database-url', 'postgres://app:hunter2@127.0.0.1:1/patchgate']);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('postgres://app:***@127.0.0.1:1/patchgate');
    expect(`${bad.stderr}${down.stderr}`).not.toContain('hunter2');
  });
});

describe('cancel', () => {
  it('cancels a queued patch once both owners sign, through a crash after the cancel landed', () => {
    const p = json<{ digest: Hex }>(
      pg(['propose', '--patch', 'rewards-claim-for', '--key-env', 'DEPLOYER_KEY', '--format', 'json']),
    );
    pg(['approve', p.digest, '--key-env', 'OWNER1_KEY']);
    pg(['approve', p.digest, '--key-env', 'OWNER3_KEY']);
    expect(pg(['queue', p.digest, '--key-env', 'OUTSIDER_KEY']).code).toBe(0);
    const outsider = pg(['cancel', p.digest, '--key-env', 'OUTSIDER_KEY']);
    expect([outsider.code, outsider.stderr]).toEqual([2, expect.stringContaining('is not an owner of Safe')]);
    const first = pg(['cancel', p.digest, '--key-env', 'OWNER1_KEY']);
    expect(first.stdout).toMatch(/SIGNED the cancel SafeTx 0x[0-9a-f]{64}: 1 of 2 owner signatures/);
    crashed(['cancel', p.digest, '--key-env', 'OWNER2_KEY'], 'cancel:after-receipt');
    const done = json<{ state: string; already: boolean; txHash: Hex }>(
      pg(['cancel', p.digest, '--key-env', 'OWNER2_KEY', '--format', 'json']),
    );
    expect(done).toMatchObject({ state: 'cancelled', already: true });
    const history = json<Status>(pg(['status', p.digest, '--format', 'json'])).history;
    expect(history.map((h) => h.to)).toEqual(['proposed', 'approved', 'queued', 'cancelled']);
    expect(history.at(-1)?.txHash).toBe(done.txHash);
    const late = pg(['execute', p.digest, '--key-env', 'OUTSIDER_KEY', '--warp']);
    expect([late.code, late.stderr]).toEqual([2, expect.stringContaining('it is cancelled')]);
  });
});

describe('on PostgreSQL', () => {
  it('runs a UUPS patch through the whole lifecycle with the store in PostgreSQL (--database-url)', async () => {
    const name = `patchgate_cli_${randomBytes(4).toString('hex')}`;
    const admin = await openPostgres(DATABASE_URL);
    await admin.query(`create database ${name}`);
    const url = DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
    try {
      const db = ['--database-url', url];
      const p = json<{ digest: Hex; record: { target: string; proxy: string } }>(
        pg([
          'propose',
          '--patch',
          'rewards-claim-for',
          '--key-env',
          'DEPLOYER_KEY',
          '--format',
          'json',
          ...db,
        ]),
      );
      // UUPS: the timelock calls the proxy itself (upgradeToAndCall).
      expect(p.record.target).toBe(p.record.proxy);
      pg(['approve', p.digest, '--key-env', 'OWNER2_KEY', ...db]);
      expect(
        json<{ state: string }>(
          pg(['approve', p.digest, '--key-env', 'OWNER3_KEY', '--format', 'json', ...db]),
        ).state,
      ).toBe('approved');
      expect(
        json<{ state: string }>(
          pg(['queue', p.digest, '--key-env', 'OUTSIDER_KEY', '--format', 'json', ...db]),
        ).state,
      ).toBe('queued');
      expect(
        json<{ state: string }>(
          pg(['execute', p.digest, '--key-env', 'OUTSIDER_KEY', '--warp', '--format', 'json', ...db]),
        ).state,
      ).toBe('executed');
      const v = pg(['verify', p.digest, ...db]);
      expect([v.code, v.stdout]).toEqual([0, expect.stringMatching(/^PASS/)]);
      const check = await openPostgres(url);
      const states = await check.query<{ state: string }>('select state from patches');
      await check.close();
      expect(states).toEqual([{ state: 'verified' }]);
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    }
  });
});
