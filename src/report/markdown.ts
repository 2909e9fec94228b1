/** A pull-request comment: verdict, a table, then each finding with its fix. */
import type { Finding, Report } from '../analyze/finding.js';
import { where } from './text.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const blocking = report.findings.filter((f) => f.blocking && !f.acknowledged && f.status !== 'fixed');
  out.push(`### patchgate: ${report.verdict === 'pass' ? 'PASS' : 'FAIL'}`);
  out.push('');
  out.push(`${blocking.length} blocking finding(s), digest \`${report.digest}\`.`);
  out.push('');
  if (report.findings.length > 0) {
    out.push('| severity | id | status | location | message |');
    out.push('| --- | --- | --- | --- | --- |');
    for (const f of report.findings) {
      const status = `${f.status ?? ''}${f.acknowledged ? ' (acknowledged)' : ''}${isBlocking(f) ? ' **blocking**' : ''}`;
      out.push(`| ${f.severity} | \`${f.id}\` | ${cell(status)} | ${cell(where(f))} | ${cell(f.message)} |`);
    }
    out.push('');
    out.push('<details><summary>How to fix</summary>');
    out.push('');
    for (const f of report.findings.filter((x) => x.status !== 'fixed')) {
      out.push(`- **\`${f.id}\`** (${cell(where(f))}): ${f.hint ?? f.title}`);
    }
    out.push('');
    out.push('</details>');
  }
  return `${out.join('\n')}\n`;
}

function isBlocking(f: Finding): boolean {
  return f.blocking && !f.acknowledged && f.status !== 'fixed';
}
