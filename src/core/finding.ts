/** The shape every check produces. Computing findings and rendering them are kept apart (see src/report/). */
import type { FindingId } from './finding-ids.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Relative to the reference (live) version: the patch introduced, fixed, or kept this finding. */
export type FindingStatus = 'introduced' | 'fixed' | 'unchanged';

export interface Location {
  /** Source path as the compiler saw it (e.g. `src/VaultV2.sol`). */
  file: string;
  /** 1-based line. */
  line: number;
  contract: string;
  function?: string;
}

export interface Finding {
  /** Stable kebab-case id (core/finding-ids.ts), documented in docs/findings.md. */
  id: FindingId;
  severity: Severity;
  title: string;
  /** What, where and why it matters. */
  message: string;
  /** How to fix it. */
  hint?: string;
  location?: Location;
  status?: FindingStatus;
  /** Whether this finding alone makes the gate say no (unless acknowledged). */
  blocking: boolean;
  /** Set when the team acknowledged it by id (and location) in the config or with --allow. */
  acknowledged?: boolean;
  /** Why it was acknowledged (from the config). */
  acknowledgedReason?: string;
  /** How often a finding of this kind is real, for the scan's detectors (their precision on the bench corpus). */
  confidence?: 'high' | 'medium' | 'low';
  /** The SWC registry entry, for a scan finding that has one (`SWC-107`). */
  swc?: string;
  /** The CWE, for a scan finding that has one (`CWE-841`). */
  cwe?: string;
  /**
   * What identifies "the same finding" in the reference and the candidate (e.g. the function name), so the
   * patch can be said to introduce, fix or keep it. Stable across versions; not a location.
   */
  key?: string;
}

/** A stage of a run, as it appears in every JSON report. */
export interface StageResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped' | 'error';
  durationMs: number;
}

/**
 * Which report a value is: the discriminant of the `Report` union (src/report/report.ts), written to JSON as
 * `report` (the key `kind` was taken: check and audit reports carry the proxy kind there).
 */
export type ReportKind =
  | 'check'
  | 'scan'
  | 'prove'
  | 'pairs'
  | 'simulate'
  | 'propose'
  | 'verify'
  | 'assess'
  | 'audit'
  | 'demo';

/**
 * The header every report starts with: DESIGN.md's fixed JSON contract (tool, verdict, digest, stages,
 * findings), then `report`, the kind. Each stage extends it with its own keys, written after these.
 */
export interface ReportHeader<K extends ReportKind = ReportKind> {
  tool: { name: 'patchgate'; version: string };
  verdict: 'pass' | 'fail';
  digest: `0x${string}`;
  stages: StageResult[];
  findings: Finding[];
  report: K;
}

/**
 * The gate: fail when any blocking finding is not acknowledged and not already fixed by the patch.
 *
 * @example
 * ```ts
 * const verdict = verdictOf(report.findings); // 'pass' | 'fail'
 * ```
 */
export function verdictOf(findings: readonly Finding[]): 'pass' | 'fail' {
  return findings.some((f) => f.blocking && !f.acknowledged && f.status !== 'fixed') ? 'fail' : 'pass';
}
