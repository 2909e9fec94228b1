/**
 * `patchgate audit` through the real binary (compiled dist/), as a depositor runs it: the example on anvil,
 * a patch executed through the lifecycle and logged, the log exported with a signed head; then the timeline,
 * the JSON report, an upgrade behind patchgate's back, a tampered export, and every bad input.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFunctionData, type Hex, type LocalAccount, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContract } from '../src/build/find.js';
import { localAccount } from '../src/chain/clients.js';
import { deploy } from '../src/chain/deploy.js';
import { exportLine } from '../src/ledger/export.js';
import { signCurrentHead } from '../src/ledger/head.js';
import { headLines } from '../src/ledger/head-text.js';
import { openPglite } from '../src/store/db.js';
import { openLedger } from '../src/store/ledger-store.js';
import { openStore, type Store } from '../src/store/store.js';
import { type CliResult, runCli } from './helpers/cli.js';
import { executedFix, type LiveExample, lifecycleOn, startLiveExample } from './helpers/live.js';

let live: LiveExample;
let store: Store;
let vault: Hex;
let digest: Hex;
let executedTx: Hex;
const work = mkdtempSync(join(tmpdir(), 'patchgate-cli-audit-'));
const file = (name: string) => join(work, name);
const owner = (i: number) => localAccount(i) as never;

const audit = (args: string[], rpc = live.anvil.rpcUrl): CliResult =>
  runCli(['audit', ...args, '--rpc', rpc]);
const logged = ['--log', file('log.jsonl'), '--head', file('head.json'), '--signer', localAccount(5).address];

/** Propose → approve (2 of 3) → queue → execute, in process; then the log of it, exported with a signed head. */
async function patchAndLog(): Promise<void> {
  const lc = await lifecycleOn(live, store);
  ({ digest, executedTx } = await executedFix(lc));
  const { blockNumber } = await live.clients.public.getTransactionReceipt({ hash: executedTx });
  const stored = await store.get(digest);
  if (!stored) throw new Error('the patch was not stored');
  const { evidence: _evidence, ...record } = stored.record;
  const ledger = await openLedger(store.db, { origin: 'cli-audit-test' });
  await ledger.appendMany([
    { kind: 'patch-proposed', digest, at: new Date(), ...record },
    { kind: 'executed', digest, at: new Date(), txHash: executedTx, blockNumber },
  ]);
  const h = await ledger.head();
  const head = await signCurrentHead(h, localAccount(5) as LocalAccount);
  writeFileSync(file('log.jsonl'), (await ledger.entries()).map(exportLine).join(''));
  writeFileSync(file('head.json'), JSON.stringify(head));
  writeFileSync(file('head.txt'), `${headLines(head).join('\n')}\n`);
}

beforeAll(async () => {
  live = await startLiveExample();
  store = await openStore(await openPglite('memory://'));
  vault = live.system.contracts.get('vault')?.address as Hex;
  await patchAndLog();
}, 300_000);

