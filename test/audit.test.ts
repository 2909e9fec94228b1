/**
 * `auditProxy` on real histories: the example deployed on anvil, a patch run through the whole lifecycle and
 * logged, then changes made behind patchgate's back — a compromised Safe upgrading through the timelock, an
 * impersonated timelock handing the ProxyAdmin away, a beacon upgraded by its owner, a slot written without
 * an event, code swapped under an approved address — and logs that lie or were tampered with.
 */

import { type Address, encodeFunctionData, type Hex, keccak256, parseAbi, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditParameters, auditProxy } from '../src/audit/index.js';
import { loadLog } from '../src/audit/log.js';
import { findContract } from '../src/build/find.js';
import { localAccount } from '../src/chain/clients.js';
import { abiOf, deploy } from '../src/chain/deploy.js';
import { classifyProxy, introspectProxy } from '../src/chain/proxy.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { ERC1967 } from '../src/core/proxy-kinds.js';
import type { ExportRecord } from '../src/ledger/export.js';
import { parseHash } from '../src/ledger/hash.js';
import { type Head, signHead, treeHead } from '../src/ledger/head.js';
import { approve } from '../src/lifecycle/approve.js';
import { execute } from '../src/lifecycle/execute.js';
import type { Lifecycle } from '../src/lifecycle/lifecycle.js';
import { propose } from '../src/lifecycle/propose.js';
import { queue } from '../src/lifecycle/queue.js';
import { upgradeThroughGovernance } from '../src/simulate/governance.js';
import { type Db, openPglite } from '../src/store/db.js';
import { openLedger } from '../src/store/ledger-store.js';
import { attachSystem } from '../src/system/attach.js';
import type { BlockRef } from '../src/watch/follow.js';
import { upgradeRule } from '../src/watch/rules/upgrades.js';
import { type LiveExample, lifecycleOn, startLiveExample } from './helpers/live.js';

const PROXY_ADMIN_ABI = parseAbi([
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
  'function transferOwnership(address newOwner)',
]);

let live: LiveExample;
let lc: Lifecycle;
let ledgerDb: Db;
let vault: Hex;
let proxyAdmin: Hex;
let digest: Hex;
let executedTx: Hex;
/** The lifecycle's log: patch-proposed and executed entries for the patch. */
let logged: unknown[];
let patched: Hex;
let origins = 0;
const owner = (i: number) => localAccount(i) as never;

/**
 * The entries, appended to a fresh log in the store's ledger, exported, and a head signed over them; with the
 * log signer's address pinned, as an auditor who knows it passes it.
 */
async function exportOf(
  entries: readonly unknown[],
  headSize = entries.length,
): Promise<{ log: ExportRecord[]; head: Head; signer: Address }> {
  const ledger = await openLedger(ledgerDb, { origin: `audit-test-${++origins}` });
  await ledger.appendMany(entries.slice(0, headSize));
  const h = await ledger.head();
  const base = treeHead(ledger.origin, h.size, parseHash(h.root) as Uint8Array, new Date());
  const head = await signHead(base, localAccount(5) as never, h.frontier);
  if (headSize < entries.length) await ledger.appendMany(entries.slice(headSize));
  return { log: await ledger.entries(), head, signer: localAccount(5).address };
}

async function audit(params: Partial<AuditParameters> = {}) {
  return auditProxy(live.clients.public, { proxy: vault, ...params });
}

/** Runs `fn` on the chain as it is now, and puts the chain back afterwards. */
async function onSnapshot<T>(fn: () => Promise<T>): Promise<T> {
  const id = await live.clients.test.snapshot();
  try {
    return await fn();
  } finally {
    await live.clients.test.revert({ id });
  }
}

