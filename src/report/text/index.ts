/** The report for people, by kind: each kind with its own sections has its own file here. */
import pc from 'picocolors';
import { type Report, unhandledKind } from '../report.js';
import { checkText } from './check.js';
import { findingsText } from './findings.js';
import { pairsText } from './pairs.js';
import { simulateText } from './simulate.js';

export function renderText(report: Report, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  switch (report.report) {
    case 'check':
      return checkText(report, c);
    case 'pairs':
      return pairsText(report, c);
    case 'simulate':
      return simulateText(report, c);
    // The CLI renders these three in text itself (cli/propose.ts, verify.ts, audit.ts); here, their findings.
    case 'propose':
    case 'verify':
    case 'audit':
      return findingsText(report, c);
    default:
      return unhandledKind(report);
  }
}
