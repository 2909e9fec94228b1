import type { AssessReport } from '../../lifecycle/assess.js';
import { assessmentLines } from '../text/assess.js';
/** The report as a pull-request comment, by kind, within GitHub's comment size. */

import type { SimulateReport } from '../../simulate/run-simulate.js';
import { scanSubject } from '../common.js';
import { type Report, unhandledKind } from '../report.js';
import { auditMarkdown } from './audit.js';
import { checkMarkdown, proofList } from './check.js';
import { findingsMarkdown } from './findings.js';
import { fitComment } from './fit.js';
import { pairsMarkdown } from './pairs.js';
import type { SourceOptions } from './source.js';

export type { SourceOptions } from './source.js';

/** The differential fuzzing in one line (its differences are findings, listed above it). */
function fuzzLine(fuzz: SimulateReport['fuzz']): string {
  if ('skipped' in fuzz) return `_Differential fuzzing skipped: ${fuzz.skipped}._`;
  return `_Differential fuzzing (seed ${fuzz.seed}): ${fuzz.functionsCovered} of ${fuzz.functionsTotal} functions, ${fuzz.callsRun} generated calls, ${fuzz.differences.length} difference(s)${fuzz.budgetExhausted ? ', time budget spent' : ''}._`;
}

/** An assessment as Markdown: the text lines in a code block (numbers line up; nothing to escape). */
function assessMarkdown(report: AssessReport): string {
  return `\`\`\`\n${assessmentLines(report).join('\n')}\n\`\`\`\n`;
}

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
      return `${findingsMarkdown(report, opts, `simulation of patch ${report.patch}`)}\n${fuzzLine(report.fuzz)}\n`;
    case 'propose':
      return findingsMarkdown(report, opts, `proposal of patch ${report.patch}`);
    case 'verify':
      return findingsMarkdown(report, opts, `verification of patch ${report.patch}`);
    case 'assess':
      return `${findingsMarkdown(report, opts, `assessment of patch ${report.patch}`)}\n${assessMarkdown(report)}`;
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
