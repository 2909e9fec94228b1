/** `patchgate serve`: the store's patches and transparency log over HTTP, read-only (src/server/). */
import type { AddressInfo } from 'node:net';
import { Command, Option } from 'commander';
import { inputError } from '../core/errors.js';
import { LOG_ORIGIN } from '../lifecycle/log-sync.js';
import { openLedger } from '../store/ledger-store.js';
import { openStoreFrom } from './lifecycle.js';
import { addStoreOptions, parsePort } from './options.js';

interface ServeOptions {
  port: number;
  host: string;
  stateDir: string;
  databaseUrl?: string;
}

export function serveCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('serve')
    .description(
      "serve the store's patches and its transparency log over HTTP, read-only (OpenAPI at /openapi.json; Ctrl-C stops it)",
    )
    .addOption(new Option('--port <port>', 'TCP port (0: a free one)').default(8547).argParser(portOrZero))
    .addOption(
      new Option('--host <host>', 'address to listen on (another than 127.0.0.1 exposes the store)').default(
        '127.0.0.1',
      ),
    );
  addStoreOptions(cmd);
  cmd.action(async (opts: ServeOptions) => {
    // A store that does not exist is refused (exit 2): serving it would create it.
    const store = await openStoreFrom(opts, { create: false });
    const [{ serve }, { createApp }] = await Promise.all([
      import('@hono/node-server'),
      import('../server/app.js'),
    ]);
    const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
    const app = createApp({ store, ledger });
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
    } catch (e) {
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
    process.stderr.write(`serving http://${opts.host}:${port} (OpenAPI: /openapi.json): Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    process.stderr.write('serve stopped\n');
    onExit(0);
  });
  return cmd;
}

function portOrZero(value: string): number {
  return value === '0' ? 0 : parsePort(value);
}
