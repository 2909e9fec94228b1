/** The storage layout diff of a check as a table: each changed position, what was there and what is there now. */
import type { LayoutChange, LayoutVariable } from '../../analyze/layout-diff.js';
import { code, text } from './escape.js';

/** Rows past this many are counted, not shown (a deleted first variable shifts everything after it). */
const MAX_ROWS = 40;

const CHANGE: Record<LayoutChange['change'], string> = {
  added: 'added',
  removed: '**removed**',
  renamed: 'renamed',
  retyped: '**type changed**',
  replaced: '**different variable**',
};

const cell = (s: string) => text(s, { cell: true });

const variable = (v?: LayoutVariable) => (v ? `${code(`${v.type} ${v.label}`)} (${cell(v.contract)})` : '—');

export function layoutMarkdown(rows: readonly LayoutChange[], reference: string, candidate: string): string {
  const out = [
    `**Storage layout changes** (${reference} → ${candidate}, ${rows.length} position${rows.length === 1 ? '' : 's'})`,
    '',
    `| slot | offset | ${cell(reference)} | ${cell(candidate)} | change |`,
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows.slice(0, MAX_ROWS)) {
    const slot = r.namespace ? `${code(r.namespace)} + ${r.slot}` : r.slot;
    out.push(
      `| ${slot} | ${r.offset} | ${variable(r.reference)} | ${variable(r.candidate)} | ${CHANGE[r.change]} |`,
    );
  }
  if (rows.length > MAX_ROWS)
    out.push('', `… and ${rows.length - MAX_ROWS} more changed positions (see the JSON report).`);
  return out.join('\n');
}
