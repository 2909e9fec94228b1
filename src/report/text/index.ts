/** The report for people, by kind: each kind with its own sections has its own file here. */
import pc from 'picocolors';
import { type Report, unhandledKind } from '../report.js';
import { auditText } from './audit.js';
import { checkText } from './check.js';
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
    case 'simulate':
      return simulateText(report, c);
    case 'propose':
      return proposeText(report, c);
    case 'verify':
      return verifyText(report, c);
    case 'audit':
      return auditText(report, c);
    default:
      return unhandledKind(report);
  }
}
