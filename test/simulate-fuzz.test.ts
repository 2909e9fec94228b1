/**
 * simulate's differential fuzzing on the bundled example: generated calls on the real system (Safe, timelock,
 * proxies on an embedded anvil) just before and just after the upgrade through the real governance path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { runSimulate, type SimulateReport } from '../src/simulate/run-simulate.js';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './helpers/example.js';

let config: Config;
beforeAll(async () => {
  await loadExample();
  config = (await loadConfig({ searchDir: EXAMPLE_DIR })).config;
  const fix = config.patches.find((p) => p.name === 'fix-flash-deposit') as Config['patches'][number];
  // The correct fix plus a flash fee raised 5 → 100 bps in its initializer (examples/vault/src/bad/VaultV2FeeHike.sol).
  const feeHike = { ...fix, name: 'fee-hike', candidate: 'src/bad/VaultV2FeeHike.sol:VaultV2FeeHike' };
  config = { ...config, patches: [...config.patches, feeHike] };
});

const simulate = (patch: string, fuzz: Partial<Config['fuzz']> = {}, seed?: number) =>
  runSimulate({
    config: { ...config, fuzz: { ...config.fuzz, ...fuzz } },
    projectDir: EXAMPLE_DIR,
    stateDir: TEST_STATE_DIR,
    patch,
    ...(seed !== undefined ? { seed } : {}),
  });

const fuzzOf = (r: SimulateReport) => {
  if ('skipped' in r.fuzz) throw new Error(`fuzz skipped: ${r.fuzz.skipped}`);
  return r.fuzz;
};

describe('simulate: differential fuzzing', () => {
  it('the correct fix (VaultV1 → VaultV2): no unchanged function behaves differently; the changed ones are listed for review', async () => {
    const r = await simulate('fix-flash-deposit');
    const fuzz = fuzzOf(r);
    expect(r.verdict).toBe('pass');
    expect(r.stages.find((s) => s.name === 'fuzz')?.status).toBe('passed');
    expect(r.findings.filter((f) => f.id === 'behaviour-changed')).toEqual([]);
    // Every function both versions have ran (ERC-4626, ERC-20, AccessControl, Pausable, flash loans).
    expect(fuzz.functionsCovered).toBe(fuzz.functionsTotal);
    expect(fuzz.functionsTotal).toBeGreaterThan(40);
    expect(fuzz.callsRun).toBeGreaterThanOrEqual(fuzz.functionsTotal * fuzz.runsPerFunction);
    // maxFlashLoan now caps at maxFlashLoanBps (50 %): the patch changed it, the shrunk call shows how.
    expect(fuzz.differences.every((d) => d.changed)).toBe(true);
    expect(fuzz.differences.find((d) => d.function === 'maxFlashLoan(address)')).toMatchObject({
      call: { args: ['@token'] },
      aspect: 'return',
      before: 'returned "60000000000"',
      after: 'returned "30000000000"',
    });
    expect(r.findings.map((f) => f.id)).toEqual(fuzz.differences.map(() => 'behaviour-changed-expected'));
  });

  it('a patch that silently raises the flash fee in its initializer: behaviour-changed on the unchanged fee functions, with a shrunk call', async () => {
    const r = await simulate('fee-hike', { runs: 40 });
    const fuzz = fuzzOf(r);
    expect(r.verdict).toBe('fail');
    expect(r.stages.find((s) => s.name === 'fuzz')?.status).toBe('failed');
    const unchanged = fuzz.differences.filter((d) => !d.changed);
    expect(unchanged.map((d) => d.function)).toEqual(
      expect.arrayContaining(['flashFee(address,uint256)', 'flashFeeBps()']),
    );
    // Shrunk: the asset (any other token reverts on both sides) and the smallest amount whose fee differs,
    // 100 × 5 / 10 000 = 0 before and 100 × 100 / 10 000 = 1 after.
    expect(fuzz.differences.find((d) => d.function === 'flashFee(address,uint256)')).toMatchObject({
      changed: false,
      call: { args: ['@token', '100'] },
      aspect: 'return',
      before: 'returned "0"',
      after: 'returned "1"',
    });
    const finding = r.findings.find(
      (f) => f.id === 'behaviour-changed' && f.key === 'flashFee(address,uint256)',
    );
    expect(finding).toMatchObject({ severity: 'high', blocking: true });
    expect(finding?.message).toContain(
      'calls flashFee(@token, 100) — before returned "0", after returned "1"',
    );
  });

  it('same seed → same calls and same report; the seed is the one passed', async () => {
    const [a, b] = [await simulate('fee-hike', {}, 7), await simulate('fee-hike', {}, 7)];
    expect(fuzzOf(a).seed).toBe(7);
    expect(fuzzOf(a).budgetExhausted).toBe(false);
    expect(fuzzOf(b)).toEqual(fuzzOf(a));
    expect(b.findings).toEqual(a.findings);
  });

  it('patchgate simulate --seed N: the JSON report carries that seed; a bad seed is one line and exit 2', () => {
    const cli = (seed: string) =>
      runCli([
        'simulate',
        '--config',
        `${EXAMPLE_DIR}patchgate.config.json`,
        '--patch',
        'fix-flash-deposit',
        '--seed',
        seed,
        '--format',
        'json',
        '--state-dir',
        TEST_STATE_DIR,
      ]);
    const ok = cli('42');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report.stages.map((s: { name: string }) => s.name)).toContain('fuzz');
    expect(report.fuzz).toMatchObject({ seed: 42, runsPerFunction: 8, budgetExhausted: false });
    const bad = cli('-1');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.message).toBe('--seed "-1" is not an integer from 0 to 2147483647');
  });

  it('a time budget too short to reach every function blocks (fuzz-incomplete), naming the functions left', async () => {
    const r = await simulate('fix-flash-deposit', { timeBudgetMs: 100, runs: 1000 });
    const fuzz = fuzzOf(r);
    expect(fuzz.budgetExhausted).toBe(true);
    expect(fuzz.notCovered.length).toBeGreaterThan(0);
    expect(fuzz.functionsCovered + fuzz.notCovered.length).toBe(fuzz.functionsTotal);
    expect(r.verdict).toBe('fail');
    const incomplete = r.findings.find((f) => f.id === 'fuzz-incomplete');
    expect(incomplete).toMatchObject({ severity: 'medium', blocking: true });
    expect(incomplete?.message).toContain('the time budget (100 ms) was spent');
    expect(incomplete?.message).toContain(fuzz.notCovered[0]?.function as string);
  });

  it('fuzz off in the config: the stage is recorded as skipped, never as passed', async () => {
    const r = await simulate('fix-flash-deposit', { enabled: false });
    expect(r.fuzz).toEqual({ skipped: 'off in the config (fuzz.enabled)' });
    expect(r.stages.find((s) => s.name === 'fuzz')?.status).toBe('skipped');
  });
});
