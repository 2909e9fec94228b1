/** An assessment in text: what is at risk, what the exploit gains and costs, the class, priority and lanes. */
import type { AssessReport } from '../../lifecycle/assess.js';
import type { Assessment, LaneWindow } from '../../risk/assess.js';
import type { Colors } from './findings.js';

/** A signed dollar amount for people: `-$0.64`, not `$-0.64`. */
function dollars(usd: string): string {
  return usd.startsWith('-') ? `-$${usd.slice(1)}` : `$${usd}`;
}

/** Seconds as days/hours/minutes, the largest two units (`2 d 1 h`, `45 min`). */
function duration(seconds: string | number): string {
  let s = Number(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)} ${unit}`);
      s %= size;
    }
  }
  return parts.slice(0, 2).join(' ') || `${s} s`;
}

function laneLine(w: LaneWindow, recommended: boolean): string {
  const exposure = w.exposureUsdHours !== undefined ? `$${w.exposureUsdHours}·h exposed` : 'exposure unknown';
  const approvals = `approvals ${duration(w.approvalSeconds)} (${w.approvalBasis}${w.approvalSamples ? `, ${w.approvalSamples} patches` : ''})`;
  const since =
    w.sinceDiscoverySeconds !== '0' ? ` + ${duration(w.sinceDiscoverySeconds)} since discovery` : '';
  const rule = w.violations.map((v) => `  REFUSED by ${v.rule}: ${v.message}`).join('');
  return `  ${recommended ? '→' : ' '} ${w.lane.padEnd(9)} window ${duration(w.windowSeconds)} (${approvals} + delay ${duration(w.delaySeconds)}${since}), ${exposure}${rule}`;
}

/** The lines of an assessment, shared by `assess` and the reports that carry one (propose, status). */
export function assessmentLines(a: Assessment): string[] {
  const v = a.valueAtRisk;
  const cost = a.attackerCost;
  return [
    `  severity        ${a.severity.level} — ${a.severity.impact}${a.public ? ' (public)' : ''}`,
    ...a.severity.basis.map((b) => `                  · ${b}`),
    `  priority        ${a.priority}; recommended lane: ${a.lane.recommended}`,
    ...a.lane.reasons.map((r) => `                  · ${r}`),
    ...a.lane.conflicts.map((r) => `  CONFLICT        ${r}`),
    `  value at risk   ${v.usd !== undefined ? `$${v.usd}` : 'unknown (no risk.assets in the config)'} at block ${v.block}`,
    ...v.holdings.map(
      (h) => `                  ${h.holderName ?? h.holder}: ${h.amount} ${h.asset} = $${h.usd}`,
    ),
    ...(a.exploit
      ? [
          `  exploit         PoC ${a.exploit.poc} takes ${a.exploit.amount !== undefined ? `${a.exploit.amount} ${a.exploit.token} ($${a.exploit.usd})` : `${a.exploit.profit} base units of ${a.exploit.token} (not priced: add it to risk.assets)`}`,
        ]
      : ['  exploit         no PoC took value on the live version']),
    ...(cost
      ? [
          `  attacker cost   ${cost.gasUsed ?? '?'} gas × ${cost.gasPriceWei} wei${cost.gasUsd ? ` = $${cost.gasUsd}` : ''}${cost.capital ? `; capital ${cost.capital.amount !== undefined ? `${cost.capital.amount} ${cost.capital.token} ($${cost.capital.usd})` : `${cost.capital.baseUnits} base units of ${cost.capital.token}`}` : ''}${a.netGainUsd ? `; net gain ${dollars(a.netGainUsd)}` : ''}`,
        ]
      : []),
    '  lanes (discovery → execution)',
    laneLine(a.exposure.standard, a.lane.recommended === 'standard'),
    laneLine(a.exposure.emergency, a.lane.recommended === 'emergency'),
  ];
}

export function assessText(r: AssessReport, _c: Colors): string {
  const from =
    'proposal' in r.evidenceFrom
      ? `evidence of proposal ${r.evidenceFrom.proposal.slice(0, 10)}…`
      : 'ran' in r.evidenceFrom
        ? 'check and simulate run now'
        : 'evidence of this run';
  return `${[`ASSESSED  ${r.patch}  (${r.contract} on chain ${r.chainId}; ${from})`, ...assessmentLines(r)].join('\n')}\n`;
}
