/**
 * The patch lifecycle as a library, on the example deployed to a real anvil: propose (check + simulate on a
 * fork, implementation deployed), EIP-712 approvals with Safe signatures, queue (Safe → timelock.schedule),
 * execute after the delay, verify on chain — and every refusal on the way, each without a state change.
 *
 * Each test stands alone: before it, the chain goes back to the freshly deployed system and the store is
 * emptied; a test that needs a patch further along takes the fix there itself (`fixAt`), through the real
 * steps. Only the fix's simulation (a forked deployment, the slow part of `propose`) is made once, as the
 * demo does, and handed to `propose` as its evidence.
 */

import { type Hex, keccak256, type LocalAccount, parseAbi, toHex } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findContract } from '../src/build/find.js';
import { localAccount } from '../src/chain/clients.js';
import { abiOf, deploy } from '../src/chain/deploy.js';
import { INITIALIZABLE_SLOT } from '../src/chain/initializable.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { signApproval } from '../src/govern/approval.js';
import { exportLine } from '../src/ledger/export.js';
import { signCurrentHead } from '../src/ledger/head.js';
import { verifyExport } from '../src/ledger/verify-export.js';
import { approve } from '../src/lifecycle/approve.js';
import { cancel } from '../src/lifecycle/cancel.js';
import { execute } from '../src/lifecycle/execute.js';
import type { Lifecycle } from '../src/lifecycle/lifecycle.js';
import { LOG_ORIGIN, syncLog } from '../src/lifecycle/log-sync.js';
import { propose } from '../src/lifecycle/propose.js';
import { queue } from '../src/lifecycle/queue.js';
import { verify } from '../src/lifecycle/verify.js';
import { runSimulate, type SimulateReport } from '../src/simulate/run-simulate.js';
import { openLedger } from '../src/store/ledger-store.js';
import { type LiveExample, lifecycleOn, startLiveExample } from './helpers/live.js';
import { type ChainCheckpoint, chainCheckpoint, emptyStore } from './helpers/restore-state.js';

// Set once in beforeAll and never changed by a test: the node, the store's connection, a checkpoint.
let live: LiveExample;
let lc: Lifecycle;
/** The freshly deployed system, before any patch: every test starts here. */
let pristine: ChainCheckpoint;
/** The fix simulated on a fork of the pristine system: what `propose` would produce, made once. */
let fixSimulation: SimulateReport;
const owner = (i: number) => localAccount(i) as never;

beforeAll(async () => {
  live = await startLiveExample();
  lc = await lifecycleOn(live);
  fixSimulation = await runSimulate({
    config: lc.config,
    projectDir: lc.projectDir,
    stateDir: lc.stateDir,
    patch: 'fix-flash-deposit',
    forkUrl: lc.rpcUrl,
  });
  expect(fixSimulation.verdict).toBe('pass');
  pristine = await chainCheckpoint(live.clients);
}, 240_000);

beforeEach(async () => {
  await pristine.restore();
  await emptyStore(lc.store.db);
});

afterAll(async () => {
  await lc?.store.close();
  await live?.anvil.stop();
});

const STEPS = ['proposed', 'approved', 'queued', 'executed', 'verified'] as const;

/**
 * The fix proposed in the standard lane and taken through the real steps up to `state`: approved by owners 1
 * and 3, queued, executed after a warp, verified. Returns its digest.
 */
async function fixAt(state: (typeof STEPS)[number]): Promise<Hex> {
  const upTo = (step: (typeof STEPS)[number]) => STEPS.indexOf(step) <= STEPS.indexOf(state);
  const r = await propose(lc, {
    patch: 'fix-flash-deposit',
    lane: 'standard',
    deployer: owner(0),
    reports: { simulate: fixSimulation },
  });
  const digest = r.digest as Hex;
  if (upTo('approved')) for (const i of [1, 3]) await approve(lc, { digest, signer: owner(i) });
  if (upTo('queued')) await queue(lc, { digest, submitter: owner(0) });
  if (upTo('executed')) await execute(lc, { digest, submitter: owner(0), wait: 'warp' });
  if (upTo('verified')) await verify(lc, { digest });
  const reached = (await lc.store.get(digest))?.state;
  if (reached !== state) throw new Error(`set-up: the fix reached ${reached}, not ${state}`);
  return digest;
}

