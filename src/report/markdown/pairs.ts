/** A many-pairs check as a pull-request comment: a summary table (one row per pair), then each pair's comment. */
import type { PairsReport } from '../../analyze/run-pairs.js';
import { tally } from '../common.js';
import { findingsMarkdown } from './findings.js';

const mark = (r: { verdict: string }) => (r.verdict === 'pass' ? 'PASS' : 'FAIL');

export function pairsMarkdown(report: PairsReport): string {
  const out = [
    `### patchgate: ${mark(report)} (${report.pairs.length + (report.errors?.length ?? 0)} pairs)`,
    '',
    '| pair | verdict | blocking | findings |',
    '| --- | --- | --- | --- |',
    ...report.pairs.map(
      (p) =>
        `| ${p.name.replace(/\|/g, '\\|')} | ${mark(p)} | ${tally(p.findings).blocking} | ${p.findings.length} |`,
    ),
    ...(report.errors ?? []).map((e) => `| ${e.name.replace(/\|/g, '\\|')} | ERROR | | ${e.code} |`),
    '',
    `Digest \`${report.digest}\`.`,
  ];
  for (const p of report.pairs) {
    out.push('', `#### ${p.name}`, '', findingsMarkdown(p).replace(/^### /, '##### ').trimEnd());
  }
  return `${out.join('\n')}\n`;
}
