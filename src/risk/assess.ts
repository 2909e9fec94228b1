/**
 * The assessment of a patch: what is at risk, what the exploit gains and costs, how severe the bug is, how
 * urgent its fix, which lane it should take and how much value each lane leaves exposed for how long. Pure:
 * the chain reads (value at risk, prices, gas price) and the store's measurements come in as arguments.
 */
import type { PatchConfig, PocConfig, PolicyConfig } from '../config/schema.js';
import type { Lane } from '../govern/digest.js';
import type { LanePolicy } from '../govern/policy.js';
import { formatUnits, formatUsd, usdValue } from './money.js';
import type { PricedAsset } from './prices.js';
import { laneViolations, type PolicyViolation } from './rules.js';
import { type BugEvidence, type Classification, classify, severityRank } from './severity.js';
import type { ValueAtRisk } from './value-at-risk.js';

export type Priority = 'P0' | 'P1' | 'P2' | 'P3';

export interface LaneWindow {
  lane: Lane;
  /** Whether the policy lets this bug use the lane (no rule broken). */
  allowed: boolean;
  violations: PolicyViolation[];
  /** Seconds to collect the lane's approvals: the median the store measured, or the config's assumption. */
  approvalSeconds: number;
  approvalBasis: 'measured' | 'assumed';
  approvalSamples: number;
  /** The lane's timelock delay, seconds. */
  delaySeconds: string;
  /** Seconds since the bug was found (0 when the config does not say when). */
  sinceDiscoverySeconds: string;
  /** Discovery → execution: since discovery + approvals + delay, seconds. */
  windowSeconds: string;
  /** Value at risk × window, in dollar-hours (absent when the value at risk is unknown). */
  exposureUsdHours?: string;
}

export interface Assessment {
  patch: string;
  contract: string;
  chainId: number;
  block: string;
  valueAtRisk: Omit<ValueAtRisk, 'micro'>;
  /** What the PoC took on the live version (simulate), the largest one. */
  /** `profit` in base units; `amount` in whole tokens and `usd` when the token is priced (risk.assets). */
  exploit?: { poc: string; token: string; profit: string; amount?: string; usd?: string };
  /** What running the exploit costs the attacker: gas and the capital the PoC is funded with (a flash-loan fee). */
  attackerCost?: {
    gasUsed?: string;
    gasPriceWei: string;
    gasWei?: string;
    gasUsd?: string;
    /** The PoC's funding: base units, and whole tokens and dollars when the token is priced. */
    capital?: { token: string; baseUnits: string; amount?: string; usd?: string };
    /** Gas and capital in dollars, when both are priced. */
    usd?: string;
  };
  /** Profit minus cost, dollars, when both are priced. */
  netGainUsd?: string;
  severity: Classification;
  public: boolean;
  priority: Priority;
  lane: { recommended: Lane; reasons: string[]; conflicts: string[] };
  exposure: Record<Lane, LaneWindow>;
}

export interface AssessInput {
  patch: PatchConfig;
  policy: PolicyConfig;
  lanes: Record<Lane, LanePolicy>;
  chainId: number;
  now: bigint;
  assets: readonly PricedAsset[];
  valueAtRisk: ValueAtRisk;
  gasPriceWei: bigint;
  /** The PoCs of this patch's contract and their runs on the live version (simulate's rows). */
  pocs: { config: PocConfig; profit: bigint; gasUsed?: bigint; succeeded: boolean }[];
  /** Findings of the live version the patch fixes (check). */
  fixed: BugEvidence['fixed'];
  /** Seconds each past patch of a lane took from proposal to approval (the store's history). */
  approvalSamples: Record<Lane, number[]>;
  assumedApproval: Record<Lane, number>;
  /** `--public`: the bug is known outside the team, whatever the config says. */
  public?: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2);
}

function priced(assets: readonly PricedAsset[], name: string, amount: bigint) {
  const a = assets.find((x) => x.name === name);
  return a
    ? { amount: formatUnits(amount, a.decimals), micro: usdValue(amount, a.decimals, a.priceMicro) }
    : undefined;
}

function exploitOf(input: AssessInput) {
  const took = input.pocs.filter((p) => p.succeeded && p.profit > 0n);
  const rows = took.map((p) => ({ p, price: priced(input.assets, p.config.profitToken, p.profit) }));
  const best = rows.sort((a, b) => ((b.price?.micro ?? 0n) > (a.price?.micro ?? 0n) ? 1 : -1))[0];
  return { took, best };
}

function costOf(input: AssessInput, poc: AssessInput['pocs'][number] | undefined) {
  if (!poc) return undefined;
  const gasWei = poc.gasUsed !== undefined ? poc.gasUsed * input.gasPriceWei : undefined;
  const eth = input.assets.find((a) => a.address === 'native');
  const gasMicro = gasWei !== undefined && eth ? usdValue(gasWei, 18, eth.priceMicro) : undefined;
  const fund = poc.config.fund;
  const capital = fund ? priced(input.assets, fund.token, BigInt(fund.amount)) : undefined;
  const total =
    (gasMicro !== undefined || gasWei === undefined) && (capital || !fund)
      ? (gasMicro ?? 0n) + (capital?.micro ?? 0n)
      : undefined;
  return {
    micro: total,
    report: {
      ...(poc.gasUsed !== undefined ? { gasUsed: poc.gasUsed.toString() } : {}),
      gasPriceWei: input.gasPriceWei.toString(),
      ...(gasWei !== undefined ? { gasWei: gasWei.toString() } : {}),
      ...(gasMicro !== undefined ? { gasUsd: formatUsd(gasMicro) } : {}),
      ...(fund
        ? {
            capital: {
              token: fund.token,
              baseUnits: fund.amount,
              ...(capital ? { amount: capital.amount, usd: formatUsd(capital.micro) } : {}),
            },
          }
        : {}),
      ...(total !== undefined ? { usd: formatUsd(total) } : {}),
    },
  };
}