afterAll(async () => {
  await store?.close();
  await live?.anvil.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('patchgate audit (CLI)', () => {
  it('prints the timeline: the deployment INITIAL, the logged patch AUTHORIZED, exit 0', () => {
    const r = audit([vault, ...logged]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^PASS  audit ${vault} \\(transparent\\) on chain 31337`));
    expect(r.stdout).toMatch(
      /log: 2 entries verified, root 0x[0-9a-f]{64}, matches the head of size 2 signed by/,
    );
    const events = lines.filter((l) => / tx 0x[0-9a-f]{64} {2}from /.test(l));
    expect(events.map((l) => l.trim().split(/\s+/)[1])).toEqual([
      'Upgraded',
      'ProxyAdmin.OwnershipTransferred',
      'AdminChanged',
      'Upgraded',
    ]);
    expect(events.slice(0, 3).every((l) => l.endsWith('INITIAL'))).toBe(true);
    expect(events[3]).toContain(`tx ${executedTx}  from ${localAccount(0).address}  AUTHORIZED ${digest}`);
    expect(lines).toContain(
      `3 initial, 1 authorized, 0 unexplained  (history digest ${r.stdout.match(/digest (0x[0-9a-f]{64})\)/)?.[1]})`,
    );
  });

  it('takes the head as `patchgate log head` prints it (text), and uses the log only with --signer pinning its key', () => {
    const r = audit([vault, '--log', file('log.jsonl'), '--head', file('head.txt')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      `log: NOT AUTHENTICATED — its head is signed by ${localAccount(5).address}, but no --signer pins the log's key, so none of its 2 entries is used`,
    );
    expect(r.stdout).toMatch(/high\s+audit-log-signer-unpinned\n/);
    const pinned = audit([
      vault,
      '--log',
      file('log.jsonl'),
      '--head',
      file('head.txt'),
      '--signer',
      localAccount(5).address,
    ]);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stdout).toContain(`signed by ${localAccount(5).address} (valid, pinned)`);
    expect(pinned.stdout).not.toContain('audit-log-signer-unpinned');
  });

  it('does not use a log given without --head: NOT AUTHENTICATED, the patch UNEXPLAINED, exit 1', () => {
    const r = audit([vault, '--log', file('log.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '  log: NOT AUTHENTICATED — no --head given, so none of its 2 entries is used: every change after deployment is UNEXPLAINED',
    );
    expect(r.stdout).toContain('3 initial, 0 authorized, 1 unexplained');
    expect(r.stdout).toMatch(/high\s+audit-log-no-head\n/);
  });

  it('writes the JSON report (DESIGN.md contract, history included) and SARIF and Markdown to --out', () => {
    const r = audit([vault, ...logged, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).slice(0, 5)).toEqual(['tool', 'verdict', 'digest', 'stages', 'findings']);
    expect(report).toMatchObject({ verdict: 'pass', proxy: vault, chainId: 31337, findings: [] });
    expect(report.history.at(-1)).toMatchObject({ status: 'authorized', patch: digest, txHash: executedTx });
    expect(typeof report.history[0].blockNumber).toBe('string');
    expect(audit([vault, ...logged, '--format', 'sarif', '--out', file('a.sarif')]).code).toBe(0);
    expect(JSON.parse(readFileSync(file('a.sarif'), 'utf8')).version).toBe('2.1.0');
    const md = audit([vault, ...logged, '--format', 'md']);
    expect(md.stdout).toMatch(
      new RegExp(
        `\\| Upgraded \\| \`0x[0-9a-fA-F]{40}\` \\| \`${executedTx}\` \\| .* \\| AUTHORIZED \`${digest}\` \\|`,
      ),
    );
  });

  it('flags an upgrade by a compromised key as UNEXPLAINED, naming its tx and sender, exit 1', async () => {
    const snapshot = await live.clients.test.snapshot();
    try {
      const timelock = live.system.governance.timelock;
      const rogue = await deploy(
        live.clients.wallet(owner(0)),
        live.clients.public,
        findContract(live.project, 'VaultV2SneakyInit'),
      );
      await live.clients.test.impersonateAccount({ address: timelock });
      await live.clients.test.setBalance({ address: timelock, value: 10n ** 18n });
      const hash = await live.clients.wallet({ address: timelock, type: 'json-rpc' }).sendTransaction({
        to: live.system.contracts.get('vault')?.proxyAdmin as Hex,
        data: encodeFunctionData({
          abi: parseAbi([
            'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
          ]),
          functionName: 'upgradeAndCall',
          args: [vault, rogue, '0x'],
        }),
      });
      await live.clients.public.waitForTransactionReceipt({ hash });
      await live.clients.test.stopImpersonatingAccount({ address: timelock });
      const r = audit([vault, ...logged]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^FAIL {2}audit /);
      expect(r.stdout).toMatch(
        new RegExp(`Upgraded +${rogue} +tx ${hash} {2}from ${timelock} {2}UNEXPLAINED\n`),
      );
      expect(r.stdout).toMatch(/critical\s+audit-unexplained-upgrade {2}\[blocking\]/);
      expect(r.stdout).toContain('3 initial, 1 authorized, 1 unexplained');
    } finally {
      await live.clients.test.revert({ id: snapshot });
    }
  });

  it('refuses a tampered export with exit 1, naming the first bad entry', () => {
    const lines = readFileSync(file('log.jsonl'), 'utf8').split('\n');
    const record = JSON.parse(lines[1] as string);
    record.entry = record.entry.replace(executedTx.slice(2, 10), 'deadbeef');
    writeFileSync(file('tampered.jsonl'), [lines[0], JSON.stringify(record), ...lines.slice(2)].join('\n'));
    const r = audit([vault, '--log', file('tampered.jsonl'), '--head', file('head.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('log: FAILS verification (first bad entry 1): not used');
    expect(r.stdout).toMatch(
      /audit-log-unverified {2}\[blocking\]\n\s+the log export fails verification: first bad entry 1/,
    );
  });

  it('says plainly that without --log every later change is unexplained', () => {
    const r = audit([vault]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('log: none given');
    expect(r.stdout).toContain('UNEXPLAINED');
  });

  it('exits 2 on bad input, naming the value, and 3 when the RPC does not answer', () => {
    const bad = audit(['0xnot-an-address']);
    expect([bad.code, bad.stderr.split('\n')[0]]).toEqual([
      2,
      'patchgate: proxy "0xnot-an-address" is not an address',
    ]);
    writeFileSync(file('garbage.jsonl'), 'not json\n');
    const garbage = audit([vault, '--log', file('garbage.jsonl')]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain(`--log ${file('garbage.jsonl')} line 1 is not JSON`);
    const missing = audit([vault, '--log', file('nope.jsonl')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('cannot read --log')]);
    expect(audit([vault, '--from-block', 'soon']).code).toBe(2);
    expect(audit([vault, '--gate', '0x12']).stderr).toContain('--gate "0x12" is not an address');
    const down = audit([vault], 'http://127.0.0.1:9');
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/did not answer eth_chainId/);
    expect(down.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