describe('propose', () => {
  it('refuses a patch whose static check fails, storing nothing', async () => {
    const r = await propose(lc, { patch: 'access-dropped', lane: 'standard', deployer: owner(0) });
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => f.id)).toContain('access-control-removed');
    expect(await lc.store.list()).toEqual([]);
  });

  it('records the fix with its evidence, deploying the implementation once (CREATE2)', async () => {
    const r = await propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', deployer: owner(0) });
    expect(r.verdict).toBe('pass');
    expect(r.stages.map((s) => [s.name, s.status])).toEqual([
      ['check', 'passed'],
      ['simulate', 'passed'],
      ['assess', 'passed'],
      ['deploy', 'passed'],
      ['record', 'passed'],
    ]);
    const digest = r.digest as Hex;
    expect(r.record?.target).toBe(live.system.contracts.get('vault')?.proxyAdmin);
    expect(r.plan).toMatchObject({ delay: '172800', salt: digest, safe: live.system.governance.safe });
    expect(r.policy).toMatchObject({ threshold: 2 });
    // A re-run (after a crash, or by a colleague) finds the open proposal instead of starting a second one.
    const rerun = await propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', deployer: owner(0) });
    expect([rerun.digest, rerun.created, rerun.state]).toEqual([digest, false, 'proposed']);
    // --again proposes anew with fresh evidence; the implementation already on chain is reused, not redeployed.
    const again = await propose(lc, {
      patch: 'fix-flash-deposit',
      lane: 'standard',
      deployer: owner(0),
      again: true,
    });
    expect(again.implementation).toEqual({ address: r.implementation?.address, reused: true });
    expect(again.digest).not.toBe(digest);
    await cancel(lc, { digest: again.digest as Hex });
    const evidence = await lc.store.evidence(digest);
    expect(Object.keys(evidence).sort()).toEqual(['assess', 'check', 'simulate']);
    expect((evidence.simulate as { verdict: string }).verdict).toBe('pass');
  });
});

describe('approvals', () => {
  it('refuses a signer outside the Safe owners, an expired approval and another chain, changing nothing', async () => {
    const digest = await fixAt('proposed');
    expect((await errorOf(approve(lc, { digest, signer: owner(7) }))).code).toBe('approval-unknown-signer');
    const patch = await lc.store.get(digest);
    const now = (await live.clients.public.getBlock()).timestamp;
    const base = { digest, chainId: 31337, proxy: patch?.record.proxy as Hex, nonce: 1n, expiry: now - 1n };
    const expired = await signApproval(owner(1), base);
    expect(
      (await errorOf(approve(lc, { digest, file: { approval: expired, safeSignatures: [] } }))).code,
    ).toBe('approval-expired');
    const otherChain = await signApproval(owner(1), { ...base, chainId: 1, expiry: now + 999n });
    expect(
      (await errorOf(approve(lc, { digest, file: { approval: otherChain, safeSignatures: [] } }))).code,
    ).toBe('approval-wrong-chain');
    expect(await lc.store.approvals(digest)).toEqual([]);
    expect((await lc.store.get(digest))?.state).toBe('proposed');
  });

  it('reaches 2 of 3 with two owners, each signing the schedule and execute SafeTxs', async () => {
    const digest = await fixAt('proposed');
    const first = await approve(lc, { digest, signer: owner(1) });
    expect(first).toMatchObject({ state: 'proposed', approvals: 1, threshold: 2, alreadyApproved: false });
    expect(first.safeSigned.map((s) => s.purpose)).toEqual(['schedule', 'execute']);
    expect(await approve(lc, { digest, signer: owner(1) })).toMatchObject({
      approvals: 1,
      alreadyApproved: true,
      safeSigned: [],
    });
    expect(await lc.store.approvals(digest)).toHaveLength(1);
    expect((await errorOf(queue(lc, { digest, submitter: owner(0) }))).code).toBe('below-threshold');
    const second = await approve(lc, { digest, signer: owner(3) });
    expect(second).toMatchObject({ state: 'approved', approvals: 2 });
  });
});

