/** The report as a pull-request comment, by kind. */
import { type Report, unhandledKind } from '../report.js';
import { auditMarkdown } from './audit.js';
import { findingsMarkdown } from './findings.js';
import { pairsMarkdown } from './pairs.js';

export function renderMarkdown(report: Report): string {
  switch (report.report) {
    case 'pairs':
      return pairsMarkdown(report);
    case 'audit':
      return auditMarkdown(report);
    case 'check':
    case 'simulate':
    case 'propose':
    case 'verify':
      return findingsMarkdown(report);
    default:
      return unhandledKind(report);
  }
}
