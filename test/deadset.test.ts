/**
 * Setters that can never take effect, renamed state and `initializer` in a V2 (issue 10, outside attack
 * review; test/fixtures/deadset, real solc-js compile on OpenZeppelin upgradeable contracts).
 * `state-uninitialized` counts a write only when it is live: reached from the function's entry and followed
 * by some path to a normal exit.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckReport, runCheck } from '../src/analyze/run-check.js';
import { loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import type { Finding } from '../src/core/finding.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const DIR = fileURLToPath(new URL('./fixtures/deadset/', import.meta.url));
let project: Project;
const reports = new Map<string, CheckReport>();

const PAIRS = [
  ['BaseV1', 'ReturnFirstV2'],
  ['BaseV1', 'IfFalseV2'],
  ['BaseV1', 'RevertAfterV2'],
  ['BaseV1', 'HelperDoomedV2'],
  ['BaseV1', 'ConstantsV2'],
  ['BaseV1', 'DoomedByModifierV2'],
  ['BaseV1', 'LiveSetterV2'],
  ['BaseV1', 'DeadReinitializerV2'],
  ['KeeperV1', 'KeeperV2'],
  ['TreasuryV1', 'TreasuryInitV2'],
  ['TreasuryV1', 'TreasuryReinitV2'],
  ['PlainCounterV1', 'PlainCounterV2'],
] as const;

const report = (candidate: string) => reports.get(candidate) as CheckReport;
const named = (r: CheckReport, id: string): Finding[] => r.findings.filter((f) => f.id === id);
const blockingIds = (r: CheckReport) =>
  [...new Set(r.findings.filter((f) => f.blocking).map((f) => f.id))].sort();

beforeAll(async () => {
  project = await loadProject({ dir: DIR, stateDir: TEST_STATE_DIR });
  for (const [reference, candidate] of PAIRS) {
    reports.set(
      candidate,
      await runCheck({
        projectDir: DIR,
        stateDir: TEST_STATE_DIR,
        project,
        reference,
        candidate,
        cache: false,
      }),
    );
  }
});

describe('state-uninitialized: a write that can never take effect sets nothing', () => {
  it.each([
    ['ReturnFirstV2', 'a write after an unconditional return (13)'],
    ['IfFalseV2', 'a write under if (false) (14)'],
    ['RevertAfterV2', 'a write followed by revert("never") (15)'],
    ['HelperDoomedV2', 'a helper write whose caller reverts right after the call'],
    [
      'ConstantsV2',
      'a false constant, require(false) or if (true) return before, a reverting helper or assert(false) after',
    ],
    ['DoomedByModifierV2', 'a modifier reverting after _ or before it, assembly reverting after its sstore'],
  ])('blocks %s: %s', (candidate) => {
    const r = report(candidate);
    expect(r.verdict).toBe('fail');
    expect(blockingIds(r)).toEqual(['state-uninitialized']);
    const [f] = named(r, 'state-uninitialized');
    expect(f).toMatchObject({ key: 'minWeight', severity: 'high', blocking: true, status: 'introduced' });
    expect(f?.message).toMatch(
      /MinWeightBase\.minWeight is new state read by (setB and )?act, but nothing the live proxy can run sets it/,
    );
  });

  it('judges the upgrade reinitializer the same way: a dead write there sets nothing', () => {
    const r = report('DeadReinitializerV2');
    expect(r.verdict).toBe('fail');
    const [f] = named(r, 'state-uninitialized');
    expect(f).toMatchObject({ key: 'minWeight', severity: 'high', blocking: true });
    expect(f?.message).toMatch(
      /but no reinitializer run by the upgrade \(initializeV2@2\) and no other function/,
    );
  });

  it('still counts writes that do persist: after a checked input or an early return, before a return, in loops (break, continue, do-while), try, unchecked, under a modifier that may exit normally', () => {
    const r = report('LiveSetterV2');
    expect(r.verdict).toBe('pass');
    const [f] = named(r, 'state-uninitialized');
    expect(f).toMatchObject({ key: 'minWeight', severity: 'info', blocking: false });
    expect(f?.message).toMatch(
      /set only by setA \(onlyOwner\), setB \(onlyOwner\), setC \(onlyOwner\) and 6 more/,
    );
  });
});

describe('state-uninitialized: a renamed variable is the live slot, not new state', () => {
  it('reports nothing for `operator` renamed from `keeper` and read in the caller check (18)', () => {
    const r = report('KeeperV2');
    expect(named(r, 'state-uninitialized')).toEqual([]);
    expect(named(r, 'storage-layout-incompatible')).toEqual([]);
    expect(r.findings.map((f) => f.message).join('\n')).not.toMatch(/is new state/);
    expect(r.verdict).toBe('pass');
  });
});

describe('initializer-not-rerunnable', () => {
  it('reports a new initializeV2 guarded by `initializer` on a live proxy that was initialized (17), medium and not blocking', () => {
    const r = report('TreasuryInitV2');
    const found = named(r, 'initializer-not-rerunnable');
    expect(found).toEqual([
      expect.objectContaining({ severity: 'medium', blocking: false, status: 'introduced' }),
    ]);
    expect(found[0]?.location).toMatchObject({ contract: 'TreasuryInitV2', function: 'initializeV2' });
    expect(found[0]?.message).toMatch(
      /TreasuryInitV2\.initializeV2 uses `initializer`, which never runs again on a live proxy: use reinitializer\(N\) with N above the live version \(1, so reinitializer\(2\) at least\)/,
    );
    // The treasury it meant to set is read by sweep and set by nothing that can run: that blocks.
    expect(blockingIds(r)).toEqual(['state-uninitialized']);
    expect(named(r, 'state-uninitialized')[0]?.key).toBe('treasury');
  });

  it('says nothing of a V2 that keeps `initialize` and sets new state in reinitializer(2)', () => {
    const r = report('TreasuryReinitV2');
    expect(named(r, 'initializer-not-rerunnable')).toEqual([]);
    expect(named(r, 'state-uninitialized')).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  it('says nothing when the live version had no initializer (the first one does run)', () => {
    expect(named(report('PlainCounterV2'), 'initializer-not-rerunnable')).toEqual([]);
  });
});
