/** patchgate's public library API: what a script or a CI step imports. */

export {
  type Acknowledgement,
  applyAcknowledgements,
  canonicalJson,
  evidenceDigest,
  parseAllow,
} from './analyze/acknowledge.js';
export { CATALOG } from './analyze/catalog.js';
export {
  analyzeUpgrade,
  type CheckResult,
  type CheckUpgradeParameters,
  checkUpgrade,
} from './analyze/check.js';
export type { Finding, FindingStatus, Location, Report, Severity, StageResult } from './analyze/finding.js';
export { verdictOf } from './analyze/finding.js';
export { type CheckReport, type RunCheckParameters, runCheck } from './analyze/run-check.js';
export type { ProxyKind } from './analyze/upgrades.js';
export { findContract, loadProject } from './build/index.js';
export type { CompilationUnit, ContractHandle, Project } from './build/types.js';
export { defineConfig } from './config/define.js';
export { loadConfig, parseConfig } from './config/load.js';
export type { Config, ConfigInput } from './config/schema.js';
export { isPatchgateError, PatchgateError } from './errors.js';
export { renderReport } from './report/index.js';
