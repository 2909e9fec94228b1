/** The report as a pull-request comment, by kind. */
import { type Report, unhandledKind } from '../report.js';
import { findingsMarkdown } from './findings.js';
import { pairsMarkdown } from './pairs.js';

export function renderMarkdown(report: Report): string {
  switch (report.report) {
    case 'pairs':
      return pairsMarkdown(report);
    // The CLI adds the audit's history table after this (cli/audit.ts).
    case 'check':
    case 'simulate':
    case 'propose':
    case 'verify':
    case 'audit':
      return findingsMarkdown(report);
    default:
      return unhandledKind(report);
  }
}
