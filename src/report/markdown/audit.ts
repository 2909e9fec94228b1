/** An audit report as Markdown: the findings, then the timeline as a table. */
import type { AuditReport } from '../../audit/index.js';
import { label, what } from '../text/audit.js';
import { code } from './escape.js';
import { findingsMarkdown } from './findings.js';

/** The Markdown report with the timeline as a table after it. */
export function auditMarkdown(r: AuditReport): string {
  const rows = r.history.map((h) => {
    const s = h.status === 'authorized' ? `AUTHORIZED ${code(h.patch ?? '')}` : h.status.toUpperCase();
    return `| ${h.blockNumber} | ${label(h)} | ${code(what(h))} | \`${h.txHash}\` | \`${h.sender}\` | ${s} |`;
  });
  return [
    findingsMarkdown(r, {}, `history of ${r.proxy}`).trimEnd(),
    '',
    `#### History of \`${r.proxy}\` (chain ${r.chainId}, blocks ${r.fromBlock}…${r.toBlock})`,
    '',
    '| block | event | change | tx | sender | status |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
