/**
 * The job routes' reading side: a job as the API shows it (pg-boss's state and outcome, the evidence it stored,
 * its events), and its progress as server-sent events — read from the store, so a page follows a job whichever
 * worker on whichever machine runs it.
 */
import type { Context, Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { blockedError, environmentError, inputError } from '../core/errors.js';
import type { JobData, JobQueue } from '../jobs/queue.js';
import { QUEUE } from '../jobs/queue.js';
import { jobRequest } from '../jobs/request.js';
import type { JobOutcome } from '../jobs/worker.js';
import type { Db } from '../store/db.js';
import { jobEvents, jobEvidence } from '../store/jobs.js';
import type { Store } from '../store/store.js';
import type { Session } from './auth.js';
import { bigJson, hono, jsonBody, parse } from './request.js';
import { hasRole, type RoleContext, requireRole } from './roles.js';
import { ROUTES } from './routes.js';

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

async function jobView(queue: JobQueue, db: Db, id: string) {
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
async function streamJob(
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

export interface ServerLimits {
  /** Jobs one account may have queued or running at once. */
  jobsPerAccount: number;
  /** Jobs all accounts that are not proposers (any key signs in) may have queued or running at once. */
  outsiderJobs: number;
  /** Job event streams open at once, over all clients. */
  streams: number;
  /** Seconds a job event stream stays open; then it ends and the client's EventSource reconnects. */
  streamSeconds: number;
}

export const SERVER_LIMITS: ServerLimits = {
  jobsPerAccount: 5,
  outsiderJobs: 20,
  streams: 200,
  streamSeconds: 300,
};

/** A team member's job is taken before outsiders' (pg-boss: higher first). */
const TEAM_PRIORITY = 1;

export interface JobRouteDeps {
  store: Store;
  queue?: JobQueue;
  roleContext: RoleContext;
  /** The session's account, or 401. */
  signedIn: (c: Context) => Promise<Session>;
  limits: ServerLimits;
}

/** `POST /api/jobs`, `GET /api/jobs/{id}` and its event stream. */
export function jobRoutes(app: Hono, deps: JobRouteDeps): void {
  const { store, roleContext, signedIn, limits } = deps;
  let streams = 0;

  const requireQueue = (): JobQueue => {
    if (deps.queue) return deps.queue;
    throw inputError(
      'job-queue-missing',
      'this server runs no job queue',
      '`patchgate serve` always has one; a library user passes `queue` to createApp',
    );
  };

  app.post(ROUTES.submitJob.path, async (c) => {
    const session = await signedIn(c);
    const queue = requireQueue();
    const request = parse(jobRequest, await jsonBody(c), 'body');
    // Checks and simulations run the team's patches on its machines: proposers start them. Verify and audit read
    // what is public (the chain, the log): anyone signed in may ask.
    const team = await hasRole(roleContext, session.address, 'proposer');
    if (!team && (request.kind === 'check' || request.kind === 'simulate')) {
      await requireRole(roleContext, session.address, 'proposer'); // refused, naming what the account holds
    }
    // Any key signs in: one account's jobs, and all outsiders' together, are capped; the team's go first.
    if ((await queue.unfinished({ by: session.address })) >= limits.jobsPerAccount) {
      throw blockedError(
        'job-limit',
        `${session.address} has ${limits.jobsPerAccount} jobs queued or running`,
        'wait for one to end (GET /api/jobs/{id})',
      );
    }
    if (!team && (await queue.unfinished({ priority: 0 })) >= limits.outsiderJobs) {
      throw blockedError(
        'job-limit',
        `accounts outside the team have ${limits.outsiderJobs} jobs queued or running`,
        'wait for them to end, or ask a proposer of the project',
      );
    }
    const priority = team ? TEAM_PRIORITY : 0;
    return c.json({ id: await queue.send(request, session.address, { priority }) });
  });

  app.get(hono(ROUTES.job.path), async (c) => {
    const { id } = parse(ROUTES.job.params, c.req.param(), 'path');
    return bigJson(c, await jobView(requireQueue(), store.db, id));
  });

  app.get(hono(ROUTES.jobEvents.path), async (c) => {
    const { id } = parse(ROUTES.jobEvents.params, c.req.param(), 'path');
    const queue = requireQueue();
    await jobView(queue, store.db, id); // an unknown job is 404 before the stream opens
    if (streams >= limits.streams) {
      throw environmentError(
        'server-busy',
        `this server holds ${limits.streams} job event streams open`,
        'follow the job with GET /api/jobs/{id}, or open the stream again later',
      );
    }
    // EventSource sends the last event's id when it reconnects: the stream goes on after it.
    const after = Number(c.req.header('last-event-id'));
    streams++;
    return streamSSE(c, async (stream) => {
      try {
        await streamJob(stream, queue, store.db, id, {
          after: Number.isSafeInteger(after) && after > 0 ? after : 0,
          untilMs: Date.now() + limits.streamSeconds * 1000,
        });
      } finally {
        streams--;
      }
    });
  });
}