beforeAll(async () => {
  live = await startLiveExample();
  ledgerDb = await openPglite('memory://');
  lc = await lifecycleOn(live);
  vault = live.system.contracts.get('vault')?.address as Hex;
  proxyAdmin = live.system.contracts.get('vault')?.proxyAdmin as Hex;
  const proposed = await propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', deployer: owner(0) });
  digest = proposed.digest as Hex;
  await approve(lc, { digest, signer: owner(1) });
  await approve(lc, { digest, signer: owner(3) });
  await queue(lc, { digest, submitter: owner(0) });
  executedTx = (await execute(lc, { digest, submitter: owner(0), wait: 'warp' })).txHash as Hex;
  const receipt = await live.clients.public.getTransactionReceipt({ hash: executedTx });
  const record = (await lc.store.get(digest))?.record;
  if (!record) throw new Error('the patch was not stored');
  patched = record.implementation;
  const { evidence: _evidence, ...fields } = record;
  logged = [
    { kind: 'patch-proposed', digest, at: new Date(), ...fields },
    { kind: 'executed', digest, at: new Date(), txHash: executedTx, blockNumber: receipt.blockNumber },
  ];
}, 300_000);

afterAll(async () => {
  await lc?.store.close();
  await ledgerDb?.close();
  await live?.anvil.stop();
});

