/**
 * Catalogue entries of the prove stage (src/prove/): SMTChecker's CHC engine on the candidate's assertions and
 * the fix's property. A proof is not a finding (the report lists proofs); a violation and an undecided target are.
 */
import type { CatalogEntry } from './catalog-entry.js';

export const PROVE_ENTRIES: CatalogEntry[] = [
  {
    id: 'prove-violated',
    title: 'Assertion violated: the model checker found a counterexample',
    severity: 'critical',
    blocking: true,
    summary:
      "SMTChecker's CHC engine found a sequence of calls, with values, after which an assert of the candidate (or of the fix's property harness) fails. The counterexample is a concrete path, not a warning about a pattern.",
    fix: 'Replay the call sequence in a test, fix the code so the assertion holds, and prove again.',
    example:
      'deposit-no-overmint: the assertion at patchgate/prove/DepositHarness.sol:31 fails after\n  constructor(balance = 1) → flashLoan(amount = 1) → deposit(assets = 0)',
  },
  {
    id: 'prove-unknown',
    title: 'Property not decided by the model checker',
    severity: 'medium',
    blocking: true,
    summary:
      'The checker neither proved nor refuted the target: it ran out of its wall-clock limit, the solver gave up (nonlinear arithmetic, unbounded loops), or a violation was found where it abstracts a construct it does not support (inline assembly), so the counterexample may be spurious. What was not checked does not pass: it blocks until the team acknowledges it with a reason.',
    fix: "Raise the limit (prove --timeout; in check, the config's prove.timeout), simplify the property (split nonlinear arithmetic, bound loops), or acknowledge the id in patchgate.config.json with the reason the property holds anyway.",
    example: 'VaultV2 (own assertions): not decided — timeout after 60 s',
  },
];
