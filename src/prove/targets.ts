/**
 * What there is to prove of one contract: its own `assert`s, and the fix's property (harness.ts) when the contract
 * is a flash-lending ERC-4626 vault. Shared by `patchgate prove` and check's prove stage.
 */
import type { ContractHandle } from '../build/types.js';
import { renderTrace } from './counterexample.js';
import {
  contractDefinitions,
  depositHarness,
  HARNESS_CONTRACT,
  HARNESS_FILE,
  HARNESS_PARAMS,
  vaultFacts,
} from './harness.js';
import type { ProveTarget, TargetResult } from './prove.js';

/** The fix's property's target name (docs/prove.md). */
const FIX_PROPERTY = 'deposit-no-overmint';

/** One target's outcome as reports show it. */
export interface ProofEntry {
  target: string;
  /** The contract it was proved of (`src/VaultV2.sol:VaultV2`); check proves the reference's property too. */
  contract?: string;
  status: TargetResult['status'];
  reason?: string;
  /** For a violation: the call sequence with values, one line. */
  counterexample?: string;
  durationMs: number;
}

/** Whether the contract or one of its bases calls `assert` (nothing to prove otherwise). */
function hasAssertions(handle: ContractHandle): boolean {
  const { byId, self } = contractDefinitions(handle);
  return (self?.linearizedBaseContracts ?? []).some((id) =>
    JSON.stringify(byId.get(id) ?? {}).includes('"name":"assert"'),
  );
}

export interface TargetChoice {
  /** The contract's own assertions (default true). */
  assertions?: boolean;
  /** The fix's property, where it applies. */
  fixProperty?: boolean;
}

export function proveTargetsFor(handle: ContractHandle, choice: TargetChoice): ProveTarget[] {
  const targets: ProveTarget[] = [];
  if (choice.assertions !== false && hasAssertions(handle)) {
    targets.push({
      name: `${handle.name} (own assertions)`,
      sources: handle.unit.input.sources,
      contracts: { [handle.sourceName]: [handle.name] },
    });
  }
  const facts = choice.fixProperty ? vaultFacts(handle) : undefined;
  if (facts) {
    targets.push({
      name: FIX_PROPERTY,
      sources: { [HARNESS_FILE]: { content: depositHarness(facts) } },
      contracts: { [HARNESS_FILE]: [HARNESS_CONTRACT] },
      params: HARNESS_PARAMS,
    });
  }
  return targets;
}

export function proofEntry(r: TargetResult, contract?: string): ProofEntry {
  const violated = r.assertions.find((a) => a.status === 'violated');
  return {
    target: r.name,
    ...(contract !== undefined ? { contract } : {}),
    status: r.status,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.status === 'violated' && violated?.status === 'violated'
      ? { counterexample: renderTrace(violated.trace, r.params) }
      : {}),
    durationMs: r.durationMs,
  };
}