describe('queue, execute, verify', () => {
  it('refuses to execute before queueing and before the delay', async () => {
    const digest = await fixAt('approved');
    expect((await errorOf(execute(lc, { digest, submitter: owner(0) }))).code).toBe('wrong-state');
    const q = await queue(lc, { digest, submitter: owner(0) });
    expect(q).toMatchObject({ state: 'queued', already: false });
    expect((await queue(lc, { digest, submitter: owner(0) })).already).toBe(true);
    const e = await errorOf(execute(lc, { digest, submitter: owner(0) }));
    expect([e.code, e.exitCode]).toEqual(['not-ready', 1]);
    expect(e.hint).toMatch(/--wait.*--warp/);
    expect(e.shortMessage).toMatch(/ready at \d{4}-\d\d-\d\dT.*\(in 4\d h/);
    expect((await lc.store.get(digest))?.state).toBe('queued');
  });

  it('executes after a time warp and verifies what ran is what was approved', async () => {
    const digest = await fixAt('queued');
    const x = await execute(lc, { digest, submitter: owner(0), wait: 'warp' });
    expect(x).toMatchObject({ state: 'executed', already: false });
    expect(x.warped).toBeGreaterThan(172_000n);
    expect((await execute(lc, { digest, submitter: owner(0) })).already).toBe(true);
    const v = await verify(lc, { digest });
    expect(v.verdict).toBe('pass');
    expect(v.checks.map((c) => [c.name, c.ok])).toEqual([
      ['implementation', true],
      ['bytecode', true],
      ['initializers', true],
      ['calldata', true],
      ['invariant:fees-go-to-governance', true],
      ['invariant:guardian-can-pause', true],
      ['invariant:no-assets-lost', true],
    ]);
    expect((await lc.store.get(digest))?.state).toBe('verified');
    expect((await lc.store.history(digest)).map((h) => h.to)).toEqual([
      'proposed',
      'approved',
      'queued',
      'executed',
      'verified',
    ]);
  });

  it('has appended every step to the transparency log, once, and the export verifies with nothing else', async () => {
    const digest = await fixAt('verified');
    const ledger = await openLedger(lc.store.db, { origin: LOG_ORIGIN });
    const records = await ledger.entries();
    const mine = records.map((r) => JSON.parse(r.entry)).filter((e) => e.digest === digest);
    expect(mine.map((e) => (e.kind === 'evidence' ? `evidence:${e.stage}` : e.kind))).toEqual([
      'patch-proposed',
      'evidence:assess',
      'evidence:check',
      'evidence:simulate',
      'approval',
      'approval',
      'queued',
      'executed',
      'verified',
    ]);
    const executed = mine.find((e) => e.kind === 'executed');
    expect(executed.txHash).toBe((await lc.store.history(digest)).find((h) => h.to === 'executed')?.txHash);
    // Syncing again (a re-run) appends nothing.
    expect(await syncLog(lc, digest)).toEqual([]);
    const text = records.map(exportLine).join('');
    const h = await ledger.head();
    const signer = localAccount(5) as LocalAccount;
    const head = await signCurrentHead(h, signer);
    const report = await verifyExport({ text, head, signer: signer.address });
    expect(report).toMatchObject({ ok: true, authenticated: true, entries: records.length, root: h.root });
  });

  it('fails verification, naming the difference, when the implementation code is swapped behind its back', async () => {
    const digest = await fixAt('verified');
    const patch = await lc.store.get(digest);
    const impl = patch?.record.implementation as Hex;
    const code = (await live.clients.public.getCode({ address: impl })) as Hex;
    const tampered =
      `${code.slice(0, 200)}${code.slice(200, 202) === '00' ? '01' : '00'}${code.slice(202)}` as Hex;
    await live.clients.test.setCode({ address: impl, bytecode: tampered });
    const v = await verify(lc, { digest });
    expect(v.verdict).toBe('fail');
    expect(v.findings.map((f) => f.id)).toEqual(['verify-bytecode-mismatch']);
    expect(v.findings[0]?.message).toMatch(/differs from src\/VaultV2.sol:VaultV2 at byte 99/);
  });

  it('fails verification when the implementation itself can be initialized again', async () => {
    const digest = await fixAt('verified');
    const impl = (await lc.store.get(digest))?.record.implementation as Hex;
    await live.clients.test.setStorageAt({
      address: impl,
      index: INITIALIZABLE_SLOT,
      value: `0x${'00'.repeat(32)}`,
    });
    const v = await verify(lc, { digest });
    expect(v.findings.map((f) => f.id)).toEqual(['verify-implementation-initializable']);
    expect(v.findings[0]?.message).toContain('its own Initializable version is 0');
  });

  it('refuses an implementation deployed elsewhere from a build that left its initializers open', async () => {
    // Same runtime code as VaultV2 (only the constructor differs), so only its storage tells them apart.
    const open = await deploy(
      live.clients.wallet(owner(0)),
      live.clients.public,
      findContract(live.project, 'VaultV2Initializable'),
    );
    const e = await errorOf(
      propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', implementation: open, again: true }),
    );
    expect([e.code, e.exitCode]).toEqual(['implementation-initializable', 2]);
  });

  it('fails verification when a compromised Safe upgrades the proxy again after the patch', async () => {
    const digest = await fixAt('verified');
    const { upgradeThroughGovernance } = await import('../src/simulate/governance.js');
    const other = await deploy(
      live.clients.wallet(owner(0)),
      live.clients.public,
      findContract(live.project, 'VaultV2SneakyInit'),
    );
    const vault = live.system.contracts.get('vault');
    const data = (await import('viem')).encodeFunctionData({
      abi: parseAbi(['function upgradeAndCall(address proxy, address implementation, bytes data) payable']),
      functionName: 'upgradeAndCall',
      args: [vault?.address as Hex, other, '0x'],
    });
    const r = await upgradeThroughGovernance(live.clients, live.system.governance, {
      target: vault?.proxyAdmin as Hex,
      data,
      salt: keccak256(toHex('behind-the-back')),
      signers: [owner(1), owner(2)],
      submitter: owner(0),
      errorsAbi: abiOf(findContract(live.project, 'VaultV2')),
    });
    expect(r.ok).toBe(true);
    const v = await verify(lc, { digest });
    expect(v.verdict).toBe('fail');
    expect(v.findings.map((f) => f.id)).toContain('verify-implementation-mismatch');
    expect(v.findings[0]?.message).toContain(other);
  });

  it('cancels a proposed patch locally and a queued one through the Safe', async () => {
    const reports = { simulate: fixSimulation };
    const local = await propose(lc, {
      patch: 'fix-flash-deposit',
      lane: 'standard',
      deployer: owner(0),
      reports,
    });
    expect(await cancel(lc, { digest: local.digest as Hex })).toMatchObject({ state: 'cancelled' });
    const r = await propose(lc, {
      patch: 'fix-flash-deposit',
      lane: 'emergency',
      deployer: owner(0),
      reports,
    });
    const d = r.digest as Hex;
    for (const i of [1, 2, 3]) await approve(lc, { digest: d, signer: owner(i) });
    await queue(lc, { digest: d, submitter: owner(0) });
    const partial = await cancel(lc, { digest: d, signer: owner(2) });
    expect(partial).toMatchObject({ state: 'queued', signatures: { have: 1, need: 2 } });
    const done = await cancel(lc, { digest: d, signer: owner(3) });
    expect(done).toMatchObject({ state: 'cancelled', already: false });
    expect((await errorOf(execute(lc, { digest: d, submitter: owner(0) }))).code).toBe('wrong-state');
  });

  it('runs the emergency lane: the guardian pauses at once, 3 of 3 approvals, the short delay, a live wait', async () => {
    const vault = live.system.contracts.get('vault')?.address as Hex;
    const r = await propose(lc, {
      patch: 'fix-flash-deposit',
      lane: 'emergency',
      deployer: owner(0),
      guardian: owner(9),
      again: true,
      reports: { simulate: fixSimulation },
    });
    expect(r.paused).toMatchObject({ address: vault, already: false });
    expect(r.plan?.delay).toBe('3600');
    const paused = await live.clients.public.readContract({
      address: vault,
      abi: parseAbi(['function paused() view returns (bool)']),
      functionName: 'paused',
    });
    expect(paused).toBe(true);
    const d = r.digest as Hex;
    await approve(lc, { digest: d, signer: owner(1) });
    await approve(lc, { digest: d, signer: owner(2) });
    const below = await errorOf(queue(lc, { digest: d, submitter: owner(0) }));
    expect(below.shortMessage).toContain('the emergency lane needs 3');
    await approve(lc, { digest: d, signer: owner(3) });
    const q = await queue(lc, { digest: d, submitter: owner(0) });
    const now = (await live.clients.public.getBlock()).timestamp;
    expect(q.eta - now).toBeLessThanOrEqual(3600n);
    // --wait polls the chain until the ETA; here the clock is moved while it waits.
    const waits: bigint[] = [];
    const x = await execute(lc, {
      digest: d,
      submitter: owner(0),
      wait: 'poll',
      pollIntervalMs: 20,
      onWaiting: (eta) => {
        waits.push(eta);
        if (waits.length === 1)
          void live.clients.test
            .increaseTime({ seconds: 3600 })
            .then(() => live.clients.test.mine({ blocks: 1 }));
      },
    });
    expect(waits[0]).toBe(q.eta);
    expect(x.state).toBe('executed');
    expect((await verify(lc, { digest: d })).verdict).toBe('pass');
  });

  it('expires a proposal not queued within the proposal TTL: its evidence is stale', async () => {
    const r = await propose(lc, {
      patch: 'fix-flash-deposit',
      lane: 'standard',
      deployer: owner(0),
      again: true,
      reports: { simulate: fixSimulation },
    });
    const d = r.digest as Hex;
    await approve(lc, { digest: d, signer: owner(1) });
    await live.clients.test.increaseTime({ seconds: lc.config.policy.proposalTtl + 60 });
    await live.clients.test.mine({ blocks: 1 });
    const e = await errorOf(approve(lc, { digest: d, signer: owner(2) }));
    expect([e.code, e.exitCode]).toEqual(['proposal-expired', 2]);
    expect((await lc.store.get(d))?.state).toBe('expired');
    expect((await errorOf(queue(lc, { digest: d, submitter: owner(0) }))).code).toBe('wrong-state');
    expect((await lc.store.history(d)).map((h) => h.to)).toEqual(['proposed', 'expired']);
    const logged = (await (await openLedger(lc.store.db, { origin: LOG_ORIGIN })).entries())
      .map((x) => JSON.parse(x.entry))
      .filter((x) => x.digest === d);
    expect(logged.at(-1)).toMatchObject({ kind: 'cancelled', reason: expect.stringContaining('expired') });
  });
});
