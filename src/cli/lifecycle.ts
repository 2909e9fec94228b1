/**
 * What the lifecycle commands (propose, approve, status, queue, execute, cancel, verify, pause) share: the
 * chain (`--rpc`), the store (`--state-dir` / `--database-url`), the config, signing keys (`--key-env`,
 * `--keystore`), and a patch digest argument. Each command opens a Lifecycle, calls one library function,
 * renders the result and closes everything it opened.
 */

import { type Command, Option } from 'commander';
import type { Hex, LocalAccount } from 'viem';
import { inputError } from '../core/errors.js';
import { jsonText } from '../core/report-json.js';
import { hasKey, type KeySource, loadAccount } from '../govern/keys.js';
import { connectChain, createLifecycle, openLifecycleStore } from '../lifecycle/create.js';
import type { ChainContext, Lifecycle } from '../lifecycle/lifecycle.js';
import { assertWritableOut, writeOutput } from '../report/index.js';
import type { Store } from '../store/store.js';

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
  return openLifecycleStore({ store: opts.databaseUrl, stateDir: opts.stateDir, create: access.create });
}

/** The `--rpc` a chain command cannot do without (exit 2), checked with `--out` before anything is opened. */
function requireRpc(opts: LifecycleOptions): string {
  assertWritableOut(opts.out);
  if (!opts.rpc) {
    throw inputError(
      'missing-rpc',
      'this command needs --rpc URL',
      'pass the JSON-RPC URL of the chain the patch targets',
    );
  }
  return opts.rpc;
}

/** Config and chain for a command that never touches the store (the guardian's pause). */
export async function withChain<T>(
  opts: LifecycleOptions,
  run: (lc: ChainContext) => Promise<T>,
): Promise<T> {
  const rpc = requireRpc(opts);
  return run(
    await connectChain({ rpc, config: opts.config, projectDir: opts.project, stateDir: opts.stateDir }),
  );
}

/**
 * Config, chain and store for one command (opened by the library's `createLifecycle`); `run` gets them and
 * everything is closed afterwards. The store must exist unless `access.create` (propose).
 */
export async function withLifecycle<T>(
  opts: LifecycleOptions,
  run: (lc: Lifecycle) => Promise<T>,
  access: { create: boolean } = { create: false },
): Promise<T> {
  const lc = await createLifecycle({
    rpc: requireRpc(opts),
    config: opts.config,
    projectDir: opts.project,
    stateDir: opts.stateDir,
    store: opts.databaseUrl,
    create: access.create,
  });
  try {
    return await run(lc);
  } finally {
    await lc.close();
  }
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