describe('auditProxy', () => {
  it('marks the deployment initial and the patch executed through the lifecycle AUTHORIZED', async () => {
    const r = await audit(await exportOf(logged));
    expect(r.verdict).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({
      proxy: vault,
      kind: 'transparent',
      implementation: patched,
      admin: proxyAdmin,
    });
    expect(r.deployment?.how).toBe('created-by-tx');
    expect(r.history.map((h) => [h.event, h.status])).toEqual([
      ['Upgraded', 'initial'],
      ['OwnershipTransferred', 'initial'],
      ['AdminChanged', 'initial'],
      ['Upgraded', 'authorized'],
    ]);
    const upgrade = r.history.at(-1);
    expect(upgrade).toMatchObject({ txHash: executedTx, implementation: patched, patch: digest });
    expect(upgrade?.sender).toBe(localAccount(0).address);
    expect(r.log).toMatchObject({
      given: true,
      status: 'authenticated',
      verified: true,
      authenticated: true,
      used: 2,
      entries: 2,
      signerPinned: true,
      head: { size: 2, signature: 'valid' },
    });
    expect(r.tally).toEqual({ initial: 3, authorized: 1, unexplained: 0 });
  });

  it('flags an upgrade by two Safe owners straight through the timelock as UNEXPLAINED, naming its tx', async () => {
    const r = await onSnapshot(async () => {
      const rogue = await deploy(
        live.clients.wallet(owner(0)),
        live.clients.public,
        findContract(live.project, 'VaultV2SneakyInit'),
      );
      const done = await upgradeThroughGovernance(live.clients, live.system.governance, {
        target: proxyAdmin,
        data: encodeFunctionData({
          abi: PROXY_ADMIN_ABI,
          functionName: 'upgradeAndCall',
          args: [vault, rogue, '0x'],
        }),
        salt: keccak256(toHex('behind-the-back')),
        signers: [owner(1), owner(2)],
        submitter: owner(4),
        errorsAbi: abiOf(findContract(live.project, 'VaultV2')),
      });
      expect(done.ok).toBe(true);
      const tx = done.steps.find((s) => s.name === 'safe-execute')?.txHash as Hex;
      return { report: await audit(await exportOf(logged)), rogue, tx };
    });
    const { report, rogue, tx } = r;
    expect(report.verdict).toBe('fail');
    expect(report.history.map((h) => h.status)).toEqual([
      'initial',
      'initial',
      'initial',
      'authorized',
      'unexplained',
    ]);
    expect(report.history.at(-1)).toMatchObject({
      implementation: rogue,
      txHash: tx,
      sender: localAccount(4).address,
    });
    expect(report.findings.map((f) => f.id)).toEqual(['audit-unexplained-upgrade']);
    const message = report.findings[0]?.message ?? '';
    for (const part of [
      tx,
      rogue,
      localAccount(4).address,
      'no executed entry of the log has this transaction',
    ])
      expect(message).toContain(part);
  });

  it('flags the ProxyAdmin handed to another owner by an impersonated timelock', async () => {
    const timelock = live.system.governance.timelock;
    const attacker = localAccount(8).address;
    const r = await onSnapshot(async () => {
      await live.clients.test.impersonateAccount({ address: timelock });
      await live.clients.test.setBalance({ address: timelock, value: 10n ** 18n });
      const hash = await live.clients.wallet({ address: timelock, type: 'json-rpc' }).writeContract({
        address: proxyAdmin,
        abi: PROXY_ADMIN_ABI,
        functionName: 'transferOwnership',
        args: [attacker],
      });
      await live.clients.public.waitForTransactionReceipt({ hash });
      await live.clients.test.stopImpersonatingAccount({ address: timelock });
      return { report: await audit(await exportOf(logged)), hash };
    });
    expect(r.report.verdict).toBe('fail');
    expect(r.report.findings.map((f) => f.id)).toEqual(['audit-unexplained-admin-change']);
    expect(r.report.history.at(-1)).toMatchObject({
      event: 'OwnershipTransferred',
      emitter: 'proxy-admin',
      address: proxyAdmin,
      previous: timelock,
      next: attacker,
      status: 'unexplained',
      sender: timelock,
    });
    expect(r.report.findings[0]?.message).toContain(r.hash);
  });

  it('refuses a tampered export, naming the bad entry, and trusts nothing in it', async () => {
    const { log, head, signer } = await exportOf(logged);
    const first = log[0] as ExportRecord;
    const other = localAccount(8).address.toLowerCase();
    const tampered = [
      { ...first, entry: first.entry.replace(patched.toLowerCase(), other) },
      ...log.slice(1),
    ];
    expect(tampered[0]?.entry).not.toBe(first.entry);
    const r = await audit({ log: tampered, head, signer });
    expect(r.verdict).toBe('fail');
    expect(r.log).toMatchObject({ given: true, verified: false, firstBadIndex: 0 });
    expect(r.findings.map((f) => f.id)).toEqual(['audit-log-unverified', 'audit-unexplained-upgrade']);
    expect(r.findings[0]?.message).toMatch(/first bad entry 0/);
    expect(r.history.at(-1)?.status).toBe('unexplained');
  });

  it('reads only the entries the signed head commits to: an executed entry after it explains nothing', async () => {
    const r = await audit(await exportOf(logged, 1));
    expect(r.verdict).toBe('fail');
    expect(r.history.at(-1)?.status).toBe('unexplained');
    expect(r.log).toMatchObject({
      status: 'authenticated',
      used: 1,
      entries: 2,
      unsigned: { from: 1, to: 2, entries: [{ index: 1, kind: 'executed', digest }] },
    });
    expect(r.findings.map((f) => f.id)).toEqual(['audit-log-unsigned-tail', 'audit-unexplained-upgrade']);
    expect(r.findings[0]?.message).toBe(
      `entry 1 of the export comes after the signed head (size 1): no head commits to it, so it is ignored (1 executed ${digest})`,
    );
    expect(r.findings[1]?.message).toContain(
      'only unsigned entry 1 after the head (size 1) claims it, and no head vouches for that',
    );
  });

  it('a signed head of size 0 authorizes nothing: every upgrade after deployment is unexplained', async () => {
    const r = await audit(await exportOf(logged, 0));
    expect(r.log).toMatchObject({ status: 'authenticated', used: 0, head: { size: 0 } });
    expect(r.tally).toEqual({ initial: 3, authorized: 0, unexplained: 1 });
    expect(r.findings.map((f) => f.id)).toEqual(['audit-log-unsigned-tail', 'audit-unexplained-upgrade']);
  });

  it('does not use an export without a head: nothing is authorized', async () => {
    const { log } = await exportOf(logged);
    const r = await audit({ log });
    expect(r.verdict).toBe('fail');
    expect(r.log).toMatchObject({
      given: true,
      status: 'no-head',
      authenticated: false,
      used: 0,
      entries: 2,
    });
    expect(r.findings.map((f) => [f.id, f.blocking])).toEqual([
      ['audit-log-no-head', false],
      ['audit-unexplained-upgrade', true],
    ]);
    expect(r.findings[1]?.message).toContain('no --head given: nothing authenticates the log');
  });

  it('uses none of a log whose head is checked only against the signer it names (no --signer)', async () => {
    const { log, head } = await exportOf(logged);
    const r = await audit({ log, head });
    expect(r.verdict).toBe('fail');
    expect(r.log).toMatchObject({ status: 'unpinned', verified: true, authenticated: false, used: 0 });
    expect(r.log.signerPinned).toBe(false);
    expect(r.findings.map((f) => [f.id, f.severity, f.blocking])).toEqual([
      ['audit-log-signer-unpinned', 'high', false],
      ['audit-unexplained-upgrade', 'critical', true],
    ]);
  });

  it('without a log, says so and reports every change after deployment unexplained', async () => {
    const r = await audit();
    expect(r.verdict).toBe('fail');
    expect(r.log).toEqual({ given: false, status: 'none', verified: false, authenticated: false, used: 0 });
    expect(r.findings.map((f) => [f.id, f.blocking])).toEqual([
      ['audit-no-log', false],
      ['audit-unexplained-upgrade', true],
    ]);
    expect(r.findings[1]?.message).toContain('no log given');
  });

  it('flags a logged execution whose transaction upgraded nothing', async () => {
    const queuedTx = (await lc.store.history(digest)).find((h) => h.to === 'queued')?.txHash as Hex;
    const lie = { kind: 'executed', digest, at: new Date(), txHash: queuedTx, blockNumber: 1 };
    const r = await audit(await exportOf([...logged, lie]));
    expect(r.findings.map((f) => f.id)).toEqual(['audit-executed-not-on-chain']);
    expect(r.findings[0]?.message).toContain(`executed entry 2 (patch ${digest}`);
    expect(r.findings[0]?.message).toContain(queuedTx);
  });

  it('does not let a logged patch for another implementation explain the upgrade in its transaction', async () => {
    const other = localAccount(8).address.toLowerCase();
    const [proposed, executed] = logged as [Record<string, unknown>, unknown];
    const r = await audit(await exportOf([{ ...proposed, implementation: other }, executed]));
    expect(r.history.at(-1)?.status).toBe('unexplained');
    expect(r.findings.map((f) => f.id)).toEqual(['audit-unexplained-upgrade', 'audit-executed-not-on-chain']);
    expect(r.findings[0]?.message).toContain(`installs another implementation (${digest} approved ${other})`);
  });

  it('flags an authorized implementation whose code no longer hashes to the logged codehash', async () => {
    const r = await onSnapshot(async () => {
      const code = (await live.clients.public.getCode({ address: patched })) as Hex;
      await live.clients.test.setCode({ address: patched, bytecode: `${code}00` });
      return audit(await exportOf(logged));
    });
    expect(r.findings.map((f) => f.id)).toEqual(['audit-codehash-mismatch']);
    expect(r.findings[0]?.message).toContain(patched);
  });

  it('flags an implementation slot written without an Upgraded event', async () => {
    const other = live.system.contracts.get('vault')?.implementation as Hex;
    const r = await onSnapshot(async () => {
      await live.clients.test.setStorageAt({
        address: vault,
        index: ERC1967.implementation,
        value: `0x${other.slice(2).toLowerCase().padStart(64, '0')}`,
      });
      return audit(await exportOf(logged));
    });
    expect(r.findings.map((f) => f.id)).toEqual(['audit-silent-upgrade']);
    expect(r.findings[0]?.message).toContain(`holds ${other}`);
  });

  it('follows a beacon proxy: its beacon upgraded by the owner key is UNEXPLAINED', async () => {
    const r = await onSnapshot(async () => {
      const wallet = live.clients.wallet(owner(0));
      const v1 = live.system.contracts.get('vault')?.implementation as Hex;
      const beacon = await deploy(
        wallet,
        live.clients.public,
        findContract(live.project, 'UpgradeableBeacon'),
        [v1, localAccount(0).address],
      );
      const proxy = await deploy(wallet, live.clients.public, findContract(live.project, 'BeaconProxy'), [
        beacon,
        '0x',
      ]);
      const hash = await wallet.writeContract({
        address: beacon,
        abi: parseAbi(['function upgradeTo(address newImplementation)']),
        functionName: 'upgradeTo',
        args: [patched],
      });
      await live.clients.public.waitForTransactionReceipt({ hash });
      return { report: await audit({ proxy, ...(await exportOf(logged)) }), beacon, hash };
    });
    expect(r.report).toMatchObject({ kind: 'beacon', beacon: r.beacon, implementation: patched });
    expect(r.report.history.map((h) => [h.emitter, h.event, h.status])).toEqual([
      ['beacon', 'OwnershipTransferred', 'initial'],
      ['beacon', 'Upgraded', 'initial'],
      ['proxy', 'BeaconUpgraded', 'initial'],
      ['beacon', 'Upgraded', 'unexplained'],
    ]);
    expect(r.report.findings.map((f) => f.id)).toEqual(['audit-unexplained-upgrade']);
    expect(r.report.findings[0]?.message).toContain(r.hash);
  });

  it('audits a UUPS proxy never upgraded: its deployment (and owner set by its initializer) only', async () => {
    const rewards = live.system.contracts.get('rewards')?.address as Hex;
    const r = await audit({ proxy: rewards, ...(await exportOf(logged)) });
    expect(r).toMatchObject({ verdict: 'pass', kind: 'uups', findings: [] });
    expect(r.history.map((h) => [h.emitter, h.event, h.status])).toEqual([
      ['proxy', 'Upgraded', 'initial'],
      ['proxy', 'OwnershipTransferred', 'initial'],
    ]);
    expect(r.history[1]?.next).toBe(live.system.governance.timelock);
  });

  it('starting after the deployment, treats nothing as initial', async () => {
    const r = await audit({
      fromBlock: (await live.clients.public.getTransactionReceipt({ hash: executedTx })).blockNumber,
    });
    expect(r.deployment).toBeUndefined();
    expect(r.history.map((h) => h.status)).toEqual(['unexplained']);
  });

  it('refuses a malformed proxy address and an address without code as bad input (exit 2)', async () => {
    const bad = await errorOf(audit({ proxy: '0x1234' }));
    expect([bad.code, bad.exitCode, bad.shortMessage]).toEqual([
      'bad-address',
      2,
      'proxy "0x1234" is not an address',
    ]);
    const empty = await errorOf(audit({ proxy: localAccount(8).address }));
    expect([empty.code, empty.exitCode]).toEqual(['audit-not-a-proxy', 2]);
    const gate = await errorOf(audit({ gate: 'nope' }));
    expect(gate.shortMessage).toBe('--gate "nope" is not an address');
  });
});

