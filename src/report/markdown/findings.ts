/** A pull-request comment: the verdict, one table row per finding, then each finding with its fix. */
import type { Finding, ReportHeader } from '../../core/finding.js';
import { blocksGate, orderFindings, tally, tallyLine, where } from '../common.js';

/** Table cells hold one line and no unescaped pipe. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function statusCell(f: Finding): string {
  const marks = [f.acknowledged ? '(acknowledged)' : '', blocksGate(f) ? '**blocking**' : ''].filter(Boolean);
  return [f.status ?? '', ...marks].filter(Boolean).join(' ');
}

export function findingsMarkdown(report: ReportHeader): string {
  const findings = orderFindings(report.findings);
  const out: string[] = [
    `### patchgate: ${report.verdict === 'pass' ? 'PASS' : 'FAIL'}`,
    '',
    `${tallyLine(tally(findings))}. Digest \`${report.digest}\`.`,
  ];
  if (findings.length === 0) {
    out.push('', 'No findings.');
    return `${out.join('\n')}\n`;
  }
  out.push('', '| severity | id | status | location | message |', '| --- | --- | --- | --- | --- |');
  for (const f of findings) {
    const loc = where(f);
    out.push(
      `| ${f.severity} | \`${f.id}\` | ${cell(statusCell(f))} | ${loc ? `\`${cell(loc)}\`` : ''} | ${cell(f.message)} |`,
    );
  }
  out.push('', '<details><summary>Details and fixes</summary>', '');
  for (const f of findings) {
    out.push(`#### \`${f.id}\`: ${f.title}`, '');
    const facts = [`severity ${f.severity}`, statusCell(f), where(f) ? `\`${where(f)}\`` : ''].filter(
      Boolean,
    );
    out.push(facts.join(' · '), '', f.message, '');
    if (f.hint && f.status !== 'fixed') out.push(`> **Fix:** ${f.hint}`, '');
    if (f.acknowledged) out.push(`> **Acknowledged:** ${f.acknowledgedReason ?? 'acknowledged'}`, '');
  }
  out.push('</details>');
  return `${out.join('\n')}\n`;
}
