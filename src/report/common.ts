/** What every renderer shares: where a finding is, whether it blocks, and the order people read findings in. */
import { type Finding, SEVERITIES } from '../core/finding.js';
import type { ProofEntry } from '../prove/targets.js';

/** `src/VaultV2.sol:42 VaultV2.setFeeRecipient`, or '' for a finding without a location. */
export function where(f: Finding): string {
  if (!f.location) return '';
  const fn = f.location.function ? `.${f.location.function}` : '';
  return `${f.location.file}:${f.location.line} ${f.location.contract}${fn}`;
}

/** The gate's rule for one finding (see verdictOf). */
export function blocksGate(f: Finding): boolean {
  return f.blocking && !f.acknowledged && f.status !== 'fixed';
}

/** Status groups in reading order: what the patch adds first, good news last. */
export const STATUS_GROUPS = [
  ['introduced', 'Introduced by this patch'],
  ['none', 'Findings'],
  ['unchanged', 'Already in the live version (unchanged)'],
  ['fixed', 'Fixed by this patch'],
] as const;

type GroupKey = (typeof STATUS_GROUPS)[number][0];

export const groupOf = (f: Finding): GroupKey => f.status ?? 'none';

const groupRank = (f: Finding) => STATUS_GROUPS.findIndex(([g]) => g === groupOf(f));

/** Status group, then severity (critical first), then blocking first; otherwise the analyzer's order. */
export function orderFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        groupRank(a.f) - groupRank(b.f) ||
        SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) ||
        Number(blocksGate(b.f)) - Number(blocksGate(a.f)) ||
        a.i - b.i,
    )
    .map(({ f }) => f);
}

export interface Tally {
  blocking: number;
  acknowledged: number;
  fixed: number;
}

export function tally(findings: readonly Finding[]): Tally {
  return {
    blocking: findings.filter(blocksGate).length,
    acknowledged: findings.filter((f) => f.acknowledged).length,
    fixed: findings.filter((f) => f.status === 'fixed').length,
  };
}

/** `2 blocking, 1 acknowledged, 1 fixed by this patch` */
export const tallyLine = (t: Tally) =>
  `${t.blocking} blocking, ${t.acknowledged} acknowledged, ${t.fixed} fixed by this patch`;

/**
 * The scan's and the proofs' good news, for the top of a check report: `fixed by this patch: scan-reentrancy in
 * VaultV1.flashLoan (high)`. Empty when the patch fixed no scan or prove finding.
 */
export function fixedSummary(findings: readonly Finding[]): string {
  const fixed = findings.filter(
    (f) => f.status === 'fixed' && (f.id.startsWith('scan-') || f.id.startsWith('prove-')),
  );
  if (fixed.length === 0) return '';
  return `fixed by this patch: ${fixed.map(findingBrief).join(', ')}`;
}

/** `scan-reentrancy in VaultV1.flashLoan (high)`: a finding in a few words, for a one-line summary. */
export function findingBrief(f: Finding): string {
  const at = f.location
    ? ` in ${f.location.contract}${f.location.function ? `.${f.location.function}` : ''}`
    : '';
  return `${f.id}${at} (${f.severity})`;
}

/** A proof as one line's words: `deposit-no-overmint (VaultV2): proved`, with the call sequence or the reason. */
export function proofWords(p: ProofEntry): { status: ProofEntry['status']; what: string; why: string } {
  const name = p.contract ? `${p.target} of ${p.contract.split(':').pop()}` : p.target;
  const why = p.counterexample ? `: ${p.counterexample}` : p.reason ? ` (${p.reason})` : '';
  return { status: p.status, what: name, why };
}

/** `scan of 3 contracts (16 detectors)`, or `scan of VaultV1 → src/VaultV2.sol:VaultV2` for a patch. */
export function scanSubject(r: {
  contracts: readonly { fullyQualifiedName: string }[];
  reference?: string;
  detectors: readonly string[];
}): string {
  const first = r.contracts[0]?.fullyQualifiedName ?? '';
  if (r.reference !== undefined) return `scan of ${r.reference} → ${first}`;
  const what = r.contracts.length === 1 ? first : `${r.contracts.length} contracts`;
  return `scan of ${what} (${r.detectors.length} detector${r.detectors.length === 1 ? '' : 's'})`;
}
