import { describe, expect, it } from 'vitest';
import { localAccount } from '../chain/clients.js';
import type { PolicyConfig } from '../config/schema.js';
import type { PatchgateError } from '../core/errors.js';
import { lanePolicy } from './policy.js';

const owners = [1, 2, 3].map((i) => localAccount(i).address);
const chain = { safeOwners: owners, safeThreshold: 2, minDelay: 3600n };
const base: PolicyConfig = {
  approvalTtl: 86_400,
  proposalTtl: 1_209_600,
  lanes: { standard: {}, emergency: {} },
};

function refusal(f: () => unknown): PatchgateError {
  try {
    f();
  } catch (e) {
    return e as PatchgateError;
  }
  throw new Error('expected an error');
}

describe('lane policy', () => {
  it('defaults to the Safe: its owners approve, its threshold for standard, one more for emergency', () => {
    expect(lanePolicy(base, 'standard', chain)).toEqual({
      lane: 'standard',
      approvers: owners,
      threshold: 2,
      delay: 3600n,
    });
    expect(lanePolicy(base, 'emergency', chain)).toMatchObject({ threshold: 3, delay: 3600n });
  });

  it('takes thresholds, delays and approvers from the config', () => {
    const policy: PolicyConfig = {
      ...base,
      approvers: [owners[0] as string, owners[1] as string],
      lanes: { standard: { threshold: 1, delay: 172_800 }, emergency: { threshold: 2, delay: 3600 } },
    };
    expect(lanePolicy(policy, 'standard', chain)).toMatchObject({
      approvers: owners.slice(0, 2),
      threshold: 1,
      delay: 172_800n,
    });
    expect(lanePolicy(policy, 'emergency', chain)).toMatchObject({ threshold: 2, delay: 3600n });
  });

  it('refuses a delay below the timelock minimum, a threshold above the approvers, and unordered lanes', () => {
    const short = { ...base, lanes: { standard: { delay: 60 }, emergency: {} } };
    expect(refusal(() => lanePolicy(short, 'standard', chain)).shortMessage).toMatch(
      /policy\.lanes\.standard\.delay is 60 s, below the timelock's minimum delay of 3600 s/,
    );
    const tooMany = { ...base, lanes: { standard: {}, emergency: { threshold: 4 } } };
    expect(refusal(() => lanePolicy(tooMany, 'emergency', chain)).code).toBe('policy-invalid');
    const weaker = { ...base, lanes: { standard: { threshold: 3 }, emergency: { threshold: 2 } } };
    expect(refusal(() => lanePolicy(weaker, 'standard', chain)).shortMessage).toContain('emergency lane');
  });
});
