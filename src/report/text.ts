/** The report for people: grouped by status, most severe first, each finding with where, why and the fix. */
import pc from 'picocolors';
import type { Finding, Report } from '../analyze/finding.js';

type Colors = ReturnType<typeof pc.createColors>;

const GROUPS: Array<[NonNullable<Finding['status']> | 'none', string]> = [
  ['introduced', 'Introduced by this patch'],
  ['none', 'Findings'],
  ['unchanged', 'Already in the live version (unchanged)'],
  ['fixed', 'Fixed by this patch'],
];

export function where(f: Finding): string {
  if (!f.location) return '';
  const fn = f.location.function ? `.${f.location.function}` : '';
  return `${f.location.file}:${f.location.line} ${f.location.contract}${fn}`;
}

function severityLabel(c: Colors, f: Finding): string {
  const s = f.severity.padEnd(8);
  if (f.severity === 'critical' || f.severity === 'high') return c.red(s);
  if (f.severity === 'medium') return c.yellow(s);
  return c.dim(s);
}

export function renderText(report: Report, opts: { color: boolean }): string {
  const c = opts.color ? pc : pc.createColors(false);
  const lines: string[] = [];
  const subject =
    report.reference && report.candidate
      ? ` ${(report.reference as { name: string }).name} → ${(report.candidate as { name: string }).name}${report.kind ? ` (${String(report.kind)})` : ''}`
      : '';
  lines.push(
    `${report.verdict === 'pass' ? c.green(c.bold('PASS')) : c.red(c.bold('FAIL'))}${subject}  ${c.dim(`digest ${report.digest.slice(0, 18)}…`)}`,
  );
  for (const [status, title] of GROUPS) {
    const group = report.findings.filter((f) => (f.status ?? 'none') === status);
    if (group.length === 0) continue;
    lines.push('', c.bold(title));
    for (const f of group) {
      const ack = f.acknowledged ? c.cyan(' (acknowledged)') : '';
      const blocks = f.blocking && !f.acknowledged && f.status !== 'fixed' ? c.red(' [blocking]') : '';
      lines.push(`  ${severityLabel(c, f)} ${c.bold(f.id)}${blocks}${ack}  ${c.dim(where(f))}`);
      lines.push(`      ${f.message}`);
      if (f.hint && f.status !== 'fixed' && (f.blocking || f.severity !== 'info'))
        lines.push(`      ${c.dim('> fix:')} ${f.hint}`);
      if (f.acknowledgedReason) lines.push(`      ${c.dim('> acknowledged:')} ${f.acknowledgedReason}`);
    }
  }
  const blocking = report.findings.filter(
    (f) => f.blocking && !f.acknowledged && f.status !== 'fixed',
  ).length;
  const acknowledged = report.findings.filter((f) => f.acknowledged).length;
  const fixed = report.findings.filter((f) => f.status === 'fixed').length;
  lines.push('', `${blocking} blocking, ${acknowledged} acknowledged, ${fixed} fixed by this patch`);
  return `${lines.join('\n')}\n`;
}
