/**
 * `simulate`: a shadow deployment of the live system on a local chain, the patch applied through the real
 * governance path, and the exploit PoCs run before and after. Fail closed: a chain that will not start or a
 * setup that reverts is an environment error (exit 3), never a pass.
 *
 * Six phases, one file (or folder) each: prepare (prepare.ts: check the request, start the chain, deploy or attach), baseline
 * (baseline.ts: PoCs, invariants and replay on the live version), upgrade (upgrade.ts: the real governance path and
 * the storage it changed), after (after.ts: the same observations on the upgraded system), fuzz (fuzz/: generated calls on the
 * states just before and just after the upgrade, compared), judge (judge.ts).
 */
import type { Address } from 'viem';
import { projectErrorsAbi } from '../build/errors-abi.js';
import { loadProject } from '../build/index.js';
import type { Anvil } from '../chain/anvil.js';
import type { Control } from '../chain/proxy.js';
import { displayUrl } from '../chain/rpc.js';
import { evidenceDigest } from '../core/digest.js';
import { type ReportHeader, verdictOf } from '../core/finding.js';
import { stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { runAfter } from './after.js';
import { runBaseline } from './baseline.js';
import { type FuzzReport, fuzzStage, markBeforeUpgrade } from './fuzz/stage.js';
import type { GovernanceResult } from './governance.js';
import { type GasRow, type InvariantRow, judgeRun, type PocRow } from './judge.js';
import { checkRequest, prepareRun, type SimulateParameters, startChain } from './prepare.js';
import type { ReplayDifference } from './replay.js';
import type { SlotChange } from './storage-diff.js';
import { runUpgrade } from './upgrade.js';

export type { SimulateParameters } from './prepare.js';

export interface SimulateReport extends ReportHeader<'simulate'> {
  patch: string;
  chain: { mode: 'embedded' | 'rpc' | 'fork'; chainId: number };
  /**
   * Where the simulation ran. Always patchgate's own embedded anvil — fresh (`embedded`) or forking the
   * node named by --rpc/--fork-url (`fork`, `source` = that URL, masked): the node named is never written to.
   */
  node: { mode: 'embedded' | 'fork'; source?: string; forkBlock?: number };
  /** Who can upgrade, cancel and pause the patched proxy, read from the chain before the upgrade. */
  control: Control;
  candidate: { contract: string; implementation?: Address };
  governancePath: GovernanceResult | { ok: false; skipped: string };
  invariants: InvariantRow[];
  replay: { transactions: number; differences: ReplayDifference[] };
  gas: GasRow[];
  /** Every proxy slot the upgrade transaction changed, named by the candidate's layout. */
  storageDiff: SlotChange[];
  poc: PocRow[];
  /** Differential fuzzing of the patched contract (docs/simulate.md), or why it did not run. */
  fuzz: FuzzReport | { skipped: string };
}

/**
 * `patchgate simulate`: deploy the system on an embedded anvil (or fork a node), run the patch through the real
 * governance path and judge storage, invariants, PoCs, events and gas before and after.
 *
 * @example
 * ```ts
 * const { config, projectDir } = await loadConfig({ searchDir: 'examples/vault' });
 * const report = await runSimulate({ config, projectDir, stateDir: '.patchgate', patch: 'fix-flash-deposit' });
 * console.log(report.verdict);
 * ```
 */
export async function runSimulate(params: SimulateParameters): Promise<SimulateReport> {
  const request = await checkRequest(params);
  const stages = stageRecorder();
  const project = await stages.time('build', () =>
    loadProject({ dir: params.projectDir, stateDir: params.stateDir }),
  );
  let anvil: Anvil | undefined;
  try {
    anvil = await startChain(request);
    const run = await prepareRun(request, project, projectErrorsAbi(project), anvil.rpcUrl, stages);
    const baseline = await runBaseline(run);
    const beforeUpgrade = await markBeforeUpgrade(run);
    const upgrade = await runUpgrade(run);
    const after = await runAfter(run, baseline, upgrade);
    const fuzz = await fuzzStage(run, upgrade, beforeUpgrade);
    const judged = judgeRun(run, baseline, upgrade, after);
    const { differences, gas, invariants, poc } = judged;
    const findings = [...judged.findings, ...fuzz.findings];
    const evidence = {
      patch: request.patch.name,
      candidate: upgrade.candidate.fullyQualifiedName,
      governance: upgrade.governance,
      poc,
      findings,
    };
    const { source } = request;
    return {
      tool: { name: 'patchgate', version: VERSION },
      verdict: verdictOf(findings),
      digest: evidenceDigest(evidence),
      stages: stages.stages,
      findings,
      report: 'simulate',
      patch: request.patch.name,
      control: run.control,
      chain: {
        mode: params.forkUrl ? 'fork' : params.rpcUrl ? 'rpc' : 'embedded',
        chainId: run.clients.chain.id,
      },
      node: source
        ? {
            mode: 'fork',
            source: displayUrl(source),
            ...(params.forkBlock !== undefined ? { forkBlock: params.forkBlock } : {}),
          }
        : { mode: 'embedded' },
      candidate: { contract: upgrade.candidate.fullyQualifiedName, implementation: upgrade.implementation },
      governancePath: upgrade.governance,
      storageDiff: upgrade.storageDiff,
      invariants,
      replay: { transactions: baseline.calls.length, differences },
      gas,
      poc,
      fuzz: fuzz.fuzz,
    };
  } finally {
    await anvil?.stop();
  }
}
