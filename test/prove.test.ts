/**
 * proveTargets on real SMTChecker runs (solc-js's z3 in worker threads): the fix's property harness proved for a
 * vault whose deposit and flashLoan share the reentrancy lock and violated, with the calls and values, for one
 * whose do not; an abstracted construct behind a violation is unknown naming it; a tiny wall-clock limit is
 * unknown (timeout). Needs dist/prove/worker.js (npm run build).
 */
import { describe, expect, it } from 'vitest';
import { renderTrace } from '../src/prove/counterexample.js';
import { depositHarness, HARNESS_CONTRACT, HARNESS_FILE, HARNESS_PARAMS } from '../src/prove/harness.js';
import { type ProveTarget, proveTargets } from '../src/prove/prove.js';

const harness = (locked: boolean): ProveTarget => ({
  name: locked ? 'locked vault' : 'open vault',
  sources: {
    [HARNESS_FILE]: {
      content: depositHarness({
        depositIn: 'V',
        flashLoanIn: 'V',
        depositLocked: locked,
        flashLoanLocked: locked,
      }),
    },
  },
  contracts: { [HARNESS_FILE]: [HARNESS_CONTRACT] },
  params: HARNESS_PARAMS,
});

const ASSEMBLY = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Doubler {
    function twice(uint256 v) external pure returns (uint256 y) {
        assembly { y := mul(v, 2) }
        assert(y == v * 2);
    }
}
`;
const assembly: ProveTarget = {
  name: 'assembly',
  sources: { 'Doubler.sol': { content: ASSEMBLY } },
  contracts: { 'Doubler.sol': ['Doubler'] },
};

describe('proveTargets', () => {
  it('proves the locked vault, refutes the open one with its call sequence, and names an abstraction — in parallel, in order', async () => {
    const [locked, open, asm] = await proveTargets({
      targets: [harness(true), harness(false), assembly],
      timeoutMs: 180_000,
      concurrency: 2,
    });
    expect(locked).toMatchObject({ name: 'locked vault', status: 'proved' });
    expect(locked?.assertions.map((a) => a.status)).toEqual(['proved', 'proved']);

    expect(open).toMatchObject({ name: 'open vault', status: 'violated' });
    const violated = open?.assertions.find((a) => a.status === 'violated');
    if (violated?.status !== 'violated') throw new Error('no violation');
    expect(violated.at).toEqual({ file: HARNESS_FILE, line: expect.any(Number) });
    const calls = violated.trace.map((s) => s.call.replace(/\(.*$/, ''));
    expect(calls).toContain(`${HARNESS_CONTRACT}.flashLoan`);
    expect(calls.at(-1)).toBe(`${HARNESS_CONTRACT}.deposit`);
    // Values by name: the loan is out (lent > 0) when deposit runs.
    expect(Number(violated.values.lent)).toBeGreaterThan(0);
    expect(renderTrace(violated.trace, HARNESS_PARAMS)).toMatch(
      /flashLoan\(amount = [1-9]\d*\).* → deposit\(assets = \d+\)$/,
    );

    // The violation sits behind inline assembly, which the checker abstracts: unknown, naming it.
    expect(asm).toMatchObject({ status: 'unknown' });
    expect(asm?.reason).toContain('inline assembly');
  }, 400_000);

  it('ends a target at its wall-clock limit: unknown, timeout', async () => {
    const [r] = await proveTargets({ targets: [harness(true)], timeoutMs: 50 });
    expect(r).toMatchObject({ status: 'unknown', reason: 'timeout after 0.1 s', assertions: [] });
    expect(r?.durationMs).toBeLessThan(5_000);
  });
});
