/**
 * The evidence stages as the lifecycle runs them for a patch of the config: `check` against the config's
 * reference, and `simulate` on a fork of the lifecycle's own chain.
 */
import { proveOf } from '../analyze/prove-stage.js';
import { type CheckReport, runCheck } from '../analyze/run-check.js';
import type { Project } from '../build/types.js';
import type { PatchConfig } from '../config/schema.js';
import { runSimulate, type SimulateReport } from '../simulate/run-simulate.js';
import type { Lifecycle } from './lifecycle.js';

/** `check` of a patch as propose runs it: the config's reference against the candidate, with its acknowledgements. */
export function checkPatch(lc: Lifecycle, patch: PatchConfig, project: Project): Promise<CheckReport> {
  const target = lc.config.contracts[patch.contract];
  return runCheck({
    projectDir: lc.projectDir,
    stateDir: lc.stateDir,
    project,
    reference: target?.reference ?? '',
    candidate: patch.candidate,
    kind: target?.kind,
    acknowledge: lc.config.acknowledge,
    ...proveOf(lc.config),
  });
}

/** `simulate` of a patch on a fork of the chain the lifecycle runs on (the live state, never written to). */
export function simulatePatch(lc: Lifecycle, patch: string): Promise<SimulateReport> {
  return runSimulate({
    config: lc.config,
    projectDir: lc.projectDir,
    stateDir: lc.stateDir,
    patch,
    forkUrl: lc.rpcUrl,
  });
}
