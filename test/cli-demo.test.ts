import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { TEST_STATE_DIR } from './helpers/example.js';

describe('patchgate demo', () => {
  it('checks the good patches and rejects every bad one, each as the example declares, with exit 0', () => {
    const r = runCli(['demo', '--format', 'json', '--state-dir', TEST_STATE_DIR]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('pass');
    expect(out.digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out.stages).toEqual([
      { name: 'check', status: 'passed', durationMs: expect.any(Number) },
      { name: 'simulate', status: 'passed', durationMs: expect.any(Number) },
    ]);
    const sims = Object.fromEntries(out.simulations.map((s: { name: string }) => [s.name, s]));
    expect(sims['fix-flash-deposit']).toMatchObject({
      verdict: 'pass',
      asExpected: true,
      poc: [{ before: 'succeeded', after: 'failed' }],
    });
    expect(sims['reverting-initializer']).toMatchObject({
      verdict: 'fail',
      asExpected: true,
      findings: [{ id: 'simulation-reverted' }],
    });
    const byName = Object.fromEntries(out.patches.map((p: { name: string }) => [p.name, p]));
    expect(byName['fix-flash-deposit']).toMatchObject({ verdict: 'pass', asExpected: true, blocking: [] });
    expect(byName['access-dropped'].blocking[0]).toMatchObject({
      id: 'access-control-removed',
      location: { file: 'src/bad/VaultV2AccessDropped.sol', function: 'setFeeRecipient' },
    });
    const rejected = out.patches.filter((p: { verdict: string }) => p.verdict === 'fail');
    expect(rejected.length).toBeGreaterThanOrEqual(7);
    for (const p of out.patches) expect(p.asExpected, p.name).toBe(true);
  });

  it('prints one line per patch for people', () => {
    const r = runCli(['demo', '--state-dir', TEST_STATE_DIR]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fix-flash-deposit\s+PASS\s+as expected/);
    expect(r.stdout).toMatch(
      /storage-collision\s+FAIL\s+as expected\s+storage-layout-incompatible src\/bad\/VaultV2StorageCollision\.sol:\d+/,
    );
  });
});