describe('one proxy classifier', () => {
  it('audit, simulate and verify see the same kind: transparent, UUPS, beacon, bare ERC-1967, not a proxy', async () => {
    await onSnapshot(async () => {
      const wallet = live.clients.wallet(owner(0));
      const vaultImpl = live.system.contracts.get('vault')?.implementation as Hex;
      // An ERC1967Proxy over an implementation without proxiableUUID: no admin slot, not UUPS. (OZ 5's
      // ERC1967Proxy refuses empty init data: a harmless view call stands in.)
      const bare = await deploy(wallet, live.clients.public, findContract(live.project, 'ERC1967Proxy'), [
        vaultImpl,
        encodeFunctionData({
          abi: parseAbi(['function asset() view returns (address)']),
          functionName: 'asset',
        }),
      ]);
      const beacon = await deploy(
        wallet,
        live.clients.public,
        findContract(live.project, 'UpgradeableBeacon'),
        [vaultImpl, localAccount(0).address],
      );
      const beaconProxy = await deploy(
        wallet,
        live.clients.public,
        findContract(live.project, 'BeaconProxy'),
        [beacon, '0x'],
      );
      const rewards = live.system.contracts.get('rewards')?.address as Hex;
      const cases: [Hex, string][] = [
        [vault, 'transparent'],
        [rewards, 'uups'],
        [beaconProxy, 'beacon'],
        [bare, 'erc1967'],
      ];
      for (const [address, kind] of cases) {
        const classified = await classifyProxy(live.clients.public, address);
        const introspected = await introspectProxy(live.clients.public, address);
        const audited = await auditProxy(live.clients.public, { proxy: address });
        expect([classified?.kind, introspected.kind, audited.kind], kind).toEqual([kind, kind, kind]);
        expect(introspected.implementation).toBe(classified?.implementation);
        expect(audited.implementation).toBe(classified?.implementation);
      }
      // The timelock is no proxy: the classifier says so, audit refuses it as bad input.
      const timelock = live.system.governance.timelock;
      expect(await classifyProxy(live.clients.public, timelock)).toBeUndefined();
      expect((await introspectProxy(live.clients.public, timelock)).kind).toBe('none');
      const refused = await errorOf(auditProxy(live.clients.public, { proxy: timelock }));
      expect([refused.code, refused.exitCode]).toEqual(['audit-not-a-proxy', 2]);
      // Simulating against a bare ERC-1967 proxy is refused, naming it, before anything is sent.
      const config = { ...live.config, live: { ...live.config.live, vault: { address: bare } } };
      const attach = await errorOf(attachSystem(live.clients, live.project, config));
      expect([attach.code, attach.exitCode]).toEqual(['live-not-upgradeable', 2]);
      expect(attach.shortMessage).toContain(bare);
    });
  });
});

