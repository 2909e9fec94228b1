import { decodeFunctionData, type Hex, keccak256, toHex } from 'viem';
import { describe, expect, it } from 'vitest';
import type { PolicyConfig } from '../config/schema.js';
import { errorOf } from '../core/errors.fixture.js';
import { PATCHGATE_ABI } from '../govern/patchgate-abi.js';
import { timelockCall, upgradeCall } from '../govern/plan.js';
import { policyCommitment } from '../govern/policy.js';
import { SAMPLE_PLAN, SAMPLE_RECORD } from '../govern/sample-record.fixture.js';
import { gatePolicyHash } from './gate-policy.js';

const gate = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';
const open: PolicyConfig = {
  approvalTtl: 86_400,
  proposalTtl: 1_209_600,
  lanes: { standard: {}, emergency: {} },
};
const closed: PolicyConfig = { ...open, lanes: { standard: {}, emergency: { severities: [] } } };
const vault = (policy: PolicyConfig) =>
  ({ name: 'vault', gate, gatePolicy: policyCommitment(policy) }) as const;

describe('the policy of the PatchGate in the upgrade path', () => {
  it('plans under the gate hash when it is the config policy and opens the lane; no gate, no hash', () => {
    expect(gatePolicyHash(open, vault(open), 'emergency')).toBe(policyCommitment(open).hash);
    expect(gatePolicyHash(closed, vault(closed), 'standard')).toBe(policyCommitment(closed).hash);
    expect(gatePolicyHash(open, { name: 'vault' }, 'emergency')).toBeUndefined();
  });

  it('refuses a gate deployed with another policy, naming both hashes (exit 2)', async () => {
    const e = await errorOf(async () => gatePolicyHash(open, vault(closed), 'standard'));
    expect([e.code, e.exitCode]).toEqual(['gate-policy-mismatch', 2]);
    expect(e.shortMessage).toBe(
      `PatchGate ${gate} (in the upgrade path of live.vault) was deployed with policy ${policyCommitment(closed).hash}, but the config's policy is ${policyCommitment(open).hash}`,
    );
    expect(e.hint).toMatch(/^redeploy the gate .* or restore the policy it was deployed with$/);
    const old = await errorOf(async () => gatePolicyHash(open, { name: 'vault', gate }, 'standard'));
    expect([old.code, old.shortMessage]).toEqual([
      'gate-policy-mismatch',
      expect.stringContaining('holds no policy hash'),
    ]);
  });

  it('refuses the emergency lane through a gate whose policy closes it (exit 2)', async () => {
    const e = await errorOf(async () => gatePolicyHash(closed, vault(closed), 'emergency'));
    expect([e.code, e.exitCode]).toEqual(['gate-lane-closed', 2]);
    expect(e.shortMessage).toBe(
      `PatchGate ${gate} (in the upgrade path of live.vault) keeps the emergency lane closed: its policy opens only standard`,
    );
  });
});

describe('the gated call the timelock makes', () => {
  const u = {
    kind: 'uups',
    proxy: SAMPLE_RECORD.proxy,
    implementation: SAMPLE_RECORD.implementation,
    init: '0x',
  } as const;
  const record = {
    ...SAMPLE_RECORD,
    target: SAMPLE_RECORD.proxy,
    calldata: upgradeCall(u).data,
    lane: 'emergency',
  } as const;
  const policyHash = keccak256(toHex('policy'));

  it('carries the record lane as its number and the plan policy hash', () => {
    const call = timelockCall(record, { gate, salt: SAMPLE_PLAN.salt, policyHash });
    expect(call.target).toBe(gate);
    const decoded = decodeFunctionData({ abi: PATCHGATE_ABI, data: call.data });
    expect(decoded.functionName).toBe('upgradeUups');
    expect(decoded.args?.slice(-3)).toEqual([SAMPLE_PLAN.salt, 1, policyHash]);
  });

  it('refuses a gated plan without a policy hash (proposed before the check), exit 2', async () => {
    const e = await errorOf(async () => timelockCall(record, { gate, salt: SAMPLE_PLAN.salt }));
    expect([e.code, e.exitCode]).toEqual(['gate-policy-missing', 2]);
    expect(e.hint).toContain('patchgate propose --again');
    const plain = timelockCall(record, { salt: SAMPLE_PLAN.salt });
    expect(plain).toEqual({ target: record.target, data: record.calldata as Hex });
  });
});
