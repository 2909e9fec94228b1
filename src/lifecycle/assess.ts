/**
 * `assess`: how much a patch's bug puts at risk and how fast its fix must land. The value at risk is read from
 * the chain the lifecycle runs on (balances of the patched proxy and the contracts it controls, priced by the
 * config's table or an oracle, at one block); the exploit's profit and gas from simulate's PoC runs on the live
 * version; the bug's class from check's fixed findings and the team's triage; the lane windows from the
 * policy's delays and the approval times the store measured. The evidence is the stored proposal's when there
 * is one, else check and simulate run now.
 */
import { type Address, type Hex, isHex } from 'viem';
import type { CheckReport } from '../analyze/run-check.js';
import type { PatchConfig } from '../config/schema.js';
import { evidenceDigest } from '../core/digest.js';
import { blockedError, inputError } from '../core/errors.js';
import type { ReportHeader } from '../core/finding.js';
import { VERSION } from '../core/version.js';
import type { Lane } from '../govern/digest.js';
import { lanePolicy } from '../govern/policy.js';
import { type Assessment, assessPatch } from '../risk/assess.js';
import { type ChainReader, priceAssets } from '../risk/prices.js';
import { laneViolations } from '../risk/rules.js';
import { holdersOf, valueAtRisk } from '../risk/value-at-risk.js';
import type { SimulateReport } from '../simulate/run-simulate.js';
import { approvalTimes } from '../store/approval-times.js';
import type { StoredPatch } from '../store/store.js';
import type { DeployedSystem } from '../system/model.js';
import { liveSystem, onChainGovernance, projectOf } from './context.js';
import { checkPatch, simulatePatch } from './evidence.js';
import type { Lifecycle } from './lifecycle.js';

export interface AssessReport extends ReportHeader<'assess'>, Assessment {
  /** Where the PoC and findings came from: a stored proposal (its digest) or check and simulate run now. */
  evidenceFrom: { proposal: Hex } | { ran: 'now' } | { given: 'in-process' };
}

export interface AssessParameters {
  /** A patch name from the config, or the digest of a stored patch. */
  patch: string;
  /** The bug is public (overrides the config's `patches[].risk.public: false`). */
  public?: boolean;
  /** Evidence of this patch produced in this process (the demo): used instead of running it again. */
  reports?: { check: CheckReport; simulate: SimulateReport };
  /** The live system, when the caller has just attached it (propose): not read from the chain twice. */
  system?: DeployedSystem;
}

type Evidence = { check?: Partial<CheckReport>; simulate?: Partial<SimulateReport> };

async function storedEvidence(lc: Lifecycle, patch: StoredPatch): Promise<Evidence> {
  return (await lc.store.evidence(patch.digest)) as Evidence;
}

/** The config patch and its evidence: a digest's stored proposal, the newest open proposal of a name, or new runs. */
async function evidenceFor(
  lc: Lifecycle,
  params: AssessParameters,
): Promise<{ patch: PatchConfig; evidence: Evidence; from: AssessReport['evidenceFrom'] }> {
  const byName = (name: string) => {
    const found = lc.config.patches.find((p) => p.name === name);
    if (!found) {
      throw inputError(
        'unknown-patch',
        `patch "${name}" is not declared in the config`,
        `declared: ${lc.config.patches.map((p) => p.name).join(', ') || 'none'}`,
      );
    }
    return found;
  };
  if (isHex(params.patch) && params.patch.length === 66) {
    const stored = await lc.store.get(params.patch);
    if (!stored?.plan) {
      throw inputError(
        'unknown-patch',
        `no patch ${params.patch} in the store`,
        'run `patchgate status` to list them',
      );
    }
    return {
      patch: byName(stored.plan.name),
      evidence: await storedEvidence(lc, stored),
      from: { proposal: stored.digest },
    };
  }
  const patch = byName(params.patch);
  if (params.reports) return { patch, evidence: params.reports, from: { given: 'in-process' } };
  const open = (await lc.store.list())
    .filter(
      (p) =>
        p.plan?.name === patch.name &&
        p.record.chainId === lc.clients.chain.id &&
        ['proposed', 'approved', 'queued', 'executed', 'verified'].includes(p.state),
    )
    .at(-1);
  if (open) return { patch, evidence: await storedEvidence(lc, open), from: { proposal: open.digest } };
  const project = await projectOf(lc);
  const [check, simulate] = [await checkPatch(lc, patch, project), await simulatePatch(lc, patch.name)];
  return { patch, evidence: { check, simulate }, from: { ran: 'now' } };
}