describe('watch: the upgrades rule (audit, live, one block at a time)', () => {
  const ruleOn = async (entries: readonly unknown[] | undefined) => {
    const loaded = entries ? await loadLog(await exportOf(entries)) : undefined;
    if (loaded && !loaded.ok) throw new Error(`the test log does not verify: ${loaded.status}`);
    return upgradeRule({
      client: live.clients.public,
      chainId: live.clients.chain.id,
      proxies: [vault],
      log: async () => (loaded?.ok ? loaded.log : undefined),
    });
  };
  const blockOf = async (hash: Hex): Promise<BlockRef> => {
    const b = await live.clients.public.getBlock({
      blockNumber: (await live.clients.public.getTransactionReceipt({ hash })).blockNumber,
    });
    return { number: b.number, hash: b.hash, parentHash: b.parentHash };
  };

  it('stays silent on the patch the log executed, and alerts on it without the log', async () => {
    const block = await blockOf(executedTx);
    expect(await (await ruleOn(logged)).evaluate(block)).toEqual([]);
    const alerts = await (await ruleOn(undefined)).evaluate(block);
    expect(alerts.map((a) => a.id)).toEqual(['audit-unexplained-upgrade']);
    expect(alerts[0]?.message).toContain(executedTx);
  });

  it('alerts on an upgrade by a leaked ProxyAdmin owner key, naming the transaction and its sender', async () => {
    const rule = await ruleOn(logged);
    await onSnapshot(async () => {
      const timelock = live.system.governance.timelock;
      await live.clients.test.impersonateAccount({ address: timelock });
      await live.clients.test.setBalance({ address: timelock, value: 10n ** 18n });
      const v1 = live.system.contracts.get('vault')?.implementation as Hex;
      const hash = await live.clients.wallet({ address: timelock, type: 'json-rpc' }).writeContract({
        address: proxyAdmin,
        abi: PROXY_ADMIN_ABI,
        functionName: 'upgradeAndCall',
        args: [vault, v1, '0x'],
      });
      await live.clients.public.waitForTransactionReceipt({ hash });
      await live.clients.test.stopImpersonatingAccount({ address: timelock });
      const alerts = await rule.evaluate(await blockOf(hash));
      expect(alerts.map((a) => [a.id, a.key])).toEqual([['audit-unexplained-upgrade', `${hash}:0`]]);
      expect(alerts[0]?.message).toContain(`Upgraded(${v1})`);
      expect(alerts[0]?.message).toContain(`sent by ${timelock}`);
    });
  });
});
