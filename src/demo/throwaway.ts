/**
 * The throwaway state the demo and the sandbox leave in a state dir: a store made anew on every run (each run
 * deploys a fresh chain whose records would clash with the last one's), the log files, and, for the sandbox, its
 * config and environment — but never over a store neither of them made: that one holds someone's real patches.
 */

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { openPglite } from '../store/db.js';
import { openStore, type Store } from '../store/store.js';

/** Where the demo and the sandbox leave what they made, so that `status` and `log verify` can be run on it. */
export function demoFiles(stateDir: string) {
  return {
    /** Says the store is a demo's or a sandbox's: written before the store, so a run killed halfway is still known. */
    marker: join(stateDir, 'demo.json'),
    db: join(stateDir, 'db'),
    log: join(stateDir, 'log.jsonl'),
    head: join(stateDir, 'head.json'),
    /** The sandbox's config: the example with `live` pointing at the sandbox's chain. */
    config: join(stateDir, 'sandbox.config.json'),
    /** The sandbox's environment as `export` lines, for `source`. */
    env: join(stateDir, 'sandbox.env'),
  };
}

/**
 * A fresh store under the state dir for `who` (the demo or the sandbox), the last run's files gone; refused
 * (exit 2, nothing touched) when the state dir holds a store without the marker.
 */
export async function openThrowawayStore(stateDir: string, who: 'demo' | 'sandbox'): Promise<Store> {
  const files = demoFiles(stateDir);
  if (existsSync(files.db) && !existsSync(files.marker)) {
    throw inputError(
      'state-dir-in-use',
      `--state-dir ${stateDir} already holds a store the ${who} did not make`,
      `give the ${who} a state dir of its own, e.g. --state-dir .patchgate-${who}`,
    );
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(files.marker, `${JSON.stringify({ madeBy: `patchgate ${who}`, version: VERSION })}\n`);
  for (const f of [files.log, files.head, files.config, files.env]) rmSync(f, { force: true });
  // Emptied under the store's lock: a `status` still reading the last run's store is waited for.
  return openStore(await openPglite(files.db, { create: true, fresh: true }));
}
