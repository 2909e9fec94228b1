/**
 * The job queue as `serve` and `worker` open it: `--job-timeout` (how long before a job whose worker died is run
 * again elsewhere), the queue on the store's database, and the worker slots this process runs.
 */
import { type Command, Option } from 'commander';
import type { Config } from '../config/schema.js';
import type { ChainContext } from '../lifecycle/lifecycle.js';
import type { Store } from '../store/store.js';
import { count, stateDirOf } from './options.js';

export interface JobOptions {
  jobTimeout?: number;
  stateDir: string;
}

export function addJobOptions(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--job-timeout <seconds>',
      'seconds a job may run before it counts as lost and runs again elsewhere (default 900)',
    ).argParser(count('--job-timeout')),
  );
}

export interface RunningJobs {
  queue: import('../jobs/queue.js').JobQueue;
  /** `jobs: 1 worker here` — for the start line. */
  describe: string;
  stop(): Promise<void>;
}

export async function startJobs(
  opts: JobOptions,
  store: Store,
  run: {
    chain?: ChainContext;
    project?: { config: Config; projectDir: string };
    slots: number;
    onStart?: (id: string, kind: string) => void;
  },
): Promise<RunningJobs> {
  const [{ openQueue }, { startWorker }] = await Promise.all([
    import('../jobs/queue.js'),
    import('../jobs/worker.js'),
  ]);
  const queue = await openQueue(
    store.db,
    opts.jobTimeout ? { jobTimeout: Math.max(1, opts.jobTimeout) } : {},
  );
  const slots = run.project ? run.slots : 0;
  const worker =
    slots > 0 && run.project
      ? await startWorker(
          queue,
          {
            ...run.project,
            stateDir: stateDirOf(opts),
            store,
            ...(run.chain ? { chain: { clients: run.chain.clients, rpcUrl: run.chain.rpcUrl } } : {}),
          },
          {
            concurrency: slots,
            ...(run.onStart ? { onStart: (id, d) => run.onStart?.(id, d.request.kind) } : {}),
          },
        )
      : undefined;
  return {
    queue,
    describe: worker
      ? `jobs: ${slots} worker slot${slots === 1 ? '' : 's'} here`
      : run.project
        ? 'jobs: queued for `patchgate worker`s'
        : 'jobs: queued (no config here to run them: start `patchgate worker`s)',
    stop: async () => {
      await worker?.stop();
      await queue.stop();
    },
  };
}

/**
 * Resolves at the first SIGINT, SIGTERM or SIGHUP. The listeners stay (`on`, not `once`): a library's exit hook
 * (signal-exit, which simulate's dependencies load) raises the signal again when it finds no other listener left,
 * which would kill the process before its graceful stop.
 */
export function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, () => resolve());
  });
}
