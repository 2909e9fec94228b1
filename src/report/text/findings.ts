/**
 * The text every report shares: the verdict line, then per status group (introduced, unchanged, fixed) one
 * block per finding, in upgrades-core's report style, then the tally:
 *
 *     critical  access-control-removed  src/VaultV2.sol:42 VaultV2.setFeeRecipient  [blocking]
 *         setFeeRecipient lost its onlyRole guard …
 *         > fix: Restore the modifier or caller check …
 */
import type pc from 'picocolors';
import type { Finding, ReportHeader } from '../../core/finding.js';
import { blocksGate, groupOf, orderFindings, STATUS_GROUPS, tally, tallyLine, where } from '../common.js';

export type Colors = ReturnType<typeof pc.createColors>;

function severityLabel(c: Colors, f: Finding): string {
  const s = f.severity.padEnd(8);
  if (f.severity === 'critical' || f.severity === 'high') return c.red(s);
  if (f.severity === 'medium') return c.yellow(s);
  return c.dim(s);
}

/** `FAIL V1 → V2 (uups)  digest 0x…`: the subject (what was compared) is the kind's own, if it has one. */
function verdictLine(report: ReportHeader, c: Colors, subject: string): string {
  const verdict = report.verdict === 'pass' ? c.green(c.bold('PASS')) : c.red(c.bold('FAIL'));
  return `${verdict}${subject ? ` ${subject}` : ''}  ${c.dim(`digest ${report.digest.slice(0, 18)}…`)}`;
}

/**
 * Text that came from the code under review (file and contract names, messages quoting it, a suppression's reason)
 * printed without its control characters: an escape sequence in a file name could otherwise move the cursor, erase
 * the blocking lines or repaint the verdict on a terminal. Each is shown as `\x1b`; a tab stays a tab.
 */
const CONTROL = new RegExp(
  `[${String.fromCharCode(0)}-${String.fromCharCode(8)}${String.fromCharCode(11)}-${String.fromCharCode(31)}${String.fromCharCode(127)}-${String.fromCharCode(159)}]`,
  'g',
);

function printable(text: string): string {
  return text.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function findingLines(f: Finding, c: Colors): string[] {
  const loc = where(f) ? printable(where(f) as string) : '';
  const marks = `${blocksGate(f) ? c.red('  [blocking]') : ''}${f.acknowledged ? c.cyan('  (acknowledged)') : ''}`;
  const out = [`  ${severityLabel(c, f)}  ${c.bold(f.id)}${loc ? `  ${loc}` : ''}${marks}`];
  for (const line of f.message.split('\n')) out.push(`      ${printable(line)}`);
  // A fix for what is gone, or for an info note, is noise.
  if (f.hint && f.status !== 'fixed' && (f.blocking || f.severity !== 'info')) {
    out.push(`      ${c.dim('> fix:')} ${f.hint}`);
  }
  if (f.acknowledged)
    out.push(
      `      ${c.dim('> acknowledged:')} ${printable(f.acknowledgedReason ?? 'acknowledged').replaceAll('\n', ' ')}`,
    );
  return out;
}

/** The verdict line, the kind's own sections (`sections`), the findings by status group, the tally. */
export function findingsText(
  report: ReportHeader,
  c: Colors,
  { subject = '', sections = [] }: { subject?: string; sections?: readonly string[] } = {},
): string {
  const lines = [verdictLine(report, c, subject), ...sections];
  const ordered = orderFindings(report.findings);
  for (const [group, title] of STATUS_GROUPS) {
    const members = ordered.filter((f) => groupOf(f) === group);
    if (members.length === 0) continue;
    lines.push('', c.bold(title));
    for (const f of members) lines.push(...findingLines(f, c));
  }
  lines.push('', tallyLine(tally(report.findings)));
  return `${lines.join('\n')}\n`;
}
