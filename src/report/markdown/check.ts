/** A check as a pull-request comment: the verdict, then the pair's section with its storage layout diff. */
import type { CheckReport } from '../../analyze/run-check.js';
import type { ProofEntry } from '../../prove/targets.js';
import { fixedSummary, proofWords } from '../common.js';
import { text } from './escape.js';
import { sectionMarkdown, verdictLines } from './findings.js';
import type { SourceOptions } from './source.js';

/** `VaultV1 → VaultV2 (uups)`: what a check compared. */
const pairSubject = (r: CheckReport) => `${r.reference.name} → ${r.candidate.name} (${r.kind})`;

/** The section of one checked pair (a many-pairs check puts its name first). */
export function checkSection(r: CheckReport, opts: SourceOptions, name?: string): string {
  return sectionMarkdown(`${name ? `${name}: ` : ''}${pairSubject(r)}`, layoutData(r), opts);
}

const layoutData = (r: CheckReport) => ({
  verdict: r.verdict,
  findings: r.findings,
  ...(r.storageLayout ? { storageLayout: r.storageLayout } : {}),
  names: { reference: r.reference.name, candidate: r.candidate.name },
});

export function checkMarkdown(r: CheckReport, opts: SourceOptions = {}): string {
  const fixed = fixedSummary(r.findings);
  const lead = fixed ? ['', `**${text(fixed.charAt(0).toUpperCase() + fixed.slice(1))}**`] : [];
  return `${[...verdictLines(r), ...lead, ...proofList(r.proofs ?? []), '', checkSection(r, opts)].join('\n')}\n`;
}

/** The proofs as a list: `- **proved** deposit-no-overmint of VaultV2`. */
export function proofList(proofs: readonly ProofEntry[]): string[] {
  if (proofs.length === 0) return [];
  return [
    '',
    ...proofs.map((p) => {
      const { status, what, why } = proofWords(p);
      return `- **${status}** ${text(what + why)}`;
    }),
  ];
}
