/**
 * `patchgate serve`: the store's patches and transparency log over HTTP (src/server/); with `--rpc` and the
 * project's config, the signed-in team approves, queues and executes through it, each by role.
 */
import type { AddressInfo } from 'node:net';
import { Command, Option } from 'commander';
import { inputError } from '../core/errors.js';
import { loadAccount } from '../govern/keys.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { LOG_ORIGIN } from '../lifecycle/log-sync.js';
import { openLedger } from '../store/ledger-store.js';
import { addJobOptions, type JobOptions, startJobs, untilSignal } from './jobs.js';
import { openStoreFrom, optionalAccount } from './lifecycle.js';
import {
  addKeyOptions,
  addProjectOptions,
  addRpcOption,
  addStoreOptions,
  count,
  DEFAULT_LOG_KEY_ENV,
  type KeyOptions,
  type ProjectOptions,
  parsePort,
  stateDirOf,
} from './options.js';
import { projectContext } from './project-context.js';

interface ServeOptions extends ProjectOptions, KeyOptions, JobOptions {
  rpc?: string;
  workers?: number;
  logKeyEnv?: string;
  port: number;
  host: string;
  domain?: string;
  chainId?: number;
  stateDir: string;
  databaseUrl?: string;
}

export function serveCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('serve')
    .description(
      "serve the store's patches and its transparency log over HTTP; with --rpc, approve, queue and execute by role (OpenAPI at /openapi.json; Ctrl-C stops it)",
    )
    .addOption(new Option('--port <port>', 'TCP port (0: a free one)').default(8547).argParser(portOrZero))
    .addOption(
      new Option('--host <host>', 'address to listen on (another than 127.0.0.1 exposes the store)').default(
        '127.0.0.1',
      ),
    )
    .addOption(
      new Option(
        '--domain <authority>',
        'the site users sign in to (Sign-In with Ethereum messages must name it; default: HOST:PORT)',
      ),
    )
    .addOption(
      new Option(
        '--chain-id <id>',
        "the chain sign-in messages must name (default: --rpc's, else 1)",
      ).argParser(chainIdOf),
    );
  addStoreOptions(cmd);
  addRpcOption(cmd, { note: 'roles are read from it, and approve, queue and execute act on it' });
  addProjectOptions(cmd);
  addKeyOptions(cmd, 'the relayer (sends queue and execute; any funded account)');
  cmd.option(
    '--log-key-env <name>',
    `environment variable holding the log key: the API's head is then signed (default: $${DEFAULT_LOG_KEY_ENV} when set)`,
  );
  addJobOptions(cmd);
  cmd.addOption(
    new Option(
      '--workers <n>',
      'jobs this process runs at once (default: 1 on a state dir, 0 with --database-url: run `patchgate worker`s)',
    ).argParser(count('--workers')),
  );
  cmd.action(async (opts: ServeOptions) => {
    const relayer = optionalAccount(opts);
    const logKeyEnv = opts.logKeyEnv ?? (process.env[DEFAULT_LOG_KEY_ENV] ? DEFAULT_LOG_KEY_ENV : undefined);
    const logSigner = logKeyEnv ? loadAccount({ keyEnv: logKeyEnv }) : undefined;
    const { chain, project } = await projectContext(opts, { config: 'if-named' });
    // A store that does not exist is refused (exit 2): serving it would create it.
    const store = await openStoreFrom(opts, { create: false });
    const lc: Lifecycle | undefined = chain ? { ...chain, store } : undefined;
    const [{ serve }, { createApp }, { keepAlive }] = await Promise.all([
      import('@hono/node-server'),
      import('../server/app.js'),
      import('../server/keep-alive.js'),
    ]);
    const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
    const jobs = await startJobs(opts, store, {
      chain,
      project,
      slots: opts.workers ?? (opts.databaseUrl ? 0 : 1),
    });
    const auth = { domain: opts.domain ?? '', chainId: opts.chainId ?? chain?.clients.chain.id ?? 1 };
    const app = createApp({
      store,
      ledger,
      auth,
      queue: jobs.queue,
      ...(lc ? { lc } : {}),
      ...(project ? { config: project.config, project: { ...project, stateDir: stateDirOf(opts) } } : {}),
      ...(relayer ? { relayer } : {}),
      ...(logSigner ? { logSigner } : {}),
    });
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host });
    keepAlive(server);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', () => {
          // Before any request is read: the default domain is where this server listens (--port 0 resolved).
          auth.domain ||= `${opts.host}:${(server.address() as AddressInfo).port}`;
          resolve();
        });
        server.once('error', reject);
      });
    } catch (e) {
      await jobs.stop();
      await store.close();
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw inputError(
          'port-in-use',
          `--port ${opts.port} is in use by another process`,
          'pass another --port, or --port 0 for a free one',
        );
      }
      throw e;
    }
    const { port } = server.address() as AddressInfo;
    const acting = lc
      ? `acting on ${lc.rpcUrl}${relayer ? `, relayer ${relayer.address}` : ', no relayer key'}`
      : 'read-only: no --rpc';
    process.stderr.write(
      `serving http://${opts.host}:${port} (OpenAPI: /openapi.json; sign-in for ${auth.domain}, chain ${auth.chainId}; ${acting}; ${jobs.describe}): Ctrl-C stops it\n`,
    );
    await untilSignal();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await jobs.stop();
    await store.close();
    process.stderr.write('serve stopped\n');
    onExit(0);
  });
  return cmd;
}

function chainIdOf(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n)) {
    throw inputError(
      'invalid-argument',
      `--chain-id "${value}" is not a chain id`,
      'pass a positive integer, e.g. 1 or 31337',
    );
  }
  return n;
}

function portOrZero(value: string): number {
  return value === '0' ? 0 : parsePort(value);
}