/** Seconds from proposal to approval of each past patch of a lane (the store's history; wall-clock times). */
async function approvalSamples(lc: Lifecycle): Promise<Record<Lane, number[]>> {
  const out: Record<Lane, number[]> = { standard: [], emergency: [] };
  for (const t of await approvalTimes(lc.store.db)) out[t.lane].push(t.seconds);
  return out;
}

/**
 * The assessment of one patch on the lifecycle's chain.
 *
 * @example
 * ```ts
 * const a = await assess(lc, { patch: 'fix-flash-deposit' });
 * console.log(a.valueAtRisk.usd, a.severity.level, a.priority, a.lane.recommended);
 * ```
 */
export async function assess(lc: Lifecycle, params: AssessParameters): Promise<AssessReport> {
  const started = Date.now();
  const { patch, evidence, from } = await evidenceFor(lc, params);
  const system = params.system ?? (await liveSystem(lc));
  const proxy = system.contracts.get(patch.contract);
  if (!proxy) {
    throw inputError(
      'not-a-proxy',
      `live.${patch.contract} is not listed`,
      'list the patched proxy under "live" in the config',
    );
  }
  const block = await lc.clients.public.getBlock({ blockTag: 'latest' });
  const reader: ChainReader = {
    client: lc.clients.public,
    block: block.number,
    now: block.timestamp,
    resolve: (name: string): Address | undefined => system.contracts.get(name)?.address,
  };
  const risk = lc.config.risk;
  const assets = await priceAssets(reader, risk);
  const [var_, gasPriceWei, governance, samples] = await Promise.all([
    valueAtRisk(reader, assets, holdersOf(reader, risk, patch.contract, proxy.address)),
    lc.clients.public.getGasPrice(),
    onChainGovernance(lc, system.governance),
    approvalSamples(lc),
  ]);
  const rows = evidence.simulate?.poc ?? [];
  const pocs = lc.config.pocs
    .filter((p) => p.target === patch.contract)
    .flatMap((config) => {
      const row = rows.find((r) => r.name === config.name);
      return row
        ? [
            {
              config,
              profit: BigInt(row.profitBefore),
              ...(row.gasBefore ? { gasUsed: BigInt(row.gasBefore) } : {}),
              succeeded: row.before === 'succeeded',
            },
          ]
        : [];
    });
  const fixed = (evidence.check?.findings ?? [])
    .filter((f) => f.status === 'fixed')
    .map((f) => ({ id: f.id, severity: f.severity, title: f.title }));
  const assessment = assessPatch({
    patch,
    policy: lc.config.policy,
    lanes: {
      standard: lanePolicy(lc.config.policy, 'standard', governance),
      emergency: lanePolicy(lc.config.policy, 'emergency', governance),
    },
    chainId: lc.clients.chain.id,
    now: block.timestamp,
    assets,
    valueAtRisk: var_,
    gasPriceWei,
    pocs,
    fixed,
    approvalSamples: samples,
    assumedApproval: risk.approvalTime,
    ...(params.public ? { public: true } : {}),
  });
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict: 'pass',
    digest: evidenceDigest(assessment),
    stages: [{ name: 'assess', status: 'passed', durationMs: Date.now() - started }],
    findings: [],
    report: 'assess',
    ...assessment,
    evidenceFrom: from,
  };
}

/**
 * The policy's rules for `lane`, against an assessment: the first rule broken refuses the step (exit 1),
 * naming the rule and what would satisfy it.
 *
 * @example
 * ```ts
 * requireLaneAllowed(lc, patch.record.lane, await assess(lc, { patch: patch.digest }));
 * ```
 */
export function requireLaneAllowed(lc: Pick<Lifecycle, 'config'>, lane: Lane, a: AssessReport): void {
  // The assessment judged each lane with the exact value at risk (micro-dollars), not the cents it shows.
  const broken = a.exposure[lane].violations[0];
  if (broken) {
    throw blockedError(
      'policy-violation',
      `${broken.rule}: ${broken.message} (patch ${a.patch})`,
      broken.fix,
    );
  }
}

/** Whether a lane has a rule an assessment must be checked against (the standard lane without a cap has none). */
export function laneHasRules(lc: Pick<Lifecycle, 'config'>, lane: Lane): boolean {
  return lane === 'emergency' || lc.config.policy.lanes.standard.maxValueAtRisk !== undefined;
}
