/**
 * Opening a Lifecycle: the config (a file or an object), the chain (one RPC URL, checked and probed), and the
 * store (PGlite under the state dir, in memory, or PostgreSQL). The CLI opens its Lifecycle here too, so a
 * library user gets exactly what a command gets: the same checks, the same one-line errors, the same lock.
 */
import { resolve } from 'node:path';
import { connect } from '../chain/clients.js';
import { parseRpcUrl } from '../chain/rpc.js';
import { loadConfig, parseConfig } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import { openDb, openPglite } from '../store/db.js';
import { openStore, type Store } from '../store/store.js';
import type { ChainContext, Lifecycle } from './lifecycle.js';

/** The default state dir, as the CLI's `--state-dir`: relative to the current directory. */
const STATE_DIR = '.patchgate';

export interface CreateLifecycleOptions {
  /** JSON-RPC URL (http/https) of the chain the patch targets, as `--rpc`. */
  rpc: string;
  /**
   * Where the store is: a PostgreSQL URL (`postgres://…`, as `--database-url`), or `{ memory: true }` for an
   * in-memory PGlite store that lives until `close()`. Default: PGlite under `<stateDir>/db`, as `--state-dir`.
   */
  store?: string | { memory: true };
  /** May a missing store be created? As in the CLI, only what starts state (a first `propose`) should. Default false. */
  create?: boolean;
  /**
   * A config file path (`patchgate.config.{json,ts,mjs,js}`), or the config itself as an object (validated the
   * same way). Default: the config file found in `projectDir` (or the current directory), else the defaults.
   */
  config?: string | ConfigInput;
  /**
   * The project directory (sources, build output). Default: the config's `project`, against the config file's
   * directory (against the current directory for a config object).
   */
  projectDir?: string;
  /** Where patchgate keeps its build cache and, by default, its store. Default `.patchgate`. */
  stateDir?: string;
}

/** A Lifecycle that holds a store (and its lock) until `close()`. */
export interface OpenLifecycle extends Lifecycle {
  /** Closes the store and releases its lock. Call it once, in a `finally`. */
  close(): Promise<void>;
}

/**
 * Opens everything a lifecycle step needs, in the CLI's order: the RPC URL is checked (bad URL: exit 2), the config
 * loaded (bad config: exit 2), the node probed (dead or not JSON-RPC: exit 3), then the store opened (missing
 * and not `create`: exit 2; held by another process past the wait: exit 3). Every failure is a `PatchgateError`
 * with a stable `code`; nothing stays open when it throws.
 *
 * @example
 * ```ts
 * import { createLifecycle, propose, patchStatus } from 'patchgate';
 *
 * const lc = await createLifecycle({
 *   rpc: 'http://127.0.0.1:8545',
 *   config: './patchgate.config.json',
 *   stateDir: '.patchgate',
 *   create: true,
 * });
 * try {
 *   const { digest } = await propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', deployer });
 *   console.log(digest);
 * } finally {
 *   await lc.close();
 * }
 * ```
 */
export async function createLifecycle(opts: CreateLifecycleOptions): Promise<OpenLifecycle> {
  const chain = await connectChain(opts);
  const store = await openLifecycleStore(opts);
  return { ...chain, store, close: () => store.close() };
}

/** The config and the chain, no store: what the guardian's pause needs (`createLifecycle` without the store). */
export async function connectChain(
  opts: Pick<CreateLifecycleOptions, 'rpc' | 'config' | 'projectDir' | 'stateDir'>,
): Promise<ChainContext> {
  parseRpcUrl(opts.rpc, '--rpc');
  const { config, projectDir } = await configOf(opts);
  const clients = await connect(opts.rpc);
  return {
    config,
    projectDir,
    stateDir: resolve(opts.stateDir ?? STATE_DIR),
    clients,
    rpcUrl: opts.rpc,
  };
}

/** The store `opts.store`/`opts.stateDir` name, held by this process until closed; see `createLifecycle`. */
export async function openLifecycleStore(
  opts: Pick<CreateLifecycleOptions, 'store' | 'create' | 'stateDir'>,
): Promise<Store> {
  const create = opts.create ?? false;
  const db =
    typeof opts.store === 'object'
      ? await openPglite('memory://')
      : await openDb({ stateDir: resolve(opts.stateDir ?? STATE_DIR), databaseUrl: opts.store, create });
  try {
    return await openStore(db);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}

/** The config from a path, an object, or the project directory; and the project directory it implies. */
async function configOf(
  opts: Pick<CreateLifecycleOptions, 'config' | 'projectDir'>,
): Promise<{ config: Config; projectDir: string }> {
  const given = opts.projectDir ? resolve(opts.projectDir) : undefined;
  if (opts.config === undefined || typeof opts.config === 'string') {
    const loaded = await loadConfig({ file: opts.config, searchDir: given ?? resolve('.') });
    return { config: loaded.config, projectDir: given ?? loaded.projectDir };
  }
  let text: string;
  try {
    text = JSON.stringify(opts.config);
  } catch (e) {
    throw inputError(
      'config-invalid',
      `the config object cannot be read as JSON: ${(e as Error).message}`,
      'pass plain values (strings, numbers, arrays, objects), as in patchgate.config.json',
    );
  }
  const config = await parseConfig(text, 'the config object');
  return { config, projectDir: given ?? resolve(config.project) };
}
