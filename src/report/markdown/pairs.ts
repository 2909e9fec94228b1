/**
 * A many-pairs check as a pull-request comment: the verdict, a summary table (one row per pair), then one
 * collapsed section per pair, the blocking ones open.
 */
import type { PairsReport } from '../../analyze/run-pairs.js';
import { tally } from '../common.js';
import { checkSection } from './check.js';
import { text } from './escape.js';
import { mark, verdictLines } from './findings.js';
import type { SourceOptions } from './source.js';

const cell = (s: string) => text(s, { cell: true });

export function pairsMarkdown(report: PairsReport, opts: SourceOptions = {}): string {
  const count = report.pairs.length + (report.errors?.length ?? 0);
  const out = [
    ...verdictLines(report, ` (${count} pairs)`),
    '',
    '| pair | verdict | blocking | findings |',
    '| --- | --- | --- | --- |',
    ...report.pairs.map(
      (p) => `| ${cell(p.name)} | ${mark(p)} | ${tally(p.findings).blocking} | ${p.findings.length} |`,
    ),
    ...(report.errors ?? []).map((e) => `| ${cell(e.name)} | ERROR | | \`${e.code}\`: ${cell(e.message)} |`),
  ];
  for (const p of report.pairs) out.push('', checkSection(p, opts, p.name));
  return `${out.join('\n')}\n`;
}
