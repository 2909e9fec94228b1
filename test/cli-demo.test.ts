/**
 * `patchgate demo` end to end, as a user runs it: the whole lifecycle on the bundled example and an embedded
 * anvil — exploit, check, simulate, propose, approve, queue, execute, verify, exploit again.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { TEST_STATE_DIR } from './helpers/example.js';

/** The demo's own state dir (it makes its store there), seeded with the run's compiler cache. */
let state: string;
beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), 'pg-demo-state-'));
  cpSync(join(TEST_STATE_DIR, 'cache'), join(state, 'cache'), { recursive: true });
});

describe('patchgate demo', () => {
  it('runs the whole lifecycle: the exploit drains V1, the fix is checked, simulated, approved, queued, executed and verified, and the exploit then fails', () => {
    const r = runCli(['demo', '--format', 'json', '--state-dir', state]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('pass');
    expect(out.digest).toMatch(/^0x[0-9a-f]{64}$/);
    const names = out.stages.map((s: { name: string }) => s.name);
    for (const name of [
      'check',
      'scan',
      'prove',
      'simulate',
      'assess',
      'approve',
      'queue',
      'execute',
      'verify',
      'watch',
    ])
      expect(names).toContain(name);
    for (const s of out.stages)
      expect(s, s.name).toMatchObject({ status: 'passed', durationMs: expect.any(Number) });
    // The bug itself: the scan finding the fix removes, and the fix's property proved (violated by the live V1).
    expect(out.fix.scan.fixed).toEqual([
      expect.objectContaining({
        id: 'scan-reentrancy-cross-function',
        location: expect.objectContaining({ contract: 'VaultV1', function: 'flashLoan' }),
      }),
    ]);
    expect(out.fix.scan.introduced).toEqual([]);
    expect(out.fix.proofs).toEqual([
      { target: 'deposit-no-overmint', contract: 'src/VaultV2.sol:VaultV2', status: 'proved' },
      expect.objectContaining({
        target: 'deposit-no-overmint',
        contract: 'src/VaultV1.sol:VaultV1',
        status: 'violated',
        counterexample: expect.stringContaining('flashLoan('),
      }),
    ]);
    // The fix's assessment: the depositors' $60 000 at risk, a critical theft, the emergency lane recommended.
    expect(out.assess).toMatchObject({
      report: 'assess',
      patch: 'fix-flash-deposit',
      valueAtRisk: { usd: '60000.00' },
      severity: { level: 'critical' },
      priority: 'P1',
      lane: { recommended: 'emergency', conflicts: [] },
      exposure: { standard: { windowSeconds: '259200' }, emergency: { windowSeconds: '7200' } },
    });
    expect(out.exploit.before).toMatchObject({ outcome: 'succeeded' });
    expect(BigInt(out.exploit.before.profit)).toBeGreaterThan(59_000_000_000n);
    expect(out.exploit.after).toMatchObject({ outcome: 'failed', reason: 'ReentrancyGuardReentrantCall()' });
    // The watch stage: the attacker's second try, seen pending and front-run by the guardian's pause.
    expect(out.watch).toMatchObject({ attack: { status: 'reverted' }, valueLost: '0', onSnapshot: true });
    expect(out.watch.pause).toMatchObject({
      sameBlock: true,
      before: true,
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(out.watch.detected.some((d: { pending: boolean }) => d.pending)).toBe(true);
    expect(out.lifecycle.digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out.lifecycle.approvals).toHaveLength(2);
    expect(out.lifecycle.verify.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(out.lifecycle.log).toMatchObject({ ok: true, entries: 9, head: { signed: true, size: 9 } });
    // The audit of the vault explains every change: its deployment, and the upgrade by the logged patch.
    expect(out.lifecycle.log.audit.verdict).toBe('pass');
    expect(out.lifecycle.log.audit.history).toContain('Upgraded authorized');
    expect(out.lifecycle.log.audit.history.filter((h: string) => h.endsWith('unexplained'))).toEqual([]);

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
    expect(
      out.patches.filter((p: { verdict: string }) => p.verdict === 'fail').length,
    ).toBeGreaterThanOrEqual(7);
    for (const p of out.patches) expect(p.asExpected, p.name).toBe(true);
    // Every part of the run is in a stage: opening the store and starting the chain are counted too.
    expect(names.slice(0, 3)).toEqual(['store', 'build', 'deploy']);
    const staged = out.stages.reduce((sum: number, s: { durationMs: number }) => sum + s.durationMs, 0);
    expect(staged).toBeGreaterThanOrEqual(out.durationMs * 0.9);
  });

  it('leaves its store, the log export and the signed head under --state-dir for status and log verify', () => {
    for (const f of ['db', 'log.jsonl', 'head.json', 'demo.json'])
      expect(existsSync(join(state, f)), f).toBe(true);
    const status = runCli(['status', '--state-dir', state, '--format', 'json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject([{ name: 'fix-flash-deposit', state: 'verified' }]);
    const verify = runCli([
      'log',
      'verify',
      '--file',
      join(state, 'log.jsonl'),
      '--head',
      join(state, 'head.json'),
      '--format',
      'json',
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({
      ok: true,
      entries: 9,
      heads: [{ signature: 'valid' }],
    });
  });

  it('refuses a state dir that holds a store it did not make, touching nothing', () => {
    const other = mkdtempSync(join(tmpdir(), 'pg-demo-real-'));
    mkdirSync(join(other, 'db'));
    const r = runCli(['demo', '--state-dir', other]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `patchgate: --state-dir ${other} already holds a store the demo did not make`,
    );
    expect(readdirSync(other)).toEqual(['db']);
  });

  it('prints one line per step for people, with each stage and its duration (a re-run makes its store anew)', () => {
    const r = runCli(['demo', '--state-dir', state]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /exploit\s+flash-deposit against V1: the attacker walks away with 60,020 TestUSD/,
    );
    expect(r.stdout).toMatch(/fix-flash-deposit\s+PASS\s+as expected/);
    expect(r.stdout).toMatch(
      /simulate\s+fix-flash-deposit\s+PASS\s+as expected\s+Safe → timelock → ProxyAdmin on a fork .*; fuzzed \d+ functions \(\d+ calls before and after\)/,
    );
    expect(r.stdout).toMatch(
      /scan\s+fix-flash-deposit fixes scan-reentrancy-cross-function in VaultV1\.flashLoan \(high\); introduces nothing that blocks/,
    );
    expect(r.stdout).toMatch(
      /prove\s+deposit-no-overmint: proved on VaultV2; violated on VaultV1: constructor\(balance = \d+\) → flashLoan/,
    );
    expect(r.stdout).toMatch(
      /storage-collision\s+FAIL\s+as expected\s+storage-layout-incompatible src\/bad\/VaultV2StorageCollision\.sol:\d+/,
    );
    expect(r.stdout).toMatch(/approve\s+owners .* 2 approvals, the lane needs 2/);
    expect(r.stdout).toMatch(/verify\s+on chain = approved/);
    expect(r.stdout).toMatch(
      /log\s+9 entries exported, head signed by 0x[0-9a-fA-F]{8}… .* verified from the files alone/,
    );
    expect(r.stdout).toMatch(
      /flash-deposit against the upgraded vault: fails \(ReentrancyGuardReentrantCall\(\)\)/,
    );
    for (const stage of ['check', 'simulate', 'approve', 'queue', 'execute', 'verify']) {
      expect(r.stdout).toMatch(new RegExp(`passed  ${stage}\\s+\\d+ ms`));
    }
    expect(r.stdout).not.toMatch(/✗|MISMATCH/);
    expect(r.stdout).toContain(`npx patchgate log verify --file ${join(state, 'log.jsonl')}`);
  });
});
