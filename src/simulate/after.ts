/**
 * simulate, phase 4 — after: the upgraded system observed the way the baseline observed the live one. The PoCs run
 * again, every invariant (the live ones and the patch's own) is read with the ABI each contract now has, and the same
 * user flows are replayed with the invariants checked after each transaction. Nothing runs when the upgrade reverted.
 */
import { abiOf } from '../chain/deploy.js';
import type { InvariantConfig } from '../config/schema.js';
import { checkInvariant, type InvariantCheck } from '../system/invariants.js';
import { type Baseline, type Observation, runPocs } from './baseline.js';
import { abiOfDeployed, type SimulationRun } from './prepare.js';
import { replayCalls } from './replay.js';
import type { Upgrade } from './upgrade.js';

export interface After extends Observation {
  /** The invariants judged after the upgrade: the live system's and the patch's own. */
  invariantsJudged: InvariantConfig[];
  /** Invariants a replayed transaction broke, with where. */
  brokenDuringReplay: Map<string, string>;
}

export async function runAfter(run: SimulationRun, baseline: Baseline, upgrade: Upgrade): Promise<After> {
  const { clients, system, patch, stages } = run;
  const applied = upgrade.governance.ok;
  const invariantsJudged = [...run.liveInvariants, ...patch.invariants];
  // The patched contract answers with the candidate's ABI; every other contract with its own.
  const abiAfter = (name: string) =>
    name === patch.contract ? abiOf(upgrade.candidate) : abiOfDeployed(system, name);
  const pocs = await stages.time('poc-after', async () => (applied ? runPocs(run) : {}));
  const invariants = await stages.time('invariants-after', async () => {
    const out: Record<string, InvariantCheck> = {};
    if (!applied) return out;
    for (const inv of invariantsJudged)
      out[inv.name] = await checkInvariant(clients, system, inv, abiAfter(inv.target));
    return out;
  });
  const brokenDuringReplay = new Map<string, string>();
  const replay = await stages.time('replay-after', async () => {
    if (!applied) return [];
    const snapshot = await clients.test.snapshot();
    try {
      // The same calldata as before the upgrade (encoded with the live ABI), whatever the candidate exposes.
      return await replayCalls(clients, system, baseline.calls, run.errorsAbi, async (i) => {
        for (const inv of invariantsJudged) {
          if (brokenDuringReplay.has(inv.name)) continue;
          const check = await checkInvariant(clients, system, inv, abiAfter(inv.target));
          if (!check.held)
            brokenDuringReplay.set(
              inv.name,
              `after replay[${i}] (${baseline.calls[i]?.label}): got ${check.actual}`,
            );
        }
      });
    } finally {
      await clients.test.revert({ id: snapshot });
    }
  });
  return { pocs, invariants, replay, invariantsJudged, brokenDuringReplay };
}
