/** What `patchgate demo` reports: each bundled patch's verdict, the simulations, the exploit before and after, the lifecycle. */

import type { Hex } from 'viem';
import type { Finding, ReportHeader } from '../core/finding.js';
import type { AssessReport } from '../lifecycle/assess.js';
import type { ProofEntry } from '../prove/targets.js';
import type { PocRun } from '../simulate/poc.js';
import type { DemoWatch } from './watch.js';

export interface DemoPatchResult {
  name: string;
  candidate: string;
  expected?: 'pass' | 'fail';
  verdict: 'pass' | 'fail';
  asExpected: boolean;
  blocking: Pick<Finding, 'id' | 'severity' | 'location'>[];
  fixed: string[];
  durationMs: number;
  note?: string;
}

export interface DemoSimulation {
  name: string;
  expected: 'pass' | 'fail';
  verdict: 'pass' | 'fail';
  asExpected: boolean;
  governancePath: unknown;
  poc: unknown[];
  findings: Pick<Finding, 'id' | 'message'>[];
}

/** One finished step, for the text rendering: its stage, what it says, whether it went as it should. */
export interface DemoStep {
  stage: string;
  ok: boolean;
  text: string;
  detail?: string;
  durationMs?: number;
}

/** Rendered by the demo command itself, live as each step finishes (cli/demo.ts), not by report/. */
export interface DemoReport extends ReportHeader<'demo'> {
  patches: DemoPatchResult[];
  simulations: DemoSimulation[];
  exploit: { before?: PocRun; after?: PocRun };
  /** The fix's scan and prove stages (demo/evidence.ts): the scan findings it fixes, its proofs. */
  fix?: {
    patch: string;
    scan: {
      fixed: Pick<Finding, 'id' | 'severity' | 'location'>[];
      introduced: Pick<Finding, 'id' | 'severity' | 'location'>[];
    };
    proofs: Omit<ProofEntry, 'durationMs'>[];
  };
  /** The fix's assessment (`patchgate assess`): value at risk, exploit, severity, priority, lane, exposure. */
  assess?: AssessReport;
  /** The watch stage: a second attack, stopped by the watcher's pause (demo/watch.ts). */
  watch?: DemoWatch;
  lifecycle: {
    digest?: Hex;
    approvals?: string[];
    queueTx?: Hex;
    executeTx?: Hex;
    verify?: unknown;
    log?: unknown;
  };
  durationMs: number;
}
