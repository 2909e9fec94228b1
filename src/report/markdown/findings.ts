/**
 * A pull-request comment: the verdict line first, then one collapsed section per contract checked (open when it
 * blocks), holding a table of its findings, the storage layout diff, and each finding with its source lines, a
 * link to them and its fix.
 */
import type { LayoutChange } from '../../analyze/layout-diff.js';
import type { Finding, ReportHeader } from '../../core/finding.js';
import { blocksGate, orderFindings, tally, tallyLine } from '../common.js';
import { code, text } from './escape.js';
import { layoutMarkdown } from './layout.js';
import { type SourceOptions, sourceExcerpt, sourceLink } from './source.js';

/** Table cells hold one line and no unescaped pipe, and no HTML or mention. */
const cell = (s: string) => text(s, { cell: true });

export const mark = (r: { verdict: string }) => (r.verdict === 'pass' ? 'PASS' : 'FAIL');

function statusCell(f: Finding): string {
  const marks = [f.acknowledged ? '(acknowledged)' : '', blocksGate(f) ? '**blocking**' : ''].filter(Boolean);
  return [f.status ?? '', ...marks].filter(Boolean).join(' ');
}

/** `` [`src/VaultV2.sol:42`](https://…#L42) `VaultV2.setFee` `` (the link only when there is one). */
function locationText(f: Finding, opts: SourceOptions): string {
  if (!f.location) return '';
  const spot = code(`${f.location.file}:${f.location.line}`);
  const link = sourceLink(f, opts);
  const fn = f.location.function ? `.${f.location.function}` : '';
  return `${link ? `[${spot}](${link})` : spot} ${code(`${f.location.contract}${fn}`)}`;
}

/** `### patchgate: FAIL` and the tally: what a reviewer reads before opening anything. */
export function verdictLines(report: ReportHeader, title = ''): string[] {
  return [
    `### patchgate: ${mark(report)}${title}`,
    '',
    `${tallyLine(tally(report.findings))}. Digest \`${report.digest}\`.`,
  ];
}

/** What a section holds: the findings, and the storage layout diff of a check. */
export interface SectionData {
  verdict: 'pass' | 'fail';
  findings: readonly Finding[];
  storageLayout?: readonly LayoutChange[];
  /** The reference and candidate names, for the layout table's columns. */
  names?: { reference: string; candidate: string };
}

/** The findings table, the layout table and each finding in detail. */
function sectionBody(data: SectionData, opts: SourceOptions): string[] {
  const findings = orderFindings(data.findings);
  const out: string[] = [];
  if (findings.length === 0) out.push('No findings.');
  else {
    out.push('| severity | id | status | location | message |', '| --- | --- | --- | --- | --- |');
    for (const f of findings) {
      out.push(
        `| ${f.severity} | \`${f.id}\` | ${cell(statusCell(f))} | ${locationText(f, opts)} | ${cell(f.message)} |`,
      );
    }
  }
  if (data.storageLayout && data.storageLayout.length > 0) {
    const names = data.names ?? { reference: 'reference', candidate: 'candidate' };
    out.push('', layoutMarkdown(data.storageLayout, names.reference, names.candidate));
  }
  for (const f of findings) {
    out.push('', `#### \`${f.id}\`: ${text(f.title)}`, '');
    const facts = [`severity ${f.severity}`, statusCell(f), locationText(f, opts)].filter(Boolean);
    out.push(facts.join(' · '), '', text(f.message));
    const excerpt = sourceExcerpt(f, opts);
    if (excerpt) out.push('', excerpt);
    if (f.hint && f.status !== 'fixed') out.push('', `> **Fix:** ${text(f.hint, { cell: true })}`);
    if (f.acknowledged)
      out.push('', `> **Acknowledged:** ${text(f.acknowledgedReason ?? 'acknowledged', { cell: true })}`);
  }
  return out;
}

/**
 * One collapsed section: open when it blocks (a reviewer sees why at once), its summary line saying the verdict,
 * the subject and the count of blocking findings.
 */
export function sectionMarkdown(subject: string, data: SectionData, opts: SourceOptions): string {
  const blocking = tally(data.findings).blocking;
  const counts = `${blocking} blocking, ${data.findings.length} finding${data.findings.length === 1 ? '' : 's'}`;
  return [
    blocking > 0 || data.verdict === 'fail' ? '<details open>' : '<details>',
    `<summary><b>${mark(data)}</b> ${text(subject, { cell: true })}: ${counts}</summary>`,
    '',
    ...sectionBody(data, opts),
    '',
    '</details>',
  ].join('\n');
}

/** A report without contracts of its own (simulate, propose, verify): the verdict, then one section. */
export function findingsMarkdown(
  report: ReportHeader,
  opts: SourceOptions = {},
  subject = 'findings',
  lead: readonly string[] = [],
): string {
  return `${[...verdictLines(report), ...lead, '', sectionMarkdown(subject, report, opts)].join('\n')}\n`;
}
