/** patchgate's public library API: what a script or a CI step imports. */

export { type Acknowledgement, applyAcknowledgements, parseAllow } from './analyze/acknowledge.js';
export { CATALOG } from './analyze/catalog.js';
export {
  analyzeUpgrade,
  type CheckResult,
  type CheckUpgradeParameters,
  checkUpgrade,
} from './analyze/check.js';
export { type CheckReport, type RunCheckParameters, runCheck } from './analyze/run-check.js';
export {
  type PairError,
  type PairReport,
  type PairSpec,
  type PairsReport,
  type RunPairsParameters,
  runPairs,
} from './analyze/run-pairs.js';
export type { ProxyKind } from './analyze/upgrades.js';
export * from './anchor/index.js';
export { type AuditReport, auditProxy } from './audit/index.js';
export { findContract, loadProject } from './build/index.js';
export type { CompilationUnit, ContractHandle, Project } from './build/types.js';
export { defineConfig } from './config/define.js';
export { loadConfig, parseConfig } from './config/load.js';
export type { Config, ConfigInput } from './config/schema.js';
export { canonicalJson, evidenceDigest } from './core/digest.js';
export { isPatchgateError, PatchgateError } from './core/errors.js';
export type { Finding, FindingStatus, Location, Severity, StageResult } from './core/finding.js';
export { verdictOf } from './core/finding.js';
export { type Approval, signApproval, tallyApprovals, verifyApproval } from './govern/approval.js';
export { type Lane, type PatchRecord, patchDigest } from './govern/digest.js';
export { loadAccount } from './govern/keys.js';
export type { PatchPlan } from './govern/plan.js';
export { type LanePolicy, lanePolicy } from './govern/policy.js';
export { safeTxHash } from './govern/safe.js';
export { operationBatchId, operationId } from './govern/timelock.js';
export { parseExport } from './ledger/export.js';
export { signHead, verifyHead } from './ledger/head.js';
export { verifyConsistency, verifyInclusion } from './ledger/verify.js';
export { verifyExport } from './ledger/verify-export.js';
export { approvalRequest, approve } from './lifecycle/approve.js';
export { cancel } from './lifecycle/cancel.js';
export { execute } from './lifecycle/execute.js';
export type { Lifecycle } from './lifecycle/lifecycle.js';
export { LOG_ORIGIN, syncLog } from './lifecycle/log-sync.js';
export { pauseTarget } from './lifecycle/pause.js';
export { propose } from './lifecycle/propose.js';
export { queue } from './lifecycle/queue.js';
export { patchStatus } from './lifecycle/status.js';
export { verify } from './lifecycle/verify.js';
export { type Report, renderReport } from './report/index.js';
export { openDb } from './store/db.js';
export { openLedger } from './store/ledger-store.js';
export { openStore } from './store/store.js';
