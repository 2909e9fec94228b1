/**
 * `propose`: turn a patch from the config into a patch record people can sign. It runs the evidence stages
 * itself — `check` (static) and `simulate` on a fork of the live chain — and refuses to propose a patch
 * either stage fails. Then it puts the candidate implementation on chain (or checks the one given),
 * builds the exact upgrade call the timelock will make, resolves the lane's policy, and stores the record,
 * its plan and both reports under the patch digest. In the emergency lane the guardian pauses the target.
 */

import { type Address, type Hex, type LocalAccount, zeroHash } from 'viem';
import type { CheckReport } from '../analyze/run-check.js';
import { importClosure } from '../build/closure.js';
import { findContract } from '../build/find.js';
import type { ContractHandle } from '../build/types.js';
import { abiOf } from '../chain/deploy.js';
import { evidenceDigest } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import type { Finding, ReportHeader } from '../core/finding.js';
import { renderJson } from '../core/report-json.js';
import { passedIf, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { bundleText, commitmentOf, makeBundle } from '../embargo/bundle.js';
import { type Lane, type PatchRecord, patchDigest } from '../govern/digest.js';
import type { PatchPlan } from '../govern/plan.js';
import { type LanePolicy, lanePolicy } from '../govern/policy.js';
import type { SimulateReport } from '../simulate/run-simulate.js';
import type { PatchState } from '../store/store.js';
import { patchUpgradeCall } from '../system/encode.js';
import { gatePolicyHash } from '../system/gate-policy.js';
import { type AssessReport, assess, requireLaneAllowed } from './assess.js';
import { chainNow, liveSystem, onChainGovernance, projectOf } from './context.js';
import { checkPatch, simulatePatch } from './evidence.js';
import { ensureImplementation } from './implementation.js';
import type { Lifecycle } from './lifecycle.js';
import { syncLog } from './log-sync.js';
import { type PauseResult, pauseTarget } from './pause.js';
import { storedEmbargo } from './reveal.js';

export interface ProposeParameters {
  patch: string;
  lane: Lane;
  /** Pays for deploying the implementation (not needed with `implementation` or when already deployed). */
  deployer?: LocalAccount;
  implementation?: Address;
  predecessor?: Hex;
  /** Emergency lane: the guardian's key, to pause the target at once. */
  guardian?: LocalAccount;
  /** Propose again with fresh evidence even when this patch is already open in the store. */
  again?: boolean;
  /**
   * Everything up to the record, nothing recorded or paused: the record, plan and reports come back (`held`) for a
   * caller that binds more evidence first (a rollout binds every chain's target, lifecycle/rollout.ts).
   */
  hold?: boolean;
  /**
   * Under embargo (docs/embargo.md): the public log gets only the bundle's commitment until `reveal`; the report's
   * `embargo.bundle` is the bundle's text, for the approvers.
   */
  embargo?: boolean;
  /**
   * Evidence already produced for this patch in this process (the demo shows each stage as it runs): used
   * instead of running the stage again. Each must be a passing report of this very patch.
   */
  reports?: { check?: CheckReport; simulate?: SimulateReport };
}

export interface ProposeReport extends ReportHeader<'propose'> {
  patch: string;
  state?: PatchState;
  /** False when the same patch was already in the store (a re-run). */
  created?: boolean;
  record?: PatchRecord;
  plan?: PatchPlan;
  policy?: Omit<LanePolicy, 'delay'> & { delay: string };
  implementation?: { address: Address; reused: boolean };
  /** The risk of the bug the patch fixes, as assessed when it was proposed (stored as its `assess` evidence). */
  assessment?: AssessReport;
  paused?: PauseResult;
  /**
   * Under embargo: the commitment the log holds, and the bundle (its canonical text) the approvers receive — the
   * CLI writes it to `--bundle FILE` and shows only the file's name (`bundleFile`).
   */
  embargo?: { commitment: Hex; bundle?: string; bundleFile?: string; revealedAt?: string };
  /** `hold`: the evidence reports the record's hashes cover, for the caller to record. */
  held?: { reports: Record<string, unknown> };
}

/** The candidate's build as an approver rebuilds it: compiler, settings and every source its file needs. */
function buildOf(candidate: ContractHandle) {
  const { unit } = candidate;
  const sources: Record<string, string> = {};
  for (const name of [...importClosure(unit, [candidate.sourceName])].sort()) {
    sources[name] = unit.input.sources[name]?.content ?? '';
  }
  return {
    candidate: candidate.fullyQualifiedName,
    compiler: unit.solcLongVersion,
    settings: unit.input.settings,
    sources,
  };
}

/** A report as stored evidence: its JSON form (big integers as strings, internal keys dropped). */
function asEvidence(report: ReportHeader): unknown {
  return JSON.parse(renderJson(report));
}

async function proposeStep(lc: Lifecycle, params: ProposeParameters): Promise<ProposeReport> {
  const patch = lc.config.patches.find((p) => p.name === params.patch);
  if (!patch) {
    throw inputError(
      'unknown-patch',
      `patch "${params.patch}" is not declared in the config`,
      `declared: ${lc.config.patches.map((p) => p.name).join(', ') || 'none'}`,
    );
  }
  if (!params.again) {
    const open = await openProposal(lc, patch.name, params.lane);
    if (open && params.embargo && !open.embargo) {
      throw inputError(
        'embargo-too-late',
        `patch ${patch.name} is already open in the open (${open.digest}): its details are in the log, an embargo would hide nothing`,
        'propose it anew with --again --embargo (a new digest), and cancel the open one',
      );
    }
    if (open) return open;
  }
  const recorder = stageRecorder();
  const stages = recorder.stages;
  const timed = <T>(name: string, fn: () => Promise<T>, ok: (v: T) => boolean = () => true) =>
    recorder.time(name, fn, (v) => passedIf(ok(v)));
  const project = await projectOf(lc);
  const candidate = findContract(project, patch.candidate);
  // An implementation deployed elsewhere is checked before anything else runs: bad input fails fast.
  const preset = params.implementation
    ? await ensureImplementation(lc, candidate, { address: params.implementation })
    : undefined;
  const base = {
    tool: { name: 'patchgate' as const, version: VERSION },
    report: 'propose' as const,
    patch: patch.name,
    stages,
  };
  const system = await liveSystem(lc);
  const proxy = system.contracts.get(patch.contract);
  if (!proxy?.proxyKind) {
    throw inputError(
      'not-a-proxy',
      `live.${patch.contract} is not a transparent or UUPS proxy`,
      'list the patched proxy under "live" in the config',
    );
  }
  // A PatchGate in the upgrade path must enforce the config's policy and open the lane: said now, not after
  // approvals and the timelock delay (it would refuse on chain).
  const policyHash = gatePolicyHash(lc.config.policy, proxy, params.lane);
  const given = params.reports ?? {};
  if (given.simulate && given.simulate.patch !== patch.name) {
    throw inputError(
      'evidence-mismatch',
      `the simulate report is for patch ${given.simulate.patch}, not ${patch.name}`,
      'pass the report of this patch',
    );
  }
  const check = await timed(
    'check',
    async () => given.check ?? checkPatch(lc, patch, project),
    (r) => r.verdict === 'pass',
  );
  if (check.verdict !== 'pass') return refused(base, check.findings, 'check');
  // Simulated against the live state: a fork of the very node the patch will run on.
  const simulation = await timed(
    'simulate',
    async () => given.simulate ?? simulatePatch(lc, patch.name),
    (r) => r.verdict === 'pass',
  );
  if (simulation.verdict !== 'pass') return refused(base, simulation.findings, 'simulate');
  // The bug's risk, from this evidence and the chain as it is: signed with the patch, and the lane must fit it.
  const assessment = await timed('assess', () =>
    assess(lc, { patch: patch.name, reports: { check, simulate: simulation }, system }),
  );
  requireLaneAllowed(lc, params.lane, assessment);

  const impl = await timed(
    'deploy',
    async () => preset ?? ensureImplementation(lc, candidate, { deployer: params.deployer }),
  );
  const call = patchUpgradeCall(system, { ...proxy, proxyKind: proxy.proxyKind }, patch, {
    abi: abiOf(candidate),
    implementation: impl.address,
  });
  const policy = lanePolicy(lc.config.policy, params.lane, await onChainGovernance(lc, system.governance));
  const reports = {
    check: asEvidence(check),
    simulate: asEvidence(simulation),
    assess: asEvidence(assessment),
  };
  const record: PatchRecord = {
    chainId: lc.clients.chain.id,
    proxy: proxy.address,
    target: call.target,
    implementation: impl.address,
    codehash: impl.codehash,
    calldata: call.data,
    lane: params.lane,
    evidence: {
      check: evidenceDigest(reports.check),
      simulate: evidenceDigest(reports.simulate),
      assess: evidenceDigest(reports.assess),
    },
  };
  const digest = patchDigest(record);
  const plan: PatchPlan = {
    name: patch.name,
    contract: patch.contract,
    candidate: candidate.fullyQualifiedName,
    safe: system.governance.safe,
    timelock: system.governance.timelock,
    predecessor: params.predecessor ?? zeroHash,
    salt: digest,
    delay: policy.delay.toString(),
    proposedAt: (await chainNow(lc)).toString(),
    ...(proxy.gate && policyHash ? { gate: proxy.gate, policyHash } : {}),
  };
  if (params.hold) {
    return {
      ...base,
      verdict: 'pass',
      digest,
      findings: [],
      record,
      plan,
      policy: { ...policy, delay: policy.delay.toString() },
      implementation: { address: impl.address, reused: impl.reused },
      assessment,
      held: { reports },
    };
  }
  const before = await lc.store.get(digest);
  const sealed = params.embargo
    ? (() => {
        const bundle = makeBundle({ record, plan, evidence: reports, build: buildOf(candidate) });
        return { commitment: commitmentOf(bundle), bundle: bundleText(bundle) };
      })()
    : undefined;
  const stored = await timed('record', () => lc.store.propose(record, plan, reports, sealed));
  const embargo = stored.embargo ? await storedEmbargo(lc, digest) : undefined;
  const paused =
    params.lane === 'emergency' && params.guardian
      ? await timed('pause', () =>
          pauseTarget(lc, { address: proxy.address, guardian: params.guardian as LocalAccount }),
        )
      : undefined;
  return {
    ...base,
    verdict: 'pass',
    digest,
    findings: [],
    state: stored.state,
    created: before === undefined,
    record,
    plan,
    policy: { ...policy, delay: policy.delay.toString() },
    implementation: { address: impl.address, reused: impl.reused },
    assessment,
    ...(paused ? { paused } : {}),
    ...(embargo ? { embargo } : {}),
  };
}

/**
 * The same patch, same lane, on the same chain, still open (not cancelled, expired or verified): a re-run
 * of `propose` — after a crash, or by a second person — returns it instead of starting a second one.
 */
async function openProposal(lc: Lifecycle, name: string, lane: Lane): Promise<ProposeReport | undefined> {
  const found = (await lc.store.list()).find(
    (p) =>
      p.plan?.name === name &&
      p.record.lane === lane &&
      p.record.chainId === lc.clients.chain.id &&
      ['proposed', 'approved', 'queued', 'executed'].includes(p.state),
  );
  if (!found?.plan) return undefined;
  const policy = lanePolicy(lc.config.policy, lane, await onChainGovernance(lc, found.plan));
  const assessment = (await lc.store.evidence(found.digest)).assess as AssessReport | undefined;
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict: 'pass',
    digest: found.digest,
    stages: [],
    findings: [],
    report: 'propose',
    patch: name,
    state: found.state,
    created: false,
    record: found.record,
    plan: found.plan,
    policy: { ...policy, delay: policy.delay.toString() },
    implementation: { address: found.record.implementation, reused: true },
    ...(assessment ? { assessment } : {}),
    ...(found.embargo ? { embargo: await storedEmbargo(lc, found.digest) } : {}),
  };
}

function refused(
  base: Pick<ProposeReport, 'tool' | 'report' | 'patch' | 'stages'>,
  findings: Finding[],
  stage: string,
): ProposeReport {
  const blocking = findings.filter((f) => f.blocking && !f.acknowledged && f.status !== 'fixed');
  return {
    ...base,
    verdict: 'fail',
    digest: evidenceDigest({ patch: base.patch, stage, findings: blocking }),
    findings: blocking,
  };
}

/**
 * The proposal, then its events into the transparency log (once each, however often it runs).
 *
 * @example
 * ```ts
 * const lc = await createLifecycle({ rpc: 'http://127.0.0.1:8545', create: true });
 * try {
 *   const report = await propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', deployer });
 *   console.log(report.verdict, report.digest);
 * } finally {
 *   await lc.close();
 * }
 * ```
 */
export async function propose(lc: Lifecycle, params: ProposeParameters): Promise<ProposeReport> {
  const r = await proposeStep(lc, params);
  if (r.verdict === 'pass' && !r.held) await syncLog(lc, r.digest as Hex);
  return r;
}
