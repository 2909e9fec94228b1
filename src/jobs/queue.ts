/**
 * The job queue: pg-boss over the store's own database — PostgreSQL, so `patchgate worker` processes on any number
 * of machines share it, or PGlite for a single-user run (then the workers live in `serve`'s process). pg-boss
 * because it needs no LISTEN/NOTIFY (it polls with SKIP LOCKED), so it also runs on PGlite through the store's
 * connection, and a job whose worker died is failed by timeout and retried by another.
 */
import PgBoss from 'pg-boss';
import type { Db } from '../store/db.js';
import type { JobRequest } from './request.js';

/** The one queue every kind of job goes through (the kind is in the job). */
export const QUEUE = 'patchgate';

export interface QueueOptions {
  /** Seconds a job may run before it counts as lost (its worker killed) and is retried elsewhere (default 900). */
  jobTimeout?: number;
  /** Retries after a failure or a timeout (default 2). */
  retries?: number;
  /** How often expired jobs are looked for, in seconds (default: a tenth of the timeout, 1–60). */
  maintenanceSeconds?: number;
}

export interface JobQueue {
  boss: PgBoss;
  /** Queues a job; a higher `priority` is taken first (the team's over outsiders'). */
  send(request: JobRequest, by: string, opts?: { priority?: number }): Promise<string>;
  /** Jobs not yet ended (queued, waiting to retry or running): asked by `by`, or of `priority`. */
  unfinished(filter: { by?: string; priority?: number }): Promise<number>;
  stop(): Promise<void>;
}

export interface JobData {
  request: JobRequest;
  /** Who asked (the signed-in address, or `cli`). */
  by: string;
}

/**
 * Starts pg-boss on `db` (creating its schema, `pgboss`, on first use) and the queue.
 *
 * @example
 * ```ts
 * const queue = await openQueue(store.db, { jobTimeout: 600 });
 * const id = await queue.send({ kind: 'check', patch: 'fix-flash-deposit' }, session.address);
 * ```
 */
export async function openQueue(db: Db, opts: QueueOptions = {}): Promise<JobQueue> {
  const jobTimeout = opts.jobTimeout ?? 900;
  const boss = new PgBoss({
    db: {
      executeSql: async (text: string, values?: unknown[]) => ({
        rows: values && values.length > 0 ? await db.query(text, values) : await db.script(text),
      }),
    },
    schema: 'pgboss',
    schedule: false,
    maintenanceIntervalSeconds:
      opts.maintenanceSeconds ?? Math.max(1, Math.min(60, Math.round(jobTimeout / 10))),
  });
  // pg-boss reports background failures (a maintenance query on a closed store) as events: they are not the job's.
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(QUEUE, {
    name: QUEUE,
    retryLimit: opts.retries ?? 2,
    retryDelay: 0,
    expireInSeconds: jobTimeout,
  });
  return {
    boss,
    send: async (request, by, o = {}) => {
      const id = await boss.send(QUEUE, { request, by } satisfies JobData, { priority: o.priority ?? 0 });
      if (!id) throw new Error('the queue refused the job');
      return id;
    },
    unfinished: async ({ by, priority }) => {
      const [row] = await db.query<{ n: string | number }>(
        `select count(*) as n from pgboss.job where name = $1 and state < 'completed'
           and ($2::text is null or data->>'by' = $2) and ($3::int is null or priority = $3)`,
        [QUEUE, by ?? null, priority ?? null],
      );
      return Number(row?.n ?? 0);
    },
    stop: () => boss.stop({ graceful: false, wait: true }),
  };
}
