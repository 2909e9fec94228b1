/**
 * `simulate` end to end on the bundled example: the live system deployed from the config (real Safe,
 * timelock, proxies), the patch through the governance path, the exploit PoC before and after.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startAnvil } from '../src/chain/anvil.js';
import { localAccount } from '../src/chain/clients.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { runSimulate } from '../src/simulate/run-simulate.js';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './helpers/example.js';

let config: Config;
beforeAll(async () => {
  await loadExample();
  config = (await loadConfig({ searchDir: EXAMPLE_DIR })).config;
});

/**
 * Differential fuzzing is off here (its own file is simulate-fuzz.test.ts): the findings of the other stages are
 * pinned exactly, and the stage is recorded as skipped.
 */
const simulate = (patch: string, overrides: Partial<Config> = {}) =>
  runSimulate({
    config: { ...config, fuzz: { ...config.fuzz, enabled: false }, ...overrides },
    projectDir: EXAMPLE_DIR,
    stateDir: TEST_STATE_DIR,
    patch,
  });

/**
 * The anvils started by CLI runs carrying `mark` in their environment (anvil inherits it): other test files'
 * anvils, running at the same time, are not counted.
 */
const anvils = (mark: string) =>
  readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd.some((arg) => arg.endsWith('/anvil'))) return false;
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      return (
        state !== 'Z' && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`PATCHGATE_TEST_MARK=${mark}`)
      );
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  }).length;

describe('simulate', () => {
  it('passes the correct fix: governance path completes, the exploit succeeds before and fails after', async () => {
    const r = await simulate('fix-flash-deposit');
    expect(r.verdict).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r.stages.map((s) => s.name)).toEqual([
      'build',
      'deploy',
      'poc-before',
      'invariants-before',
      'replay-before',
      'governance',
      'poc-after',
      'invariants-after',
      'replay-after',
      'fuzz',
    ]);
    expect(r.invariants.map((i) => [i.name, i.before, i.after])).toEqual([
      ['fees-go-to-governance', 'held', 'held'],
      ['guardian-can-pause', 'held', 'held'],
      ['no-assets-lost', 'held', 'held'],
      ['VaultInvariants.invariant_shareNotDiluted', 'held', 'held'],
      ['VaultInvariants.invariant_solvent', 'held', 'held'],
    ]);
    expect(r.governancePath).toMatchObject({
      ok: true,
      operationId: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect('steps' in r.governancePath && r.governancePath.steps.map((s) => s.name)).toEqual([
      'safe-schedule',
      'time-warp',
      'safe-execute',
    ]);
    expect(r.poc).toEqual([
      expect.objectContaining({
        name: 'flash-deposit',
        before: 'succeeded',
        after: 'failed',
        reasonAfter: 'ReentrancyGuardReentrantCall()',
      }),
    ]);
    expect(BigInt(r.poc[0]?.profitBefore ?? 0)).toBeGreaterThan(59_000_000_000n);
    // Who controls the proxy, read from the chain: ProxyAdmin ← timelock (min 1 h) ← Safe 2-of-3; the Safe can
    // cancel, and so can the canceller key; only the guardian (local account 9) can pause.
    expect(r.control.kind).toBe('transparent');
    expect(r.control.upgrade).toMatch(
      /^ProxyAdmin 0x[0-9a-fA-F]{40} ← TimelockController 0x[0-9a-fA-F]{40} \(delay 3600 s\) ← Safe 0x[0-9a-fA-F]{40} \(2 of 3: /,
    );
    // The Safe, and the canceller key (local account 6: CANCELLER_ROLE alone, for the watcher's automatic cancel).
    expect(r.control.cancel).toHaveLength(2);
    expect(r.control.upgrade).toContain(r.control.cancel[0]);
    expect(r.control.cancel[1]).toBe(localAccount(6).address);
    expect(r.control.pause).toEqual([{ account: localAccount(9).address, role: 'GUARDIAN_ROLE' }]);
  });

  it('attaches to a running node with --rpc (rpc mode) and fails closed with exit 3 on a setup that reverts', async () => {
    const node = await startAnvil();
    try {
      const r = await runSimulate({
        config,
        projectDir: EXAMPLE_DIR,
        stateDir: TEST_STATE_DIR,
        patch: 'fix-flash-deposit',
        rpcUrl: node.rpcUrl,
      });
      expect(r.chain.mode).toBe('rpc');
      expect(r.verdict).toBe('pass');
      const setup = [
        ...(config.system?.setup ?? []),
        {
          from: 'user:1',
          to: 'vault',
          function: 'withdraw',
          args: ['999999999999999', '@user:1', '@user:1'],
        },
      ];
      const system = { ...(config.system as NonNullable<Config['system']>), setup };
      await expect(
        runSimulate({
          config: { ...config, system },
          projectDir: EXAMPLE_DIR,
          stateDir: TEST_STATE_DIR,
          patch: 'fix-flash-deposit',
          rpcUrl: node.rpcUrl,
        }),
      ).rejects.toMatchObject({
        code: 'setup-reverted',
        exitCode: 3,
        shortMessage: expect.stringMatching(
          /setup\[6\] user:1 → vault\.withdraw reverted: ERC4626ExceededMaxWithdraw/,
        ),
      });
    } finally {
      await node.stop();
    }
  });

  it('fails a patch whose upgrade initializer reverts, naming the step and the decoded reason', async () => {
    const r = await simulate('reverting-initializer');
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => [f.id, f.message])).toEqual([
      ['simulation-reverted', expect.stringMatching(/^safe-execute reverted: InvalidBps\(5000\)/)],
    ]);
    expect(r.poc[0]).toMatchObject({ before: 'succeeded', after: 'skipped' });
  });

  it('fails a patch that leaves the exploit working (the live version itself as candidate)', async () => {
    const patches = [
      ...config.patches,
      {
        name: 'no-fix',
        contract: 'vault',
        candidate: 'src/VaultV1.sol:VaultV1',
        invariants: [],
        expectStorage: [],
      },
    ];
    const r = await simulate('no-fix', { patches });
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => f.id)).toEqual(['poc-still-exploitable']);
  });

  it('treats a PoC that fails before the upgrade as void evidence, not a pass', async () => {
    const pocs = config.pocs.map((p) => ({ ...p, fund: undefined }));
    const r = await simulate('fix-flash-deposit', { pocs });
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => f.id)).toEqual(['poc-not-reproduced']);
  });

  it('upgrades a UUPS proxy through the same path', async () => {
    const r = await simulate('rewards-claim-for');
    expect(r.governancePath.ok).toBe(true);
    expect(r.verdict).toBe('pass');
    // The vault PoC attacks the vault, not the rewards contract: it does not run for this patch.
    expect(r.poc).toEqual([]);
  });
});