function priorityOf(level: Classification['level'], isPublic: boolean, overCap: boolean): Priority {
  let p = Math.min(3, severityRank(level) + (isPublic ? 0 : 1));
  if (overCap) p = Math.min(p, 1);
  return `P${p}` as Priority;
}

function windowOf(
  input: AssessInput,
  lane: Lane,
  violations: PolicyViolation[],
  sinceDiscovery: bigint,
): LaneWindow {
  const samples = input.approvalSamples[lane];
  const measured = samples.length > 0;
  const approvalSeconds = measured ? median(samples) : input.assumedApproval[lane];
  const delay = input.lanes[lane].delay;
  const window = sinceDiscovery + BigInt(approvalSeconds) + delay;
  const micro = input.valueAtRisk.micro;
  return {
    lane,
    allowed: violations.length === 0,
    violations,
    approvalSeconds,
    approvalBasis: measured ? 'measured' : 'assumed',
    approvalSamples: samples.length,
    delaySeconds: delay.toString(),
    sinceDiscoverySeconds: sinceDiscovery.toString(),
    windowSeconds: window.toString(),
    ...(micro !== undefined ? { exposureUsdHours: formatUsd((micro * window) / 3600n) } : {}),
  };
}

/**
 * The assessment of one patch from measured facts.
 *
 * @example
 * ```ts
 * const a = assessPatch({ patch, policy, lanes, chainId, now, assets, valueAtRisk, gasPriceWei, pocs, fixed,
 *   approvalSamples: { standard: [], emergency: [] }, assumedApproval: { standard: 86_400, emergency: 3600 } });
 * console.log(a.priority, a.lane.recommended);
 * ```
 */
export function assessPatch(input: AssessInput): Assessment {
  const { took, best } = exploitOf(input);
  const severity = classify(
    {
      exploits: took.map((p) => ({ poc: p.config.name, token: p.config.profitToken, profit: p.profit })),
      fixed: input.fixed,
    },
    input.patch.risk,
  );
  const isPublic = input.public === true || input.patch.risk?.public === true;
  const facts = { severity: severity.level, valueAtRiskMicro: input.valueAtRisk.micro };
  const violations = {
    standard: laneViolations(input.policy, 'standard', facts),
    emergency: laneViolations(input.policy, 'emergency', facts),
  };
  const overCap = violations.standard.some((v) => v.rule === 'policy.lanes.standard.maxValueAtRisk');
  const priority = priorityOf(severity.level, isPublic, overCap);
  const discovered = input.patch.risk?.discoveredAt;
  const sinceDiscovery = discovered
    ? BigInt(Math.max(0, Number(input.now) - Math.floor(Date.parse(discovered) / 1000)))
    : 0n;

  const reasons: string[] = [];
  const conflicts: string[] = [];
  const urgent = priority === 'P0' || priority === 'P1';
  let recommended: Lane = 'standard';
  if (urgent && violations.emergency.length === 0) {
    recommended = 'emergency';
    reasons.push(
      `priority ${priority} (${severity.level}${isPublic ? ', public' : ''}): the emergency lane is open to it`,
    );
  } else if (urgent) {
    reasons.push(`priority ${priority}, but ${violations.emergency.map((v) => v.message).join('; ')}`);
  } else {
    reasons.push(
      `priority ${priority} (${severity.level}${isPublic ? ', public' : ''}): the review window of the standard lane fits`,
    );
  }
  if (violations[recommended].length > 0) {
    conflicts.push(
      `no lane satisfies the policy: ${violations[recommended].map((v) => `${v.rule}: ${v.message}`).join('; ')} — pause the contract and change the policy or the funds at risk`,
    );
  }

  const cost = costOf(input, best?.p);
  const profitMicro = best?.price?.micro;
  return {
    patch: input.patch.name,
    contract: input.patch.contract,
    chainId: input.chainId,
    block: input.valueAtRisk.block,
    valueAtRisk: (({ micro: _, ...v }) => v)(input.valueAtRisk),
    ...(best
      ? {
          exploit: {
            poc: best.p.config.name,
            token: best.p.config.profitToken,
            profit: best.p.profit.toString(),
            ...(best.price ? { amount: best.price.amount } : {}),
            ...(profitMicro !== undefined ? { usd: formatUsd(profitMicro) } : {}),
          },
        }
      : {}),
    ...(cost ? { attackerCost: cost.report } : {}),
    ...(profitMicro !== undefined && cost?.micro !== undefined
      ? { netGainUsd: formatUsd(profitMicro - cost.micro) }
      : {}),
    severity,
    public: isPublic,
    priority,
    lane: { recommended, reasons, conflicts },
    exposure: {
      standard: windowOf(input, 'standard', violations.standard, sinceDiscovery),
      emergency: windowOf(input, 'emergency', violations.emergency, sinceDiscovery),
    },
  };
}
