/**
 * What a sink sends: an `alert` log entry as a delivery item (its log index, leaf hash and digest so the receiver
 * can dedup, then rule, severity, message, block, transaction and time), and the two bodies built from one item
 * or from several folded into a summary — `json` (patchgate's own, signed) and `slack` (an incoming-webhook body).
 * Pure: no I/O, so each shape is pinned by a test.
 */
import type { Hex } from 'viem';
import type { Severity } from '../../core/finding.js';
import { entryLeafHash, parseEntry } from '../../ledger/entry.js';
import type { ExportRecord } from '../../ledger/export.js';
import { toHex } from '../../ledger/hash.js';

export interface AlertItem {
  /** The entry's index in the log: with the leaf hash, what a receiver dedups on. */
  logIndex: number;
  /** SHA-256 leaf hash of the entry as logged (provable against a signed log head). */
  leafHash: Hex;
  /** The alert's own identity (rule, block, finding, key), as the watcher recorded it. */
  digest: Hex;
  rule: string;
  severity: Severity;
  message: string;
  /** Decimal, as logged (block numbers may pass 2^53). */
  blockNumber: string | null;
  txHash: Hex | null;
  /** When the watcher recorded it (ISO 8601 UTC). */
  at: string;
}

/** The alert a log record holds, or undefined for any other kind of entry. A damaged entry throws (fail closed). */
export function alertItem(record: ExportRecord): AlertItem | undefined {
  const entry = parseEntry(record.entry);
  if (entry.kind !== 'alert') return undefined;
  return {
    logIndex: record.index,
    leafHash: toHex(entryLeafHash(record.entry)),
    digest: entry.digest,
    rule: entry.rule,
    severity: entry.severity,
    message: entry.message,
    blockNumber: entry.blockNumber ?? null,
    txHash: entry.txHash ?? null,
    at: entry.at,
  };
}

/** `3 more alerts: 1 critical, 2 high (log #4–#9)`: the first line of a folded summary. */
function summaryLine(items: readonly AlertItem[]): string {
  const counts = new Map<Severity, number>();
  for (const i of items) counts.set(i.severity, (counts.get(i.severity) ?? 0) + 1);
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  const bySeverity = order.flatMap((s) => (counts.has(s) ? [`${counts.get(s)} ${s}`] : [])).join(', ');
  const first = items[0]?.logIndex;
  const last = items.at(-1)?.logIndex;
  return `${items.length} more alerts: ${bySeverity} (log #${first}–#${last})`;
}

/** `json`: one item as `{type: "alert", origin, …item}`; several as `{type: "summary", origin, count, message, alerts}`. */
export function jsonBody(origin: string, items: readonly AlertItem[]): string {
  const [only] = items;
  if (items.length === 1 && only) return JSON.stringify({ type: 'alert', origin, ...only });
  return JSON.stringify({
    type: 'summary',
    origin,
    count: items.length,
    message: summaryLine(items),
    alerts: items,
  });
}

/** Slack mrkdwn control characters: an alert message from chain data must not become a link or a mention. */
const escapeSlack = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack refuses a section longer than 3000 characters. */
const SECTION_MAX = 3000;
/** Lines of a folded summary shown in Slack; the JSON kind lists them all. */
const SUMMARY_LINES = 10;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function line(i: AlertItem): string {
  const where = [i.blockNumber ? `block ${i.blockNumber}` : '', i.txHash ? `tx ${i.txHash}` : '']
    .filter(Boolean)
    .join(', ');
  return `[${i.severity}] ${i.rule}: ${i.message}${where ? ` (${where})` : ''}`;
}

/** `slack`: `{text, blocks}` — the plain text (notifications) and one mrkdwn section, escaped and clipped. */
export function slackBody(items: readonly AlertItem[]): string {
  const [only] = items;
  const text =
    items.length === 1 && only
      ? line(only)
      : [
          summaryLine(items),
          ...items.slice(0, SUMMARY_LINES).map(line),
          ...(items.length > SUMMARY_LINES ? [`…and ${items.length - SUMMARY_LINES} more`] : []),
        ].join('\n');
  const safe = clip(escapeSlack(text), SECTION_MAX);
  const first = items[0]?.logIndex;
  const last = items.at(-1)?.logIndex;
  const context = `patchgate · log #${first}${last !== first ? `–#${last}` : ''}`;
  return JSON.stringify({
    text: safe,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: safe } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  });
}
