/**
 * `patchgate prove`: the candidate's own `assert`s and, where it applies, the fix's property (harness.ts), each a
 * target of proveTargets. A violation blocks (`prove-violated`); an undecided target blocks too unless the team
 * acknowledges it (`prove-unknown`, docs/prove.md says why); proofs are listed in `proofs`, not as findings.
 */
import { type Acknowledgement, applyAcknowledgements } from '../analyze/acknowledge.js';
import { findContract, loadProject } from '../build/index.js';
import type { ContractHandle, Project } from '../build/types.js';
import { evidenceDigest } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import { type Finding, type ReportHeader, verdictOf } from '../core/finding.js';
import { passedIf, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { renderTrace } from './counterexample.js';
import { proveFindings } from './findings.js';
import {
  contractDefinitions,
  depositHarness,
  HARNESS_CONTRACT,
  HARNESS_FILE,
  HARNESS_PARAMS,
  vaultFacts,
} from './harness.js';
import { type ProveTarget, proveTargets, type TargetResult } from './prove.js';

export interface RunProveParameters {
  projectDir: string;
  stateDir: string;
  /** `Name` or `path/File.sol:Name`. */
  contract: string;
  /** Prove the fix's property too when the candidate is a flash-lending ERC-4626 vault (the config asks for it). */
  fixProperty?: boolean;
  timeoutMs?: number;
  concurrency?: number;
  acknowledge?: readonly Acknowledgement[];
  project?: Project;
}

export interface ProofEntry {
  target: string;
  status: TargetResult['status'];
  reason?: string;
  /** For a violation: the call sequence with values, one line. */
  counterexample?: string;
  durationMs: number;
}

export interface ProveReport extends ReportHeader<'prove'> {
  contract: string;
  proofs: ProofEntry[];
}

/** Whether the contract or one of its bases calls `assert` (nothing to prove otherwise). */
function hasAssertions(handle: ContractHandle): boolean {
  const { byId, self } = contractDefinitions(handle);
  return (self?.linearizedBaseContracts ?? []).some((id) =>
    JSON.stringify(byId.get(id) ?? {}).includes('"name":"assert"'),
  );
}

function proveTargetsFor(handle: ContractHandle, fixProperty: boolean): ProveTarget[] {
  const targets: ProveTarget[] = [];
  if (hasAssertions(handle)) {
    targets.push({
      name: `${handle.name} (own assertions)`,
      sources: handle.unit.input.sources,
      contracts: { [handle.sourceName]: [handle.name] },
    });
  }
  const facts = fixProperty ? vaultFacts(handle) : undefined;
  if (facts) {
    targets.push({
      name: 'deposit-no-overmint',
      sources: { [HARNESS_FILE]: { content: depositHarness(facts) } },
      contracts: { [HARNESS_FILE]: [HARNESS_CONTRACT] },
      params: HARNESS_PARAMS,
    });
  }
  return targets;
}

export async function runProve(params: RunProveParameters): Promise<ProveReport> {
  const recorder = stageRecorder();
  const project =
    params.project ?? (await loadProject({ dir: params.projectDir, stateDir: params.stateDir }));
  recorder.lap('compile', 'passed');
  const handle = findContract(project, params.contract);
  const targets = proveTargetsFor(handle, params.fixProperty ?? false);
  if (targets.length === 0) {
    throw inputError(
      'nothing-to-prove',
      `${handle.fullyQualifiedName} has no assert and no property of the config applies to it: nothing to prove`,
      'add assert(...) statements to the contract, or run prove with the config of a flash-lending ERC-4626 vault',
    );
  }
  const results = await proveTargets({
    targets,
    ...(params.timeoutMs !== undefined ? { timeoutMs: params.timeoutMs } : {}),
    ...(params.concurrency !== undefined ? { concurrency: params.concurrency } : {}),
  });
  const findings: Finding[] = applyAcknowledgements(proveFindings(handle, results), params.acknowledge ?? []);
  const verdict = verdictOf(findings);
  recorder.lap('prove', passedIf(verdict === 'pass'));
  const proofs = results.map(proofEntry);
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict,
    digest: evidenceDigest({
      contract: handle.fullyQualifiedName,
      proofs: proofs.map(({ durationMs: _, ...p }) => p),
      findings,
    }),
    stages: recorder.stages,
    findings,
    report: 'prove',
    contract: handle.fullyQualifiedName,
    proofs,
  };
}

function proofEntry(r: TargetResult): ProofEntry {
  const violated = r.assertions.find((a) => a.status === 'violated');
  return {
    target: r.name,
    status: r.status,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.status === 'violated' && violated?.status === 'violated'
      ? { counterexample: renderTrace(violated.trace, r.params) }
      : {}),
    durationMs: r.durationMs,
  };
}
