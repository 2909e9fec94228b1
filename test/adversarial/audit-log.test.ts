/**
 * Attacks on `patchgate audit` through its log, run as a depositor runs it (the built CLI): the example on
 * anvil, the fix executed through the lifecycle, which logs every step (head signed by the log key), then an upgrade behind patchgate's back by an impersonated timelock. The attacker wants the rogue
 * upgrade to read AUTHORIZED; each test is one way of trying, and pins the exit code and what audit says.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFunctionData, type Hex, keccak256, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContract } from '../../src/build/find.js';
import { localAccount } from '../../src/chain/clients.js';
import { deploy } from '../../src/chain/deploy.js';
import { exportLine } from '../../src/ledger/export.js';
import { EMPTY_ROOT } from '../../src/ledger/hash.js';
import { type SignedHead, signCurrentHead, signHead, treeHead } from '../../src/ledger/head.js';
import { openLedger } from '../../src/store/ledger-store.js';
import type { Store } from '../../src/store/store.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { appendForged, highSTwin, signedHeadOf } from '../helpers/forge-log.js';
import { executedFix, type LiveExample, lifecycleOn, startLiveExample } from '../helpers/live.js';

const LOG_SIGNER = localAccount(5);
const ATTACKER = localAccount(8);
const owner = (i: number) => localAccount(i) as never;

let live: LiveExample;
let store: Store;
let vault: Hex;
let rogue: Hex;
let rogueTx: Hex;
let exported: string;
let head: SignedHead;
const work = mkdtempSync(join(tmpdir(), 'patchgate-adv-audit-'));
const file = (name: string) => join(work, name);
const write = (name: string, text: string) => {
  writeFileSync(file(name), text);
  return file(name);
};
const audit = (args: string[]): CliResult => runCli(['audit', vault, ...args, '--rpc', live.anvil.rpcUrl]);
const pinned = ['--signer', LOG_SIGNER.address];
const tally = (r: CliResult) => r.stdout.match(/\d+ initial, \d+ authorized, \d+ unexplained/)?.[0];
/** The timeline line of the rogue upgrade. */
const rogueLine = (r: CliResult) => r.stdout.split('\n').find((l) => l.includes(`tx ${rogueTx}`));

/** The pair that would explain the rogue upgrade: a patch for it, and its "execution" in the rogue tx. */
async function forgedPair() {
  const { blockNumber } = await live.clients.public.getTransactionReceipt({ hash: rogueTx });
  const code = (await live.clients.public.getCode({ address: rogue })) as Hex;
  const forged = keccak256(`0x${'5e'.repeat(32)}`);
  return [
    {
      kind: 'patch-proposed' as const,
      digest: forged,
      at: new Date(),
      chainId: 31337,
      proxy: vault,
      target: live.system.contracts.get('vault')?.proxyAdmin as Hex,
      implementation: rogue,
      codehash: keccak256(code),
      calldata: '0x',
      lane: 'emergency' as const,
    },
    { kind: 'executed' as const, digest: forged, at: new Date(), txHash: rogueTx, blockNumber },
  ];
}

beforeAll(async () => {
  live = await startLiveExample();
  const lc = await lifecycleOn(live);
  store = lc.store;
  vault = live.system.contracts.get('vault')?.address as Hex;
  await executedFix(lc);
  // The lifecycle logged every step itself (proposed, evidence, approvals, queued, executed).
  const ledger = await openLedger(store.db, { origin: 'patchgate' });
  const h = await ledger.head();
  head = await signCurrentHead(h, LOG_SIGNER as never);
  exported = (await ledger.entries()).map(exportLine).join('');
  write('log.jsonl', exported);
  write('head.json', JSON.stringify(head));

  // Behind patchgate's back: the timelock (impersonated — a compromised proposer) upgrades the vault.
  const timelock = live.system.governance.timelock;
  rogue = await deploy(
    live.clients.wallet(owner(0)),
    live.clients.public,
    findContract(live.project, 'VaultV2SneakyInit'),
  );
  await live.clients.test.impersonateAccount({ address: timelock });
  await live.clients.test.setBalance({ address: timelock, value: 10n ** 18n });
  rogueTx = await live.clients.wallet({ address: timelock, type: 'json-rpc' }).sendTransaction({
    to: live.system.contracts.get('vault')?.proxyAdmin as Hex,
    data: encodeFunctionData({
      abi: parseAbi(['function upgradeAndCall(address proxy, address implementation, bytes data) payable']),
      functionName: 'upgradeAndCall',
      args: [vault, rogue, '0x'],
    }),
  });
  await live.clients.public.waitForTransactionReceipt({ hash: rogueTx });
  await live.clients.test.stopImpersonatingAccount({ address: timelock });
}, 300_000);

