/**
 * The bug's Immunefi severity (Vulnerability Severity Classification System v2.3, smart contracts), from the
 * evidence and the team's triage. Evidence sets a floor: a PoC that takes funds on the live version is
 * *critical* (direct theft of user funds) whatever the config says; a triage can raise a class, never lower it.
 */
import type { ImmunefiSeverity } from '../config/schema.js';

export type SeverityLevel = ImmunefiSeverity | 'unclassified';

const RANK: Record<SeverityLevel, number> = { critical: 0, high: 1, medium: 2, low: 3, unclassified: 4 };

export function severityRank(level: SeverityLevel): number {
  return RANK[level];
}

/** What the evidence says about the live version's bug, as read from the stored reports. */
export interface BugEvidence {
  /** PoCs that took value on the live version: name, profit token, profit in base units. */
  exploits: { poc: string; token: string; profit: bigint }[];
  /** Findings of the live version that the patch fixes (check's `fixed`): id, its severity, title. */
  fixed: { id: string; severity: string; title: string }[];
}

export interface Classification {
  level: SeverityLevel;
  /** The Immunefi impact in words. */
  impact: string;
  /** Why: each piece of evidence or triage that set or raised the level. */
  basis: string[];
}

const FINDING_LEVEL: Record<string, ImmunefiSeverity | undefined> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
};

/**
 * The highest class any evidence or the triage supports.
 *
 * @example
 * ```ts
 * classify({ exploits: [{ poc: 'drain', token: 'usdc', profit: 10n }], fixed: [] }, { severity: 'high' });
 * // { level: 'critical', impact: 'Direct theft of any user funds', basis: [...] }
 * ```
 */
export function classify(
  evidence: BugEvidence,
  triage: { severity?: ImmunefiSeverity; impact?: string } | undefined,
): Classification {
  const candidates: { level: SeverityLevel; impact: string; why: string }[] = [];
  for (const e of evidence.exploits) {
    candidates.push({
      level: 'critical',
      impact: 'Direct theft of any user funds',
      why: `PoC ${e.poc} took ${e.profit} base units of ${e.token} on the live version (simulate)`,
    });
  }
  for (const f of evidence.fixed) {
    const level = FINDING_LEVEL[f.severity];
    if (level)
      candidates.push({ level, impact: f.title, why: `the patch fixes ${f.id} (${f.severity}, check)` });
  }
  if (triage?.severity) {
    candidates.push({
      level: triage.severity,
      impact: triage.impact ?? `${triage.severity} (as triaged)`,
      why: `triaged ${triage.severity} in the config (patches[].risk.severity)`,
    });
  }
  if (candidates.length === 0) {
    return {
      level: 'unclassified',
      impact: 'none shown',
      basis: ['no PoC took value, the patch fixes no finding, and no severity was triaged'],
    };
  }
  const top = candidates.reduce((a, b) => (RANK[b.level] < RANK[a.level] ? b : a));
  return {
    level: top.level,
    impact: triage?.impact && top.level === triage.severity ? triage.impact : top.impact,
    basis: candidates.map((c) => c.why),
  };
}
