/** SARIF 2.1.0 for GitHub code scanning, by kind (see findings.ts for the choices every kind shares). */
import { type Report, unhandledKind } from '../report.js';
import { findingsSarif, type SarifPlacement, subjectOf } from './findings.js';
import { pairsSarif } from './pairs.js';

export function renderSarif(report: Report, opts: SarifPlacement = {}): string {
  switch (report.report) {
    case 'check':
      return findingsSarif(report, { ...opts, subject: subjectOf(report.candidate.fullyQualifiedName) });
    case 'pairs':
      return pairsSarif(report, opts);
    case 'scan':
    case 'prove':
    // No compiled candidate named here: a finding without a location points at patchgate.config.json.
    case 'simulate':
    case 'propose':
    case 'verify':
    case 'audit':
    case 'assess':
      return findingsSarif(report, opts);
    default:
      return unhandledKind(report);
  }
}
