/**
 * The stage recorder every report's `stages` comes from: each stage's name, status and wall time, measured the
 * same way everywhere (check, simulate, propose, audit, demo).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { StageResult } from './finding.js';

export type StageStatus = StageResult['status'];

export interface StageRecorder {
  /** The stages recorded so far, in the order they ran. */
  readonly stages: StageResult[];
  /**
   * Run `fn` as stage `name` and record it; its status comes from the result (`passed` without `status`). A stage
   * that throws is not recorded: the error is the report.
   */
  time<T>(name: string, fn: () => Promise<T>, status?: (value: T) => StageStatus): Promise<T>;
  /** Record stage `name` as having run since the previous record (or since the recorder was made). */
  lap(name: string, status: StageStatus): StageResult;
  /** Record stage `name` measured elsewhere (a cached result's own timing), without moving the lap clock. */
  record(name: string, status: StageStatus, durationMs: number): StageResult;
}

/** `passed` when `ok`, `failed` otherwise: for stages judged by a yes/no. */
export const passedIf = (ok: boolean): StageStatus => (ok ? 'passed' : 'failed');

/** Who hears of each stage as it is recorded, for the work run inside `observeStages` (a job's progress). */
const observers = new AsyncLocalStorage<(stage: StageResult) => void>();

/**
 * Runs `fn`, telling `observer` of every stage any recorder records inside it, as it is recorded — the job worker
 * streams a check's or a simulation's stages this way without each caller passing a callback down.
 *
 * @example
 * ```ts
 * const report = await observeStages((s) => console.log(s.name, s.status), () => runCheck(params));
 * ```
 */
export function observeStages<T>(observer: (stage: StageResult) => void, fn: () => Promise<T>): Promise<T> {
  return observers.run(observer, fn);
}

export function stageRecorder(): StageRecorder {
  const stages: StageResult[] = [];
  let last = performance.now();
  const push = (name: string, status: StageStatus, since: number): StageResult => {
    const stage = { name, status, durationMs: Math.round(performance.now() - since) };
    stages.push(stage);
    last = performance.now();
    observers.getStore()?.(stage);
    return stage;
  };
  return {
    stages,
    async time(name, fn, status) {
      const started = performance.now();
      const value = await fn();
      push(name, status ? status(value) : 'passed', started);
      return value;
    },
    lap: (name, status) => push(name, status, last),
    record(name, status, durationMs) {
      const stage = { name, status, durationMs: Math.max(0, Math.round(durationMs)) };
      stages.push(stage);
      observers.getStore()?.(stage);
      return stage;
    },
  };
}
