/** A check report in text: the versions compared and the proxy kind, then the findings. */
import type { CheckReport } from '../../analyze/run-check.js';
import type { Finding } from '../../core/finding.js';
import { scanFixedSummary } from '../common.js';
import { type Colors, findingsText } from './findings.js';

/** The scan's good news under the verdict, when the patch fixed a scan finding (check and scan reports). */
export function fixedLead(findings: readonly Finding[], c: Colors): string[] {
  const fixed = scanFixedSummary(findings);
  return fixed ? [c.green(fixed)] : [];
}

export function checkText(report: CheckReport, c: Colors): string {
  return findingsText(report, c, {
    subject: `${report.reference.name} → ${report.candidate.name} (${report.kind})`,
    sections: fixedLead(report.findings, c),
  });
}
