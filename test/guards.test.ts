/**
 * Issue 10, outside attack review: an access guard must actually restrict who can call. Every V2 of
 * test/fixtures/guards drops BaseV1's `onlyOwner` for a check that mentions the caller but lets anyone
 * through (or keeps onlyOwner and breaks owner()/_msgSender()); each must be blocked as
 * `access-control-removed`. An early return is a real guard; a setter nobody can call is no setter.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckReport, runCheck } from '../src/analyze/run-check.js';
import { loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { blocksGate } from '../src/report/common.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const DIR = fileURLToPath(new URL('./fixtures/guards/', import.meta.url));
let project: Project;

const check = (candidate: string): Promise<CheckReport> =>
  runCheck({
    projectDir: DIR,
    stateDir: TEST_STATE_DIR,
    project,
    reference: 'BaseV1',
    candidate,
    cache: false,
  });
const blocking = (r: CheckReport) =>
  r.findings.filter(blocksGate).map((f) => `${f.id}@${f.location?.function}`);

beforeAll(async () => {
  project = await loadProject({ dir: DIR, stateDir: TEST_STATE_DIR });
});

describe('a check that mentions the caller but lets anyone through is no guard', () => {
  const attacks: Array<[string, string]> = [
    ['SelfEqualV2', 'require(msg.sender == msg.sender)'],
    ['OrTautologyV2', 'a modifier: msg.sender == keeper || msg.sender == msg.sender'],
    ['NotOwnerV2', 'require(msg.sender != owner()): everyone but the owner'],
    ['NonZeroV2', 'require(msg.sender != address(0))'],
    ['EoaOnlyV2', 'require(tx.origin == msg.sender): an EOA check'],
    ['OrderedV2', 'require(uint160(msg.sender) > 1)'],
    ['CallerChosenV2', 'msg.sender == address(uint160(v >> 96)) with v a parameter'],
    ['HelperSelfV2', '_check(msg.sender, msg.sender) with require(a == b)'],
    ['OrAlwaysV2', 'msg.sender == owner() || v > 0 || v == 0'],
    ['PredicateChosenV2', 'a predicate helper comparing the caller with a value derived from a parameter'],
    ['MemberIndexChosenV2', 'if (index[msg.sender] == v) revert, with v a parameter'],
  ];
  for (const [candidate, what] of attacks) {
    it(`blocks ${candidate}: ${what}`, async () => {
      const report = await check(candidate);
      expect(report.verdict).toBe('fail');
      expect(blocking(report)).toEqual(['access-control-removed@setValue']);
      expect(report.findings.find((f) => f.id === 'access-control-removed')?.message).toMatch(
        /lost its access guard \(onlyOwner in BaseV1\)/,
      );
    });
  }

  it('blocks onlyOwner when owner() is overridden to return the caller, on every onlyOwner function', async () => {
    const report = await check('OwnerIsCallerV2');
    expect(report.verdict).toBe('fail');
    expect(blocking(report).sort()).toEqual(
      [
        'access-control-removed@renounceOwnership',
        'access-control-removed@setValue',
        'access-control-removed@transferOwnership',
      ].sort(),
    );
  });

  it('blocks onlyOwner when _msgSender() is overridden to return the owner (owner() == owner())', async () => {
    const report = await check('SenderIsOwnerV2');
    expect(report.verdict).toBe('fail');
    expect(blocking(report)).toContain('access-control-removed@setValue');
    expect(blocking(report)).toContain('access-control-removed@transferOwnership');
  });
});

describe('real guards stay guards', () => {
  it('takes an early return on the caller as a guard for what follows it', async () => {
    const report = await check('EarlyReturnV2');
    expect(report.findings.map((f) => f.id)).not.toContain('access-control-removed');
    expect(report.findings.map((f) => f.id)).not.toContain('access-control-missing');
    expect(report.verdict).toBe('pass');
  });

  it('takes a single-return predicate helper required by a modifier as a guard', async () => {
    const report = await check('PredicateV2');
    expect(report.findings.map((f) => f.id)).not.toContain('access-control-removed');
    expect(report.verdict).toBe('pass');
  });

  it("keeps onlyOwner a guard with OpenZeppelin's ERC-2771 _msgSender chosen by an override", async () => {
    const report = await check('MetaTxV2');
    expect(report.findings.map((f) => f.id)).not.toContain('access-control-removed');
    expect(report.verdict).toBe('pass');
  });

  it('takes a caller-keyed membership index that must be set (Parity onlyowner) as a guard', async () => {
    const report = await check('MemberIndexV2');
    expect(report.findings.map((f) => f.id)).not.toContain('access-control-removed');
    expect(report.verdict).toBe('pass');
  });

  it('takes a negated disjunction of a caller-keyed lookup and an owner check as a guard', async () => {
    const report = await check('StillGuardedV2');
    expect(report.findings.map((f) => f.id)).not.toContain('access-control-removed');
    expect(report.verdict).toBe('pass');
  });
});

describe('state-uninitialized and a setter nobody can call', () => {
  it('keeps new state blocking when its only setter requires msg.sender == address(0)', async () => {
    const report = await check('ZeroSetterV2');
    const finding = report.findings.find((f) => f.id === 'state-uninitialized');
    expect(finding).toMatchObject({
      severity: 'high',
      blocking: true,
      location: { contract: 'ZeroSetterV2' },
    });
    expect(finding?.message).toMatch(/minWeight .*nothing the live proxy can run sets it/);
    // The weight check in vote is a guard (a storage lookup keyed by the caller), so vote is not "missing".
    expect(report.findings.map((f) => f.id)).not.toContain('access-control-missing');
    expect(report.verdict).toBe('fail');
  });

  it('reports the same state as info when the owner can set it', async () => {
    const report = await check('OwnerSetterV2');
    const finding = report.findings.find((f) => f.id === 'state-uninitialized');
    expect(finding).toMatchObject({ severity: 'info', blocking: false });
    expect(finding?.message).toMatch(/set only by setMinWeight \(onlyOwner\)/);
    expect(report.verdict).toBe('pass');
  });
});