describe('patchgate simulate (CLI)', () => {
  it('prints the JSON report and exits 0 for the fix, 1 for a reverting patch, leaving no anvil behind', () => {
    const mark = randomUUID();
    const env = { env: { PATCHGATE_TEST_MARK: mark } };
    const ok = runCli(
      [
        'simulate',
        '--config',
        `${EXAMPLE_DIR}patchgate.config.json`,
        '--patch',
        'fix-flash-deposit',
        '--format',
        'json',
        '--state-dir',
        TEST_STATE_DIR,
      ],
      env,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(Object.keys(report).slice(0, 5)).toEqual(['tool', 'verdict', 'digest', 'stages', 'findings']);
    expect(report.governancePath.steps).toHaveLength(3);
    expect(report.poc[0]).toMatchObject({ before: 'succeeded', after: 'failed' });
    const bad = runCli(
      [
        'simulate',
        '--config',
        `${EXAMPLE_DIR}patchgate.config.json`,
        '--patch',
        'reverting-initializer',
        '--state-dir',
        TEST_STATE_DIR,
      ],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/safe-execute\s+reverted: InvalidBps\(5000\)/);
    expect(anvils(mark)).toBe(0);
  });

  it('rejects an unknown patch and a config without a system with exit 2', () => {
    const unknown = runCli([
      'simulate',
      '--config',
      `${EXAMPLE_DIR}patchgate.config.json`,
      '--patch',
      'nope',
      '--state-dir',
      TEST_STATE_DIR,
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/patch "nope"/);
    const noSystem = runCli([
      'simulate',
      '--project',
      'test/fixtures/small',
      '--patch',
      'x',
      '--state-dir',
      TEST_STATE_DIR,
    ]);
    expect(noSystem.code).toBe(2);
    // A fork block with no node to fork is refused, not ignored.
    const forkBlock = runCli([
      'simulate',
      '--config',
      `${EXAMPLE_DIR}patchgate.config.json`,
      '--patch',
      'fix-flash-deposit',
      '--fork-block',
      '5',
      '--state-dir',
      TEST_STATE_DIR,
    ]);
    expect([forkBlock.code, forkBlock.stderr.split('\n')[0]]).toEqual([
      2,
      'patchgate: --fork-block 5 needs a node to fork: --fork-url or --rpc',
    ]);
  });
});

describe('storage diff', () => {
  it('names every slot the upgrade changed and expects only the implementation, the version and new state', async () => {
    const r = await simulate('fix-flash-deposit');
    expect(r.storageDiff.map((c) => [c.variable, c.expected])).toEqual([
      ['VaultV2Core.maxFlashLoanBps', true],
      ['ERC1967.implementation', true],
      [expect.stringMatching(/^erc7201:openzeppelin\.storage\.Initializable\._initialized/), true],
    ]);
    expect(BigInt(r.storageDiff[0]?.after ?? 0)).toBe(5000n);
  });

  it('flags an initializer that rewrites existing state, unless the patch declares it', async () => {
    const r = await simulate('sneaky-initializer');
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => f.id)).toEqual(['storage-unexpected-change', 'invariant-broken']);
    expect(r.findings[0]?.message).toMatch(
      /^VaultV2Core\.feeRecipient \(slot 0x1\) changed 0x[0-9a-f]{40} → 0xdead during the upgrade/,
    );
    // Declaring the write silences the storage diff, but the fee-recipient invariant still catches it.
    const declared = config.patches.map((p) =>
      p.name === 'sneaky-initializer' ? { ...p, expectStorage: ['feeRecipient'] } : p,
    );
    const allowed = await simulate('sneaky-initializer', { patches: declared });
    expect(allowed.findings.map((f) => [f.id, f.message])).toEqual([
      [
        'invariant-broken',
        expect.stringMatching(/fees-go-to-governance .* broken after the upgrade: got 0x0+dEaD/),
      ],
    ]);
  });
});

