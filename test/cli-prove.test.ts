/**
 * `patchgate prove` end to end (the compiled CLI, from the bundle) on examples/vault: the fix's property is
 * violated on VaultV1 with its call sequence (exit 1), an undecided target blocks unless acknowledged, bad input
 * is exit 2 with one line.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, TEST_STATE_DIR } from './helpers/example.js';

const prove = (...args: string[]) =>
  runCli(['prove', '--project', EXAMPLE_DIR, '--state-dir', TEST_STATE_DIR, ...args]);

interface ProveJson {
  verdict: string;
  report: string;
  contract: string;
  proofs: { target: string; status: string; reason?: string; counterexample?: string }[];
  findings: { id: string; blocking: boolean; acknowledged?: boolean; message: string }[];
}

describe('patchgate prove', () => {
  it('refutes the fix property on VaultV1 with the calls and values: exit 1', () => {
    const r = prove('VaultV1', '--format', 'json');
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as ProveJson;
    expect(doc).toMatchObject({ verdict: 'fail', report: 'prove', contract: 'src/VaultV1.sol:VaultV1' });
    expect(doc.proofs).toEqual([
      {
        target: 'deposit-no-overmint',
        status: 'violated',
        counterexample: expect.stringMatching(/flashLoan\(amount = [1-9]\d*\) → deposit\(assets = \d+\)$/),
        durationMs: expect.any(Number),
      },
    ]);
    expect(doc.findings.map((f) => [f.id, f.blocking])).toEqual([['prove-violated', true]]);
  }, 300_000);

  it('a timeout is unknown and blocks (exit 1) until acknowledged (exit 0)', () => {
    // A state dir with the compiler's cache but no solver answers: the solver has to run, and is stopped.
    const state = mkdtempSync(join(tmpdir(), 'pg-prove-timeout-'));
    cpSync(join(TEST_STATE_DIR, 'cache', 'solc'), join(state, 'cache', 'solc'), { recursive: true });
    const unsolved = (...args: string[]) =>
      runCli(['prove', '--project', EXAMPLE_DIR, '--state-dir', state, ...args]);
    const r = unsolved('VaultV2', '--timeout', '0.05', '--format', 'json');
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as ProveJson;
    expect(doc.proofs).toMatchObject([{ status: 'unknown', reason: 'timeout after 0.1 s' }]);
    expect(doc.findings.map((f) => f.id)).toEqual(['prove-unknown']);
    const ok = unsolved('VaultV2', '--timeout', '0.05', '--allow', 'prove-unknown', '--format', 'json');
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as ProveJson).findings[0]?.acknowledged).toBe(true);
    expect(existsSync(join(state, 'cache', 'smt'))).toBe(false); // a timeout is never cached
    // An answer the solver already gave (global-setup solved VaultV2's property into the shared cache) is read back,
    // whatever the limit.
    const known = prove('VaultV2', '--timeout', '0.05', '--format', 'json');
    expect(known.code, known.stderr).toBe(0);
    expect((JSON.parse(known.stdout) as ProveJson).proofs).toMatchObject([{ status: 'proved' }]);
    rmSync(state, { recursive: true, force: true });
  }, 300_000);

  it('bad input is exit 2 with one line naming the value', () => {
    const bad = prove('VaultV2', '--timeout', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(
      /^patchgate: --timeout "soon" is not a number of seconds from 0 to 3600/,
    );
    // Past Node's timer range a limit would fire at once and report a timeout that never happened.
    const huge = prove('VaultV2', '--timeout', '1e9');
    expect(huge.code).toBe(2);
    expect(huge.stderr.trim()).toMatch(
      /^patchgate: --timeout "1e9" is not a number of seconds from 0 to 3600/,
    );
    const missing = prove('NoSuchVault');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('NoSuchVault');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 300_000);
});
