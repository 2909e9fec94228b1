/**
 * `patchgate worker`: runs the jobs `serve` queues (check, simulate, verify, audit) from a PostgreSQL store shared
 * by any number of workers on any number of machines; each job's report is stored once. SIGINT/SIGTERM stops it.
 */
import { Command, Option } from 'commander';
import { addJobOptions, type JobOptions, startJobs, untilSignal } from './jobs.js';
import { openStoreFrom } from './lifecycle.js';
import { addProjectOptions, addRpcOption, addStoreOptions, count, type ProjectOptions } from './options.js';
import { projectContext } from './project-context.js';

interface WorkerOptions extends ProjectOptions, JobOptions {
  rpc?: string;
  databaseUrl?: string;
  concurrency: number;
}

export function workerCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('worker').description(
    'run the jobs `patchgate serve` queues (check, simulate, verify, audit) on this machine; Ctrl-C stops it',
  );
  addStoreOptions(cmd);
  addRpcOption(cmd, { note: 'verify and audit jobs read it' });
  addProjectOptions(cmd);
  addJobOptions(cmd);
  cmd.addOption(
    new Option('--concurrency <n>', 'jobs run at once').default(1).argParser(count('--concurrency')),
  );
  cmd.action(async (opts: WorkerOptions) => {
    const { chain, project } = await projectContext(opts, { config: 'always' });
    const store = await openStoreFrom(opts, { create: false });
    const jobs = await startJobs(opts, store, {
      chain,
      project,
      slots: Math.max(1, opts.concurrency),
      onStart: (id, kind) => process.stderr.write(`job ${id}: ${kind}\n`),
    });
    process.stderr.write(`worker ready (${jobs.describe}): Ctrl-C stops it\n`);
    await untilSignal();
    await jobs.stop();
    await store.close();
    process.stderr.write('worker stopped\n');
    onExit(0);
  });
  return cmd;
}
