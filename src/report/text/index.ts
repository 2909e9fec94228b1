/** The report for people, by kind: each kind with its own sections has its own file here. */
import pc from 'picocolors';
import { scanSubject } from '../common.js';
import { type Report, unhandledKind } from '../report.js';
import { assessText } from './assess.js';
import { auditText } from './audit.js';
import { checkText, fixedLead, proofLines } from './check.js';
import { findingsText } from './findings.js';
import { pairsText } from './pairs.js';
import { proposeText } from './propose.js';
import { simulateText } from './simulate.js';
import { verifyText } from './verify.js';

export function renderText(report: Report, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  switch (report.report) {
    case 'check':
      return checkText(report, c);
    case 'pairs':
      return pairsText(report, c);
    case 'scan':
      return findingsText(report, c, {
        subject: scanSubject(report),
        sections: fixedLead(report.findings, c),
      });
    case 'prove':
      return findingsText(report, c, {
        subject: `proofs of ${report.contract}`,
        sections: proofLines(report.proofs, c),
      });
    case 'simulate':
      return simulateText(report, c);
    case 'propose':
      return proposeText(report, c);
    case 'verify':
      return verifyText(report, c);
    case 'audit':
      return auditText(report, c);
    case 'assess':
      return assessText(report, c);
    default:
      return unhandledKind(report);
  }
}
