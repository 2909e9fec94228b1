/**
 * check's prove stage on the example, with real SMTChecker runs: the fix's property proved on VaultV2 and violated
 * on VaultV1 (the violation reported as fixed by the patch), a candidate that drops the lock refused by it, an
 * undecided target blocking until acknowledged by contract, solver runs cached by content, timings outside the
 * digest. Needs dist/prove/worker.js (npm run build).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunCheckParameters, runCheck } from '../src/analyze/run-check.js';
import type { Project } from '../src/build/types.js';
import { EXAMPLE_DIR, loadExample } from './helpers/example.js';

const V1 = 'src/VaultV1.sol:VaultV1';
const V2 = 'src/VaultV2.sol:VaultV2';
let project: Project;
let stateDir: string;

beforeAll(async () => {
  project = await loadExample();
  stateDir = mkdtempSync(join(tmpdir(), 'pg-check-prove-'));
}, 240_000);
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const check = (p: Partial<RunCheckParameters> = {}) =>
  runCheck({
    projectDir: EXAMPLE_DIR,
    stateDir,
    project,
    reference: V1,
    candidate: V2,
    kind: 'transparent',
    prove: { timeoutMs: 120_000 },
    ...p,
  });

describe('check: the prove stage', () => {
  it("proves the fix's property on the candidate and reports the live version's violation as fixed by the patch", async () => {
    const r = await check({ cache: false });
    expect(r.verdict).toBe('pass');
    expect(r.stages.map((s) => s.name)).toEqual(['build', 'check', 'prove']);
    expect(r.stages[2]).toMatchObject({ name: 'prove', status: 'passed' });
    expect(r.proofs).toEqual([
      expect.objectContaining({ target: 'deposit-no-overmint', contract: V2, status: 'proved' }),
      expect.objectContaining({
        target: 'deposit-no-overmint',
        contract: V1,
        status: 'violated',
        counterexample: expect.stringMatching(/flashLoan\(amount = \d+\) → deposit\(assets = \d+\)/),
      }),
    ]);
    const fixed = r.findings.filter((f) => f.id === 'prove-violated');
    expect(fixed).toEqual([
      expect.objectContaining({
        status: 'fixed',
        blocking: false,
        location: expect.objectContaining({ file: 'src/VaultV1.sol', contract: 'VaultV1' }),
      }),
    ]);
  }, 240_000);

  it('refuses a candidate that drops the lock: the violation is introduced and blocks', async () => {
    const r = await check({ reference: V2, candidate: V1, cache: false });
    expect(r.verdict).toBe('fail');
    expect(r.stages.find((s) => s.name === 'prove')?.status).toBe('failed');
    const violated = r.findings.find((f) => f.id === 'prove-violated');
    expect(violated).toMatchObject({ status: 'introduced', blocking: true, severity: 'critical' });
    expect(violated?.location).toMatchObject({ file: 'src/VaultV1.sol', contract: 'VaultV1' });
  }, 240_000);

  it('caches solver runs by content: a second analysis solves nothing and gives the same digest', async () => {
    const smt = join(stateDir, 'cache', 'smt');
    const entries = readdirSync(smt).length;
    expect(entries).toBeGreaterThanOrEqual(2);
    const first = await check({ cache: false });
    const again = await check({ cache: false });
    expect(readdirSync(smt).length).toBe(entries);
    expect(again.digest).toBe(first.digest);
    expect(again.proofs?.map((p) => p.status)).toEqual(['proved', 'violated']);
    // The analysis cache holds the proofs too: a check read from it reports them, with no time spent proving.
    await check();
    const cached = await check();
    expect(cached.digest).toBe(first.digest);
    expect(cached.stages.find((s) => s.name === 'prove')).toMatchObject({ status: 'passed', durationMs: 0 });
  }, 240_000);

  it('blocks on a target it could not decide (timeout) until it is acknowledged by contract, and never caches it', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'pg-check-prove-timeout-'));
    try {
      const r = await check({ stateDir: fresh, prove: { timeoutMs: 1 } });
      expect(r.verdict).toBe('fail');
      const unknown = r.findings.filter((f) => f.id === 'prove-unknown');
      expect(unknown).toEqual([
        expect.objectContaining({
          blocking: true,
          status: 'introduced',
          message: expect.stringContaining('timeout after'),
          location: expect.objectContaining({ file: 'src/VaultV2.sol', contract: 'VaultV2' }),
        }),
      ]);
      expect(existsSync(join(fresh, 'cache', 'smt'))).toBe(false);
      expect(existsSync(join(fresh, 'cache', 'check'))).toBe(false);
      const acked = await check({
        stateDir: fresh,
        prove: { timeoutMs: 1 },
        acknowledge: [{ id: 'prove-unknown', contract: 'VaultV2', reason: 'proved by hand in audit §3' }],
      });
      expect(acked.verdict).toBe('pass');
      expect(acked.findings.find((f) => f.id === 'prove-unknown')?.acknowledged).toBe(true);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 240_000);

  it('reports the stage as skipped when the team turned it off (never as passed, never left out)', async () => {
    const r = await check({ prove: false });
    expect(r.stages.map((s) => [s.name, s.status])).toEqual([
      ['build', 'passed'],
      ['check', 'passed'],
      ['prove', 'skipped'],
    ]);
    expect(r.proofs).toBeUndefined();
    expect(r.findings.some((f) => f.id.startsWith('prove-'))).toBe(false);
  });
});
