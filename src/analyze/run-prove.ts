/**
 * `patchgate prove`: the candidate's own `assert`s and, where it applies, the fix's property (harness.ts), each a
 * target of proveTargets. A violation blocks (`prove-violated`); an undecided target blocks too unless the team
 * acknowledges it (`prove-unknown`, docs/prove.md says why); proofs are listed in `proofs`, not as findings.
 */
import { join } from 'node:path';
import { findContract, loadProject } from '../build/index.js';
import type { Project } from '../build/types.js';
import { evidenceDigest } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import { type Finding, type ReportHeader, verdictOf } from '../core/finding.js';
import { passedIf, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { proveTargets } from '../prove/prove.js';
import { type ProofEntry, proofEntry, proveTargetsFor } from '../prove/targets.js';
import { type Acknowledgement, applyAcknowledgements } from './acknowledge.js';
import { contractView } from './ast.js';
import { proveFindings } from './prove-findings.js';
import { declaredAt } from './prove-stage.js';

export type { ProofEntry } from '../prove/targets.js';

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

export interface ProveReport extends ReportHeader<'prove'> {
  contract: string;
  proofs: ProofEntry[];
}

export async function runProve(params: RunProveParameters): Promise<ProveReport> {
  const recorder = stageRecorder();
  const project =
    params.project ?? (await loadProject({ dir: params.projectDir, stateDir: params.stateDir }));
  recorder.lap('compile', 'passed');
  const handle = findContract(project, params.contract);
  const targets = proveTargetsFor(handle, { fixProperty: params.fixProperty ?? false });
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
    cacheDir: join(params.stateDir, 'cache'),
  });
  const findings: Finding[] = applyAcknowledgements(
    proveFindings(declaredAt(contractView(handle)), results),
    params.acknowledge ?? [],
  );
  const verdict = verdictOf(findings);
  recorder.lap('prove', passedIf(verdict === 'pass'));
  const proofs = results.map((r) => proofEntry(r));
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