describe('invariants', () => {
  it('fails the Ronin-style patch: the guard it adds is never armed', async () => {
    const r = await simulate('uninitialized-guard');
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => [f.id, f.status])).toEqual([['invariant-broken', 'introduced']]);
    expect(r.invariants.find((i) => i.name === 'large-withdrawal-guard-armed')).toMatchObject({
      before: 'n/a',
      after: 'broken',
      actualAfter: '0',
    });
  });

  it('voids the simulation when an invariant does not hold on the live version', async () => {
    const invariants = [
      ...config.invariants,
      { name: 'wrong', target: 'vault', function: 'flashFeeBps', args: [], op: '==' as const, value: '7' },
    ];
    const r = await simulate('fix-flash-deposit', { invariants });
    expect(r.findings.map((f) => [f.id, f.status])).toEqual([['invariant-broken', 'unchanged']]);
    expect(r.verdict).toBe('fail');
  });
});

describe('differential replay', () => {
  it('replays the user flows before and after: no difference for the fix, gas per transaction reported', async () => {
    const r = await simulate('fix-flash-deposit');
    expect(r.replay).toEqual({ transactions: config.replay.length, differences: [] });
    expect(r.gas).toHaveLength(config.replay.length);
    const deposit = r.gas.find((g) => g.label.includes('vault.deposit'));
    // nonReentrant costs a little gas on every deposit.
    expect(BigInt(deposit?.delta ?? 0)).toBeGreaterThan(0n);
  });

  it('blocks when a flow integrators rely on starts reverting (sharePrice removed)', async () => {
    const replay = [...config.replay, { from: 'user:1', to: 'vault', function: 'sharePrice', args: [] }];
    const r = await simulate('function-removed', { replay });
    const diff = r.replay.differences.find((d) => d.label.includes('sharePrice'));
    expect(diff).toMatchObject({
      kind: 'status',
      before: 'success',
      after: expect.stringMatching(/^reverted/),
    });
    expect(r.findings.find((f) => f.id === 'replay-difference')).toMatchObject({
      blocking: true,
      severity: 'high',
    });
    expect(r.verdict).toBe('fail');
  });

  it('deploys Solidity invariant contracts and counts a reverting invariant_*() as broken', async () => {
    const r = await simulate('fix-flash-deposit', {
      invariantContracts: [{ contract: 'VaultInvariants', args: ['@token'] }],
    });
    expect(r.verdict).toBe('fail');
    const solvent = r.invariants.find((i) => i.name === 'VaultInvariants.invariant_solvent');
    expect(solvent).toMatchObject({ before: 'broken' });
    expect(r.findings.every((f) => f.id === 'invariant-broken' && f.status === 'unchanged')).toBe(true);
  });
});
