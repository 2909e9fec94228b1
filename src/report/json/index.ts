/** The JSON report of DESIGN.md, by kind: one form for all (core/report-json.ts) but the many-pairs check's. */
import { renderJson } from '../../core/report-json.js';
import { type Report, unhandledKind } from '../report.js';
import { pairsJson } from './pairs.js';

export function reportJson(report: Report): string {
  switch (report.report) {
    case 'pairs':
      return pairsJson(report);
    case 'check':
    case 'scan':
    case 'prove':
    case 'simulate':
    case 'propose':
    case 'verify':
    case 'audit':
    case 'assess':
      return renderJson(report);
    default:
      return unhandledKind(report);
  }
}
