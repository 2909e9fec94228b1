/**
 * A worker: takes jobs off the queue one at a time per slot, runs each (run-job.ts), stores its report once and
 * says what happened as events. A job whose evidence is already stored (its first worker died after storing it)
 * is not run again. Bad input (an unknown patch, a digest not in the store) completes the job with the error —
 * retrying cannot fix it; any other failure is thrown back to pg-boss, which retries it (elsewhere, if this worker
 * is gone).
 */
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import { evidenceDigest } from '../core/digest.js';
import { isPatchgateError } from '../core/errors.js';
import type { StageResult } from '../core/finding.js';
import { jsonLine } from '../core/report-json.js';
import { observeStages } from '../core/stages.js';
import { addJobEvent, jobEvidence, storeJobEvidence } from '../store/jobs.js';
import { type JobData, type JobQueue, QUEUE } from './queue.js';
import { type JobContext, runJob } from './run-job.js';

export interface WorkerOptions {
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /** Names the worker in events and evidence (default host:pid). */
  name?: string;
  /** Seconds between polls of an empty queue (default 1, at least 0.5). */
  pollSeconds?: number;
  /** Called with each job's id when it starts (the CLI prints it). */
  onStart?: (id: string, data: JobData) => void;
}

export interface JobOutcome {
  verdict?: string;
  reportDigest?: string;
  error?: { code: string; message: string; hint?: string };
}

async function handle(ctx: JobContext, worker: string, job: PgBoss.Job<JobData>): Promise<JobOutcome> {
  const db = ctx.store.db;
  const done = await jobEvidence(db, job.id);
  if (done) {
    await addJobEvent(db, job.id, 'reused', `evidence stored earlier by ${done.worker}; not run again`);
    return { verdict: done.verdict, reportDigest: done.reportDigest };
  }
  await addJobEvent(db, job.id, 'started', `${job.data.request.kind} started on ${worker}`);
  let report: Awaited<ReturnType<typeof runJob>>;
  // Each stage of the check or simulation, as it ends: what the page streams while the job runs.
  const written: Promise<void>[] = [];
  const onStage = (s: StageResult) => {
    written.push(
      addJobEvent(db, job.id, 'stage', `${s.name} ${s.status} (${s.durationMs} ms)`).catch(() => undefined),
    );
  };
  try {
    report = await observeStages(onStage, () => runJob(ctx, job.data.request));
    await Promise.all(written);
  } catch (e) {
    await Promise.all(written);
    if (isPatchgateError(e) && e.exitCode === 2) {
      await addJobEvent(db, job.id, 'refused', e.shortMessage);
      return { error: { code: e.code, message: e.shortMessage, ...(e.hint ? { hint: e.hint } : {}) } };
    }
    const line = isPatchgateError(e)
      ? e.shortMessage
      : 'the job failed (rerun the worker with PATCHGATE_DEBUG=1)';
    await addJobEvent(db, job.id, 'failed', line);
    if (process.env.PATCHGATE_DEBUG) console.error(e);
    // pg-boss keeps what is thrown as the job's output, which anyone with the job's id reads: its code and one
    // line — not a library's own message, its cause (a node's URL with its key, the request) or the stack.
    throw Object.assign(new Error(line), { code: isPatchgateError(e) ? e.code : 'internal' });
  }
  const plain = JSON.parse(jsonLine(report)) as { verdict?: string };
  const reportDigest = evidenceDigest(plain);
  const verdict = plain.verdict ?? 'done';
  const stored = await storeJobEvidence(db, {
    jobId: job.id,
    kind: job.data.request.kind,
    verdict,
    reportDigest,
    report: plain,
    worker,
  });
  await addJobEvent(
    db,
    job.id,
    stored ? 'stored' : 'reused',
    stored
      ? `${verdict}: report ${reportDigest.slice(0, 10)}… stored`
      : 'another run stored the evidence first',
  );
  return { verdict, reportDigest };
}

/**
 * @example
 * ```ts
 * const worker = await startWorker(queue, { config, projectDir, stateDir, store }, { concurrency: 2 });
 * // … on SIGTERM:
 * await worker.stop();
 * ```
 */
export async function startWorker(
  queue: JobQueue,
  ctx: JobContext,
  opts: WorkerOptions = {},
): Promise<{ stop(): Promise<void> }> {
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const ids: string[] = [];
  for (let i = 0; i < Math.max(1, opts.concurrency ?? 1); i++) {
    let id = '';
    id = await queue.boss.work<JobData>(
      QUEUE,
      { batchSize: 1, pollingIntervalSeconds: opts.pollSeconds ?? 1 },
      async ([job]) => {
        if (!job) return {};
        opts.onStart?.(job.id, job.data);
        try {
          return await handle(ctx, name, job);
        } finally {
          // A job was there: look for the next one now, not after the polling interval (pg-boss waits it out
          // otherwise — two workers ran 2 short checks a second in all, measured in bench/server.mjs).
          if (id) queue.boss.notifyWorker(id);
        }
      },
    );
    ids.push(id);
  }
  return {
    stop: async () => {
      await Promise.all(ids.map((id) => queue.boss.offWork({ id })));
    },
  };
}
