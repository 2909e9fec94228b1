/**
 * What the lifecycle commands (propose, approve, status, queue, execute, cancel, verify, pause) share: their
 * option groups (options.ts: rpc, project, store, output), the signing key a group names, and a Lifecycle —
 * config, chain and store — that each command opens, calls one library function with, renders and closes.
 */

import type { Command } from 'commander';
import type { Hex, LocalAccount } from 'viem';
import { inputError } from '../core/errors.js';
import { jsonText } from '../core/report-json.js';
import { hasKey, type KeySource, loadAccount } from '../govern/keys.js';
import { connectChain, createLifecycle, openLifecycleStore } from '../lifecycle/create.js';
import type { ChainContext, Lifecycle } from '../lifecycle/lifecycle.js';
import { assertWritableOut, writeOutput } from '../report/index.js';
import type { Store } from '../store/store.js';
import {
  addOutputOptions,
  addProjectOptions,
  addRpcOption,
  addStoreOptions,
  type Format,
  type KeyOptions,
  type OutputOptions,
  type ProjectOptions,
  type StoreOptions,
  stateDirOf,
} from './options.js';

/** What the lifecycle's groups parse to (`format` may be one a command adds, such as safe-tx-builder). */
export interface LifecycleOptions extends ProjectOptions, Partial<StoreOptions>, Partial<OutputOptions> {
  rpc?: string;
}

/** The lifecycle's groups: rpc, project, store and output (`text` and `json` unless `formats` says more). */
export function addLifecycleOptions(
  cmd: Command,
  opts: { rpcNote?: string; formats?: readonly Format[] } = {},
): Command {
  addRpcOption(cmd, { note: opts.rpcNote });
  addProjectOptions(cmd);
  addStoreOptions(cmd);
  return addOutputOptions(cmd, opts.formats ?? ['text', 'json']);
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

/**
 * The store named by `--state-dir`/`--database-url`, held by this process until closed. Only a command that
 * starts state passes `create: true`; for every other one a missing store is exit 2 naming the path.
 */
export async function openStoreFrom(opts: LifecycleOptions, access: { create: boolean }): Promise<Store> {
  return openLifecycleStore({ store: opts.databaseUrl, stateDir: stateDirOf(opts), create: access.create });
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
    await connectChain({ rpc, config: opts.config, projectDir: opts.project, stateDir: stateDirOf(opts) }),
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
    stateDir: stateDirOf(opts),
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
