/** The findings `audit` reports: the `audit-*` entries of the shared catalogue (src/analyze/catalog-lifecycle.ts). */
import { makeFinding } from '../analyze/catalog.js';
import type { Finding } from '../core/finding.js';

export type AuditFindingId =
  | 'audit-unexplained-upgrade'
  | 'audit-unexplained-admin-change'
  | 'audit-silent-upgrade'
  | 'audit-codehash-mismatch'
  | 'audit-executed-not-on-chain'
  | 'audit-gate-mismatch'
  | 'audit-log-unverified'
  | 'audit-log-no-head'
  | 'audit-log-unsigned-tail'
  | 'audit-log-signer-unpinned'
  | 'audit-no-log';

export function auditFinding(id: AuditFindingId, message: string, key?: string): Finding {
  return makeFinding(id, { message, ...(key !== undefined ? { key } : {}) });
}
