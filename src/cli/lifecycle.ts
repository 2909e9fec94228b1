/**
 * What the lifecycle commands (propose, approve, status, queue, execute, cancel, verify, pause) share: the
 * chain (`--rpc`), the store (`--state-dir` / `--database-url`), the config, signing keys (`--key-env`,
 * `--keystore`), and a patch digest argument. Each command opens a Lifecycle, calls one library function,
 * renders the result and closes everything it opened.
 */

import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { Hex, LocalAccount } from 'viem';
import { connect } from '../chain/clients.js';
import { parseRpcUrl } from '../chain/rpc.js';
import { loadConfig } from '../config/load.js';
import { inputError } from '../core/errors.js';
import { jsonText } from '../core/report-json.js';
import { hasKey, type KeySource, loadAccount } from '../govern/keys.js';
import type { ChainContext, Lifecycle } from '../lifecycle/lifecycle.js';

import { assertWritableOut, writeOutput } from '../report/index.js';
import { openDb } from '../store/db.js';
import { openStore, type Store } from '../store/store.js';

export interface LifecycleOptions {
  rpc?: string;
  config?: string;
  project?: string;
  stateDir?: string;
  databaseUrl?: string;
  format?: string;
  out?: string;
}

export interface KeyOptions {
  keyEnv?: string;
  keystore?: string;
  passwordEnv?: string;
}

function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--state-dir <dir>', 'where patchgate keeps its cache and its store (PGlite)', '.patchgate')
    .option('--database-url <url>', 'keep the store in PostgreSQL instead (postgres://…)');
}

export function addLifecycleOptions(
  cmd: Command,
  opts: { rpc: boolean; formats?: string[] } = { rpc: true },
): Command {
  if (opts.rpc) cmd.option('--rpc <url>', 'JSON-RPC URL of the chain the patch targets');
  cmd
    .option('--config <file>', 'patchgate.config.json (default: the one in the current directory)')
    .option('--project <dir>', 'project directory (default: the config\'s "project")');
  addStoreOptions(cmd);
  return cmd
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(opts.formats ?? ['text', 'json'])
        .default('text'),
    )
    .option('--out <file>', 'write the output to a file instead of stdout');
}

export function addKeyOptions(cmd: Command, what: string): Command {
  return cmd
    .option('--key-env <name>', `environment variable holding ${what}'s private key (0x…)`)
    .option('--keystore <file>', `keystore v3 file holding ${what}'s key`)
    .option(
      '--password-env <name>',
      'environment variable holding the keystore password',
      'PATCHGATE_KEYSTORE_PASSWORD',
    );
}

function keySource(opts: KeyOptions): KeySource {
  return { keyEnv: opts.keyEnv, keystore: opts.keystore, passwordEnv: opts.passwordEnv };
}

export function optionalAccount(opts: KeyOptions): LocalAccount | undefined {
  const src = keySource(opts);
  return hasKey(src) ? loadAccount(src) : undefined;
}

export function requiredAccount(opts: KeyOptions): LocalAccount {
  return loadAccount(keySource(opts));
}

export function parseDigest(value: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw inputError(
      'bad-digest',
      `"${value}" is not a patch digest (0x and 64 hex digits)`,
      'copy it from `patchgate propose` or `patchgate status`',
    );
  }
  return value.toLowerCase() as Hex;
}

/**
 * The store named by `--state-dir`/`--database-url`, held by this process until closed. Only a command that
 * starts state passes `create: true`; for every other one a missing store is exit 2 naming the path.
 */
export async function openStoreFrom(opts: LifecycleOptions, access: { create: boolean }): Promise<Store> {
  const db = await openDb({
    stateDir: resolve(opts.stateDir ?? '.patchgate'),
    databaseUrl: opts.databaseUrl,
    create: access.create,
  });
  try {
    return await openStore(db);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}

/** Config and chain for a command that never touches the store (the guardian's pause). */
export async function withChain<T>(
  opts: LifecycleOptions,
  run: (lc: ChainContext) => Promise<T>,
): Promise<T> {
  assertWritableOut(opts.out);
  if (!opts.rpc) {
    throw inputError(
      'missing-rpc',
      'this command needs --rpc URL',
      'pass the JSON-RPC URL of the chain the patch targets',
    );
  }
  parseRpcUrl(opts.rpc, '--rpc');
  const { config, projectDir } = await loadConfig({
    file: opts.config,
    searchDir: resolve(opts.project ?? '.'),
  });
  const clients = await connect(opts.rpc);
  return run({
    config,
    projectDir: opts.project ? resolve(opts.project) : projectDir,
    stateDir: resolve(opts.stateDir ?? '.patchgate'),
    clients,
    rpcUrl: opts.rpc,
  });
}

/**
 * Config, chain and store for one command; `run` gets them and everything is closed afterwards. The store must
 * exist unless `access.create` (propose).
 */
export async function withLifecycle<T>(
  opts: LifecycleOptions,
  run: (lc: Lifecycle) => Promise<T>,
  access: { create: boolean } = { create: false },
): Promise<T> {
  return withChain(opts, async (chain) => {
    const store = await openStoreFrom(opts, access);
    try {
      return await run({ ...chain, store });
    } finally {
      await store.close();
    }
  });
}

/** JSON (big integers as decimal strings) or the text lines, to --out or stdout. */
export function emit(opts: LifecycleOptions, value: unknown, text: () => string[]): void {
  writeOutput(opts.format === 'json' ? jsonText(value) : `${text().join('\n')}\n`, opts.out);
}

/** `--format safe-tx-builder`: the step's timelock call as a Transaction Builder batch, instead of sending it. */
export async function exportSafeTxBatch(
  opts: LifecycleOptions,
  digest: Hex,
  step: 'schedule' | 'execute',
): Promise<void> {
  const { safeTxBuilderExport } = await import('../lifecycle/queue.js');
  const batch = await withLifecycle(opts, (lc) => safeTxBuilderExport(lc, digest, step));
  writeOutput(jsonText(batch), opts.out);
}
