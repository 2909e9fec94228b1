import type { Report } from '../analyze/finding.js';

/**
 * The JSON report of DESIGN.md: fixed keys first (tool, verdict, digest, stages, findings), extras after.
 * Big integers (wei, seconds) are written as decimal strings.
 */
export function renderJson(report: Report): string {
  const { tool, verdict, digest, stages, findings, ...extra } = report;
  const clean = findings.map(({ key: _key, ...f }) => f);
  return `${JSON.stringify({ tool, verdict, digest, stages, findings: clean, ...extra }, (_key, value) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
}
