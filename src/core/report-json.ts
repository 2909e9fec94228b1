import type { Finding, ReportHeader } from './finding.js';

/** A finding's keys in DESIGN.md's order (id … message, location, status), then ours; the rest follow. */
const FINDING_KEYS = [
  'id',
  'severity',
  'title',
  'message',
  'location',
  'status',
  'hint',
  'blocking',
  'acknowledged',
  'acknowledgedReason',
] as const;

/** The analyzer's internal match `key` is not part of the report contract and is dropped. */
export function orderedFinding(f: Finding): Record<string, unknown> {
  const { key: _key, ...rest } = f;
  const out: Record<string, unknown> = {};
  for (const k of FINDING_KEYS) if (rest[k] !== undefined) out[k] = rest[k];
  return Object.assign(out, rest);
}

/**
 * The JSON report of DESIGN.md: fixed keys first (tool, verdict, digest, stages, findings), then the report's
 * kind, then its own keys. Big integers (wei, seconds) are written as decimal strings; absent optional fields
 * are omitted.
 */
export function renderJson(report: ReportHeader): string {
  return jsonText(reportBody(report));
}

/** A report's JSON object in the contract's key order, its findings' keys ordered too. */
export function reportBody<R extends ReportHeader>(report: R): Record<string, unknown> {
  const { tool, verdict, digest, stages, findings, report: kind, ...extra } = report;
  return { tool, verdict, digest, stages, findings: findings.map(orderedFinding), report: kind, ...extra };
}

/** Any value as indented JSON, big integers (wei, seconds, nonces) as decimal strings. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

/** One value on one line (JSON lines), big integers as decimal strings. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
}
