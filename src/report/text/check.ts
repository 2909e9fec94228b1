/** A check report in text: the versions compared and the proxy kind, then the findings. */
import type { CheckReport } from '../../analyze/run-check.js';
import type { Finding } from '../../core/finding.js';
import type { ProofEntry } from '../../prove/targets.js';
import { fixedSummary, proofWords } from '../common.js';
import { type Colors, findingsText } from './findings.js';

/** The scan's good news under the verdict, when the patch fixed a scan finding (check and scan reports). */
export function fixedLead(findings: readonly Finding[], c: Colors): string[] {
  const fixed = fixedSummary(findings);
  return fixed ? [c.green(fixed)] : [];
}

/** One line per proof: proved, violated (with its call sequence) or unknown (with why). */
export function proofLines(proofs: readonly ProofEntry[], c: Colors): string[] {
  return proofs.map((p) => {
    const { status, what, why } = proofWords(p);
    const mark =
      status === 'proved'
        ? c.green('proved  ')
        : status === 'violated'
          ? c.red('violated')
          : c.yellow('unknown ');
    return `${mark} ${what}${why}`;
  });
}

export function checkText(report: CheckReport, c: Colors): string {
  return findingsText(report, c, {
    subject: `${report.reference.name} → ${report.candidate.name} (${report.kind})`,
    sections: [...fixedLead(report.findings, c), ...proofLines(report.proofs ?? [], c)],
  });
}
