/**
 * patchgate's public library API: what a script or a CI step imports (`import { … } from 'patchgate'`).
 * docs/api.md lists the entry points with an example each; every exported function here carries an `@example`.
 */

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
export { type AuditParameters, type AuditReport, auditProxy } from './audit/index.js';
export { findContract, loadProject } from './build/index.js';
export type { CompilationUnit, ContractHandle, Project } from './build/types.js';
export { type Anvil, startAnvil } from './chain/anvil.js';
export { type Clients, connect } from './chain/clients.js';
export { defineConfig } from './config/define.js';
export { loadConfig, parseConfig } from './config/load.js';
export type { Config, ConfigInput } from './config/schema.js';
export { canonicalJson, evidenceDigest } from './core/digest.js';
export { ERROR_CODES, type ErrorCode, type ExitCode } from './core/error-codes.js';
export { isPatchgateError, PatchgateError } from './core/errors.js';
export type { Finding, FindingStatus, Location, Severity, StageResult } from './core/finding.js';
export { verdictOf } from './core/finding.js';
export { FINDING_IDS, type FindingId } from './core/finding-ids.js';
export { PATCH_STATES, PATCH_TRANSITIONS } from './core/patch-states.js';
export { type Approval, signApproval, tallyApprovals, verifyApproval } from './govern/approval.js';
export { type Lane, type PatchRecord, patchDigest } from './govern/digest.js';
export { loadAccount } from './govern/keys.js';
export type { PatchPlan } from './govern/plan.js';
export { type LanePolicy, lanePolicy, policyCommitment } from './govern/policy.js';
export { safeTxHash } from './govern/safe.js';
export { operationBatchId, operationId } from './govern/timelock.js';
export { type ExportRecord, parseExport } from './ledger/export.js';
export {
  type Head,
  type HeadCheck,
  type SignedHead,
  signHead,
  type TreeHead,
  verifyHead,
} from './ledger/head.js';
export { verifyConsistency, verifyInclusion } from './ledger/verify.js';
export { type ExportReport, type VerifyExportInput, verifyExport } from './ledger/verify-export.js';
export {
  type ApprovalRequest,
  type ApproveParameters,
  type ApproveResult,
  approvalRequest,
  approve,
} from './lifecycle/approve.js';
export { type CancelResult, cancel } from './lifecycle/cancel.js';
export { type CreateLifecycleOptions, createLifecycle, type OpenLifecycle } from './lifecycle/create.js';
export {
  type DriftEntry,
  type DriftParameters,
  type DriftResult,
  type DriftStatus,
  drift,
} from './lifecycle/drift.js';
export { type ExecuteParameters, type ExecuteResult, execute, type WaitMode } from './lifecycle/execute.js';
export type { ChainContext, Lifecycle } from './lifecycle/lifecycle.js';
export { LOG_ORIGIN, syncLog } from './lifecycle/log-sync.js';
export { type PauseResult, pauseTarget } from './lifecycle/pause.js';
export { type ProposeParameters, type ProposeReport, propose } from './lifecycle/propose.js';
export { type QueueResult, queue } from './lifecycle/queue.js';
export { type PatchStatus, patchStatus } from './lifecycle/status.js';
export { type VerifyCheck, type VerifyReport, verify } from './lifecycle/verify.js';
export { FORMATS as REPORT_FORMATS, type Report, type ReportFormat, renderReport } from './report/index.js';
export { runSimulate, type SimulateParameters, type SimulateReport } from './simulate/run-simulate.js';
export { openDb } from './store/db.js';
export { openLedger } from './store/ledger-store.js';
export { openStore, type PatchState, type Store, type StoredPatch } from './store/store.js';
export { deploySystem, withLiveAddresses } from './system/deploy.js';
export type { DeployedSystem } from './system/model.js';
export type { BlockRef } from './watch/follow.js';
export {
  type BlockRule,
  defineRule,
  type PendingTx,
  type RuleContext,
  type RuleModule,
  type WatchFinding,
} from './watch/rule.js';
