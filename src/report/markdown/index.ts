/** The report as a pull-request comment, by kind, within GitHub's comment size. */

import { scanSubject } from '../common.js';
import { type Report, unhandledKind } from '../report.js';
import { auditMarkdown } from './audit.js';
import { checkMarkdown, proofList } from './check.js';
import { findingsMarkdown } from './findings.js';
import { fitComment } from './fit.js';
import { pairsMarkdown } from './pairs.js';
import type { SourceOptions } from './source.js';

export type { SourceOptions } from './source.js';

function markdownOf(report: Report, opts: SourceOptions): string {
  switch (report.report) {
    case 'check':
      return checkMarkdown(report, opts);
    case 'pairs':
      return pairsMarkdown(report, opts);
    case 'scan':
      return findingsMarkdown(report, opts, scanSubject(report));
    case 'prove':
      return findingsMarkdown(report, opts, `proofs of ${report.contract}`, proofList(report.proofs));
    case 'audit':
      return auditMarkdown(report);
    case 'simulate':
      return findingsMarkdown(report, opts, `simulation of patch ${report.patch}`);
    case 'propose':
      return findingsMarkdown(report, opts, `proposal of patch ${report.patch}`);
    case 'verify':
      return findingsMarkdown(report, opts, `verification of patch ${report.patch}`);
    default:
      return unhandledKind(report);
  }
}

/**
 * @example
 * ```ts
 * const body = renderMarkdown(report, { sourceText: (f) => readFileSync(join(dir, f), 'utf8'), sourceUrl });
 * ```
 */
export function renderMarkdown(report: Report, opts: SourceOptions = {}): string {
  const { sourceText, ...lean } = opts;
  return fitComment(markdownOf(report, opts), () => markdownOf(report, lean));
}
