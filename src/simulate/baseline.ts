/**
 * simulate, phase 2 — baseline: the live version observed before the upgrade. The PoCs run (each on a snapshot),
 * the invariants are read, and the user flows are replayed (on a snapshot, so the upgrade starts from the same state).
 */
import { connect } from '../chain/clients.js';
import { fundAccounts } from '../system/deploy.js';
import { checkInvariant, type InvariantCheck } from '../system/invariants.js';
import { type PocRun, runPoc } from './poc.js';
import { abiOfDeployed, type SimulationRun } from './prepare.js';
import { blockRangeCalls, callsFromSteps, type ReplayCall, replayCalls, type TxOutcome } from './replay.js';

export interface Observation {
  pocs: Record<string, PocRun>;
  invariants: Record<string, InvariantCheck>;
  replay: TxOutcome[];
}

export interface Baseline extends Observation {
  /** The user flows of the config, plus on a fork the real transactions of a block range: replayed before and after. */
  calls: ReplayCall[];
}

/** Run every PoC of the run against the system as it stands, each on its own snapshot. */
export async function runPocs(run: SimulationRun): Promise<Record<string, PocRun>> {
  const out: Record<string, PocRun> = {};
  for (const poc of run.pocs)
    out[poc.name] = await runPoc(run.clients, run.project, run.system, poc, run.errorsAbi);
  return out;
}

export async function runBaseline(run: SimulationRun): Promise<Baseline> {
  const { clients, system, stages, config, params } = run;
  const pocs = await stages.time('poc-before', () => runPocs(run));
  const invariants = await stages.time('invariants-before', async () => {
    const out: Record<string, InvariantCheck> = {};
    for (const inv of run.liveInvariants)
      out[inv.name] = await checkInvariant(clients, system, inv, abiOfDeployed(system, inv.target));
    return out;
  });
  await fundAccounts(
    clients,
    config.replay.map((s) => s.from),
  );
  const calls = callsFromSteps(system, config.replay, (name) => abiOfDeployed(system, name));
  if (params.replayBlocks && params.forkUrl) {
    const history = await connect(params.forkUrl, { option: '--fork-url' });
    calls.push(
      ...(await blockRangeCalls(history.public, system, params.replayBlocks[0], params.replayBlocks[1])),
    );
  }
  const replay = await stages.time('replay-before', async () => {
    const snapshot = await clients.test.snapshot();
    try {
      return await replayCalls(clients, system, calls, run.errorsAbi);
    } finally {
      await clients.test.revert({ id: snapshot });
    }
  });
  return { pocs, invariants, replay, calls };
}
