/**
 * Every report the renderers take, told apart by `report` (its kind, ReportKind in core/finding.ts). The demo's
 * report (kind `demo`) is not here: demo/ sits above report/, and the demo command renders its own steps live.
 */
import type { CheckReport } from '../analyze/run-check.js';
import type { PairsReport } from '../analyze/run-pairs.js';
import type { ProveReport } from '../analyze/run-prove.js';
import type { ScanReport } from '../analyze/run-scan.js';
import type { AuditReport } from '../audit/index.js';
import { internalError } from '../core/errors.js';
import type { AssessReport } from '../lifecycle/assess.js';
import type { ProposeReport } from '../lifecycle/propose.js';
import type { VerifyReport } from '../lifecycle/verify.js';
import type { SimulateReport } from '../simulate/run-simulate.js';

export type Report =
  | CheckReport
  | ScanReport
  | ProveReport
  | PairsReport
  | SimulateReport
  | ProposeReport
  | VerifyReport
  | AuditReport
  | AssessReport;

/**
 * The default branch of a switch over `report.report`: it only compiles when every kind has its case, so a
 * kind added to the union without a renderer is a type error, not a report rendered as something else.
 */
export function unhandledKind(report: never): never {
  const seen: { report?: unknown } = report;
  throw internalError(
    `no renderer for report kind ${JSON.stringify(seen.report)}`,
    'add a case to the renderer switch in src/report/',
  );
}
