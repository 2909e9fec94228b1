/** A check report in text: the versions compared and the proxy kind, then the findings. */
import type { CheckReport } from '../../analyze/run-check.js';
import { scanFixedSummary } from '../common.js';
import { type Colors, findingsText } from './findings.js';

export function checkText(report: CheckReport, c: Colors): string {
  const fixed = scanFixedSummary(report.findings);
  return findingsText(report, c, {
    subject: `${report.reference.name} → ${report.candidate.name} (${report.kind})`,
    sections: fixed ? [c.green(fixed)] : [],
  });
}
