/**
 * Every finding id patchgate reports, defined once. The catalogue (src/analyze/catalog.ts) has exactly one
 * entry per id, docs/findings.md one section per id (src/analyze/catalog.test.ts checks both); `Finding.id`
 * is a `FindingId`, so `makeFinding('acess-control-removed', …)` does not compile.
 */
export const FINDING_IDS = [
  // upgrades-core's error kinds, as `upgrade-unsafe-<kind>` (catalog-upgrades-core.ts: one entry per kind).
  'upgrade-unsafe-state-variable-assignment',
  'upgrade-unsafe-state-variable-immutable',
  'upgrade-unsafe-external-library-linking',
  'upgrade-unsafe-struct-definition',
  'upgrade-unsafe-enum-definition',
  'upgrade-unsafe-constructor',
  'upgrade-unsafe-delegatecall',
  'upgrade-unsafe-selfdestruct',
  'upgrade-unsafe-missing-public-upgradeto',
  'upgrade-unsafe-internal-function-storage',
  'upgrade-unsafe-missing-initializer',
  'upgrade-unsafe-missing-initializer-call',
  'upgrade-unsafe-duplicate-initializer-call',
  'upgrade-unsafe-incorrect-initializer-order',
  // check: patchgate's own detectors.
  'storage-layout-incompatible',
  'access-control-removed',
  'access-control-missing',
  'implementation-initializable',
  'uups-unprotected-upgrade',
  'function-removed',
  'function-changed',
  'function-returns-extended',
  'event-removed',
  'function-added',
  'selector-clash',
  'state-uninitialized',
  'initializer-not-rerunnable',
  'bytecode-selfdestruct',
  'bytecode-delegatecall',
  'bytecode-callcode',
  'namespaces-unchecked',
  'namespace-conflict',
  'layout-clash',
  'namespace-slot-mismatch',
  'namespace-slot-unverified',
  'no-initializer',
  'not-upgradeable',
  // scan: vulnerabilities in one version, judged fixed / introduced / unchanged on a patch (src/analyze/scan/).
  // group: calls and reentrancy
  'scan-reentrancy',
  'scan-reentrancy-cross-function',
  'scan-unchecked-call',
  // group: access and authorization
  'scan-tx-origin',
  'scan-unprotected-function',
  // group: prices, tokens and arithmetic
  'scan-unchecked-erc20',
  'scan-spot-price',
  'scan-erc4626-inflation',
  'scan-divide-before-multiply',
  'scan-unsafe-downcast',
  'scan-missing-slippage',
  'scan-missing-deadline',
  // group: signatures, loops and randomness
  'scan-signature-no-nonce',
  'scan-signature-no-chain-id',
  'scan-ecrecover-zero',
  'scan-signature-malleable',
  'scan-unbounded-loop',
  'scan-timestamp-randomness',
  // group: read-only reentrancy, arbitrary calls, msg.value in loops
  'scan-reentrancy-read-only',
  'scan-arbitrary-call',
  'scan-arbitrary-delegatecall',
  'scan-msg-value-loop',
  // prove: SMTChecker (CHC) on the candidate's assertions and the fix's property (src/prove/).
  'prove-violated',
  'prove-unknown',
  // simulate.
  'simulation-reverted',
  'upgrade-not-applied',
  'invariant-broken',
  'replay-difference',
  'storage-unexpected-change',
  'poc-not-reproduced',
  'poc-still-exploitable',
  // simulate: differential fuzzing (src/simulate/fuzz/).
  'behaviour-changed',
  'behaviour-changed-expected',
  'fuzz-incomplete',
  // verify.
  'verify-implementation-mismatch',
  'verify-bytecode-mismatch',
  'verify-implementation-initializable',
  'verify-calldata-mismatch',
  // audit.
  'audit-unexplained-upgrade',
  'audit-unexplained-admin-change',
  'audit-silent-upgrade',
  'audit-codehash-mismatch',
  'audit-executed-not-on-chain',
  'audit-gate-mismatch',
  'audit-log-unverified',
  'audit-log-no-head',
  'audit-log-unsigned-tail',
  'audit-log-signer-unpinned',
  'audit-no-log',
  // watch: governance tampering (watch/rules/governance.ts).
  'watch-role-changed',
  'watch-owner-changed',
  'watch-safe-changed',
  'watch-timelock-delay-changed',
  'watch-unproposed-operation',

  // watch: state — invariants, outflows, pending transactions (watch/rules/invariants.ts, outflows.ts, pending.ts).
  'watch-invariant-broken',
  'watch-outflow-over-cap',
  'watch-outflow-abnormal',
  // watch: match rules — a team's events and function calls (watch/rules/match.ts, OpenZeppelin Monitor's imported).
  'watch-match',

  // watch: a team's own rules (watch.custom modules) raise this id.
  'watch-custom',
  'watch-rule-failed',
  // watch: the watcher's own responses (watch/respond/).
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

/** A string from outside (the config's acknowledge, `--allow`) that names a finding. */
export function isFindingId(value: string): value is FindingId {
  return (FINDING_IDS as readonly string[]).includes(value);
}