afterAll(async () => {
  await store?.close();
  await live?.anvil.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('audit under attack on its log', () => {
  it('forged patch-proposed + executed entries appended after the signed head do not make audit pass', async () => {
    const forged = write('forged.jsonl', appendForged(exported, await forgedPair()));
    const r = audit(['--log', forged, '--head', file('head.json'), ...pinned]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}audit /);
    expect(rogueLine(r)).toMatch(/UNEXPLAINED$/);
    expect(tally(r)).toBe('3 initial, 1 authorized, 1 unexplained');
    const n = head.size;
    expect(r.stdout).toContain(`matches the head of size ${n}`);
    expect(r.stdout).toContain('2 UNSIGNED entries after it ignored');
    expect(r.stdout).toContain(
      `only unsigned entry ${n + 1} after the head (size ${n}) claims it, and no head vouches for that`,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `high\\s+audit-log-unsigned-tail\n\\s+entries ${n}…${n + 1} of the export come after the signed head \\(size ${n}\\): no head commits to them, so they are ignored \\(${n} patch-proposed 0x[0-9a-f]{64}, ${n + 1} executed 0x[0-9a-f]{64}\\)`,
      ),
    );
    const report = JSON.parse(
      audit(['--log', forged, '--head', file('head.json'), ...pinned, '--format', 'json']).stdout,
    );
    expect(report.log).toMatchObject({
      status: 'authenticated',
      used: n,
      entries: n + 2,
      unsigned: { from: n, to: n + 2 },
    });
    expect(report.findings.map((f: { id: string }) => f.id)).toEqual([
      'audit-log-unsigned-tail',
      'audit-unexplained-upgrade',
    ]);
  });

  it('the same forged pair would authorize the upgrade only if the log key had signed it (control)', async () => {
    const forged = appendForged(exported, await forgedPair());
    const signedByLogKey = await signedHeadOf(forged, LOG_SIGNER as never);
    const r = audit([
      '--log',
      write('control.jsonl', forged),
      '--head',
      write('control-head.json', JSON.stringify(signedByLogKey)),
      ...pinned,
    ]);
    expect(r.code, r.stdout).toBe(0);
    expect(rogueLine(r)).toMatch(/AUTHORIZED 0x[0-9a-f]{64}$/);
  });

  it("a log forged whole and signed with the attacker's key authorizes nothing, with or without --signer", async () => {
    const forged = appendForged(exported, await forgedPair());
    const attackerHead = await signedHeadOf(forged, ATTACKER as never);
    const args = [
      '--log',
      write('resigned.jsonl', forged),
      '--head',
      write('resigned.json', JSON.stringify(attackerHead)),
    ];
    const r = audit([...args, ...pinned]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('log: FAILS verification (first bad entry');
    expect(r.stdout).toContain(`the head is signed by ${ATTACKER.address}, not by ${LOG_SIGNER.address}`);
    expect(tally(r)).toBe('3 initial, 0 authorized, 2 unexplained');
    // Unpinned, the attacker's own head verifies against the address it names — so audit uses none of it.
    const unpinned = audit(args);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stdout).toContain(
      `log: NOT AUTHENTICATED — its head is signed by ${ATTACKER.address}, but no --signer pins the log's key`,
    );
    expect(unpinned.stdout).toMatch(/high\s+audit-log-signer-unpinned/);
    expect(tally(unpinned)).toBe('3 initial, 0 authorized, 2 unexplained');
  });

  it('a size-0 signed head authorizes nothing: every upgrade after deployment is unexplained', async () => {
    const empty = await signHead(treeHead('patchgate', 0, EMPTY_ROOT, new Date()), LOG_SIGNER as never, []);
    const headFile = write('empty-head.json', JSON.stringify(empty));
    const r = audit(['--log', write('empty.jsonl', ''), '--head', headFile, ...pinned]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `log: the head signed by ${LOG_SIGNER.address} (valid, pinned) commits to no entries: nothing is authorized`,
    );
    expect(tally(r)).toBe('3 initial, 0 authorized, 2 unexplained');
    const full = audit(['--log', file('log.jsonl'), '--head', headFile, ...pinned]);
    expect(full.code).toBe(1);
    expect(tally(full)).toBe('3 initial, 0 authorized, 2 unexplained');
    expect(full.stdout).toContain(`${head.size} UNSIGNED entries after it ignored`);
  });

  it('an export given without --head is not used: nothing is AUTHORIZED', async () => {
    const forged = write('no-head.jsonl', appendForged(exported, await forgedPair()));
    const r = audit(['--log', forged]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `log: NOT AUTHENTICATED — no --head given, so none of its ${head.size + 2} entries is used`,
    );
    expect(tally(r)).toBe('3 initial, 0 authorized, 2 unexplained');
    expect(r.stdout).not.toContain('AUTHORIZED 0x');
  });

  it('the high-s twin of the head signature is refused: the log is not used', () => {
    const twin = write('twin.json', JSON.stringify({ ...head, signature: highSTwin(head.signature) }));
    const r = audit(['--log', file('log.jsonl'), '--head', twin, ...pinned]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('log: FAILS verification');
    expect(r.stdout).toContain('the head signature has a high s value');
    expect(tally(r)).toBe('3 initial, 0 authorized, 2 unexplained');
  });

  it('an UNSIGNED head authorizes nothing', () => {
    const { signer: _s, signature: _sig, ...rest } = head;
    const unsigned = write('unsigned.json', JSON.stringify({ ...rest, signed: false }));
    const r = audit(['--log', file('log.jsonl'), '--head', unsigned]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the head is not signed');
    expect(tally(r)).toBe('3 initial, 0 authorized, 2 unexplained');
  });

  it('a garbage head file is bad input: exit 2, one line', () => {
    writeFileSync(file('garbage.bin'), Buffer.from([0, 1, 2, 0xff, 0x0a, 0x7b]));
    const r = audit(['--log', file('log.jsonl'), '--head', file('garbage.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(
      /^patchgate: --head .*garbage\.bin is not a patchgate log head: line 1/,
    );
    expect(readFileSync(file('log.jsonl'), 'utf8')).toBe(exported);
  });
});
