/**
 * proveTargets: SMTChecker's CHC engine on each target's assertions, one worker thread per target with a
 * wall-clock limit, up to `concurrency` at once. Each target comes out proved, violated (with the call sequence
 * that breaks it) or unknown (timeout, the solver gave up, or an abstracted construct behind a violation).
 */
import { availableParallelism } from 'node:os';
import type { SolcInput } from '@openzeppelin/upgrades-core';
import { mapLimit } from '../core/map-limit.js';
import { readSolverOutput, writeSolverOutput } from './cache.js';
import { type AssertionOutcome, parseRun, type Unsupported } from './parse.js';
import { runSolver, type SolverRun } from './solver.js';

export interface ProveTarget {
  /** What the report calls it: `VaultV2 (own assertions)`, `fix: deposit-no-overmint`. */
  name: string;
  /** Every source the contracts need (imports included). */
  sources: SolcInput['sources'];
  /** The contracts to check, by source file: `{ 'src/A.sol': ['A'] }`. */
  contracts: Record<string, string[]>;
  /** Parameter names by function, to show a counterexample's values by name (`flashLoan(amount = 1)`). */
  params?: Record<string, readonly string[]>;
}

export type TargetStatus = 'proved' | 'violated' | 'unknown';

export interface TargetResult {
  name: string;
  params?: Record<string, readonly string[]>;
  status: TargetStatus;
  /** Why `unknown`: `timeout after 30 s`, `the solver could not decide it`, `inline assembly`, … */
  reason?: string;
  assertions: AssertionOutcome[];
  unsupported: Unsupported[];
  durationMs: number;
}

export interface ProveTargetsParameters {
  targets: readonly ProveTarget[];
  /** Wall-clock limit per target (default 60 s). */
  timeoutMs?: number;
  /** Targets run at once (default: the core count). */
  concurrency?: number;
  /** Where decided runs are cached (`<stateDir>/cache`); none: every target is solved. */
  cacheDir?: string;
}

function standardJson(target: ProveTarget): string {
  return JSON.stringify({
    language: 'Solidity',
    sources: target.sources,
    settings: {
      // No `timeout`: solc-js's z3 fails with one; the worker's wall clock is the limit.
      modelChecker: {
        engine: 'chc',
        targets: ['assert'],
        contracts: target.contracts,
        solvers: ['z3'],
        showUnproved: true,
        showProvedSafe: true,
        showUnsupported: true,
      },
      outputSelection: {},
    },
  });
}

/**
 * A violation found where the checker abstracted a construct may be spurious (solc: "false positives"): it is
 * then unknown, naming the construct. A proof stands: the abstraction over-approximates.
 */
function judge(
  assertions: AssertionOutcome[],
  unsupported: Unsupported[],
): { status: TargetStatus; reason?: string } {
  const abstracted = unsupported.map((u) => u.feature).join(', ');
  if (assertions.some((a) => a.status === 'violated')) {
    if (unsupported.length === 0) return { status: 'violated' };
    return { status: 'unknown', reason: `a violation was found where the checker abstracts ${abstracted}` };
  }
  const unknown = assertions.find((a) => a.status === 'unknown');
  if (unknown?.status === 'unknown') {
    return {
      status: 'unknown',
      reason: abstracted ? `${unknown.reason} (it abstracts ${abstracted})` : unknown.reason,
    };
  }
  if (assertions.length === 0) return { status: 'unknown', reason: 'no assertion to prove' };
  return { status: 'proved' };
}

async function solve(input: string, timeoutMs: number, cacheDir?: string): Promise<SolverRun> {
  const hit = cacheDir ? readSolverOutput(cacheDir, input) : undefined;
  if (hit !== undefined) return { kind: 'output', output: hit };
  const run = await runSolver(input, timeoutMs);
  if (cacheDir && run.kind === 'output') writeSolverOutput(cacheDir, input, run.output);
  return run;
}

async function proveTarget(target: ProveTarget, timeoutMs: number, cacheDir?: string): Promise<TargetResult> {
  const started = Date.now();
  const run = await solve(standardJson(target), timeoutMs, cacheDir);
  const durationMs = Date.now() - started;
  const named = { name: target.name, ...(target.params ? { params: target.params } : {}) };
  if (run.kind === 'timeout') {
    const seconds = Math.round((run.afterMs / 1000) * 10) / 10;
    return {
      ...named,
      status: 'unknown',
      reason: `timeout after ${seconds} s`,
      assertions: [],
      unsupported: [],
      durationMs,
    };
  }
  const parsed = parseRun(run.output, target.sources);
  if (parsed.errors.length > 0) {
    return {
      ...named,
      status: 'unknown',
      reason: `the sources did not compile: ${parsed.errors[0]?.split('\n')[0]}`,
      assertions: [],
      unsupported: [],
      durationMs,
    };
  }
  return {
    ...named,
    ...judge(parsed.assertions, parsed.unsupported),
    assertions: parsed.assertions,
    unsupported: parsed.unsupported,
    durationMs,
  };
}

/**
 * @example
 * ```ts
 * const [result] = await proveTargets({ targets: [{ name: 'A', sources, contracts: { 'A.sol': ['A'] } }], timeoutMs: 30_000 });
 * result.status; // 'proved' | 'violated' | 'unknown'
 * ```
 */
export function proveTargets(params: ProveTargetsParameters): Promise<TargetResult[]> {
  const timeoutMs = params.timeoutMs ?? 60_000;
  const concurrency = Math.max(1, params.concurrency ?? availableParallelism());
  return mapLimit(params.targets, concurrency, (t) => proveTarget(t, timeoutMs, params.cacheDir));
}
