/**
 * The job routes' reading side: a job as the API shows it (pg-boss's state and outcome, the evidence it stored,
 * its events), and its progress as server-sent events — read from the store, so a page follows a job whichever
 * worker on whichever machine runs it.
 */
import type { SSEStreamingApi } from 'hono/streaming';
import { inputError } from '../core/errors.js';
import type { JobData, JobQueue } from '../jobs/queue.js';
import { QUEUE } from '../jobs/queue.js';
import type { JobOutcome } from '../jobs/worker.js';
import type { Db } from '../store/db.js';
import { jobEvents, jobEvidence } from '../store/jobs.js';

const FINAL = new Set(['completed', 'failed', 'cancelled']);

async function jobRow(queue: JobQueue, id: string) {
  const job = await queue.boss.getJobById<JobData>(QUEUE, id);
  if (!job)
    throw inputError('unknown-job', `no job ${id}`, 'POST /api/jobs answers the id of each job it queues');
  return job;
}

/**
 * A job's outcome as the API shows it: what the worker returned (verdict, report digest, a refusal), or for a failed
 * attempt the code and one line it threw — never the rest of what pg-boss keeps (a stack, a library's fields).
 */
function publicOutput(output: unknown): JobOutcome | null {
  if (!output || typeof output !== 'object') return null;
  const o = output as Record<string, unknown> & { error?: Record<string, unknown> };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const error = o.error && typeof o.error === 'object' ? o.error : text(o.message) ? o : undefined;
  const code = text(error?.code) ?? 'internal';
  const message = text(error?.message)?.split('\n')[0];
  const hint = text(error?.hint);
  return {
    ...(text(o.verdict) ? { verdict: text(o.verdict) } : {}),
    ...(text(o.reportDigest) ? { reportDigest: text(o.reportDigest) } : {}),
    ...(error && message ? { error: { code, message, ...(hint && o.error ? { hint } : {}) } } : {}),
  };
}

export async function jobView(queue: JobQueue, db: Db, id: string) {
  const job = await jobRow(queue, id);
  const evidence = await jobEvidence(db, id);
  return {
    id,
    state: job.state,
    request: job.data.request,
    by: job.data.by,
    retries: job.retryCount,
    output: publicOutput(job.output),
    ...(evidence ? { evidence } : {}),
    events: await jobEvents(db, id),
  };
}

/**
 * Sends each new event after `after` as `progress`, then `done` once the job is final and every event is out. At
 * `untilMs` the stream ends with a `retry` line: the client's EventSource reconnects (sending the last id) — nobody
 * holds a connection, and its polling, for ever.
 */
export async function streamJob(
  stream: SSEStreamingApi,
  queue: JobQueue,
  db: Db,
  id: string,
  opts: { after?: number; untilMs?: number; pollMs?: number } = {},
): Promise<void> {
  let seq = opts.after ?? 0;
  const until = opts.untilMs ?? Number.POSITIVE_INFINITY;
  while (!stream.aborted) {
    const job = await jobRow(queue, id);
    for (const e of await jobEvents(db, id, seq)) {
      seq = e.seq;
      await stream.writeSSE({ event: 'progress', id: String(e.seq), data: JSON.stringify(e) });
    }
    if (FINAL.has(job.state)) {
      await stream.writeSSE({
        event: 'done',
        data: JSON.stringify({ state: job.state, output: publicOutput(job.output) }),
      });
      return;
    }
    if (Date.now() >= until) {
      await stream.writeSSE({ event: 'reconnect', data: JSON.stringify({ after: seq }), retry: 1000 });
      return;
    }
    await stream.sleep(Math.min(opts.pollMs ?? 500, Math.max(0, until - Date.now())));
  }
}
