/**
 * Policy as code: the rules of the config's `policy` that a lane must satisfy, checked against an assessment.
 * `queue` refuses a patch that breaks one, naming the rule; PatchGate enforces the lanes on chain.
 */
import type { PolicyConfig } from '../config/schema.js';
import type { Lane } from '../govern/digest.js';
import { emergencySeverities } from '../govern/policy.js';
import { formatUsd, parseUsd } from './money.js';
import type { SeverityLevel } from './severity.js';

export interface PolicyViolation {
  /** The config key of the rule (`policy.lanes.emergency.severities`). */
  rule: string;
  message: string;
  fix: string;
}

/**
 * What a patch in `lane` breaks of the policy, given its assessed severity and value at risk (micro-dollars,
 * undefined when unknown). An unknown value at risk breaks a cap: a cap that cannot be checked does not pass.
 *
 * @example
 * ```ts
 * laneViolations(config.policy, 'emergency', { severity: 'medium' });
 * // [{ rule: 'policy.lanes.emergency.severities', … }]
 * ```
 */
export function laneViolations(
  policy: PolicyConfig,
  lane: Lane,
  facts: { severity: SeverityLevel; valueAtRiskMicro?: bigint },
): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  if (lane === 'emergency') {
    const allowed = emergencySeverities(policy);
    if (!(allowed as readonly string[]).includes(facts.severity)) {
      out.push({
        rule: 'policy.lanes.emergency.severities',
        message: `the emergency lane is for ${allowed.join(', ') || 'no'} severity bugs; this one is ${facts.severity}`,
        fix: 'propose it in the standard lane, or (if the triage was wrong) set patches[].risk.severity and assess again',
      });
    }
  }
  const cap = policy.lanes.standard.maxValueAtRisk;
  if (lane === 'standard' && cap !== undefined) {
    if (facts.valueAtRiskMicro === undefined) {
      out.push({
        rule: 'policy.lanes.standard.maxValueAtRisk',
        message: `the standard lane may leave at most $${cap} exposed, and the value at risk is unknown (no risk.assets in the config)`,
        fix: 'list the assets the contract holds under risk.assets, with a price or an oracle',
      });
    } else if (facts.valueAtRiskMicro > parseUsd(cap)) {
      out.push({
        rule: 'policy.lanes.standard.maxValueAtRisk',
        message: `the standard lane may leave at most $${cap} exposed; $${formatUsd(facts.valueAtRiskMicro)} is at risk`,
        fix: 'propose it in the emergency lane (the guardian pauses at once), or move the funds out of reach first',
      });
    }
  }
  return out;
}
