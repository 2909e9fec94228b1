import { describe, expect, it } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { applyAcknowledgements, assertKnownIds, parseAllow } from './acknowledge.js';

describe('acknowledgements', () => {
  it('refuses a config acknowledgement of an id no detector has, suggesting the one it meant', async () => {
    const e = await errorOf(() => assertKnownIds([{ id: 'function-removd', reason: 'deliberate' }]));
    expect([e.code, e.exitCode]).toEqual(['unknown-finding-id', 2]);
    expect(e.shortMessage).toBe(
      'the config\'s acknowledge "function-removd" is not a finding id (did you mean `function-removed`?)',
    );
  });

  it('acknowledges a known id from --allow, scoped to a contract', () => {
    const ack = parseAllow('function-removed@VaultV2');
    const finding = {
      id: 'function-removed' as const,
      severity: 'high' as const,
      title: 't',
      message: 'm',
      blocking: true,
      location: { file: 'a.sol', line: 1, contract: 'VaultV2' },
    };
    const [f] = applyAcknowledgements([finding], [ack]);
    expect(f?.acknowledged).toBe(true);
    const [other] = applyAcknowledgements(
      [{ ...finding, location: { ...finding.location, contract: 'X' } }],
      [ack],
    );
    expect(other?.acknowledged).toBeUndefined();
  });
});
