/**
 * Per-test isolation on one live example per file: the chain goes back to a snapshot (evm_snapshot /
 * evm_revert) and the store is emptied, so every test starts from the same state whatever ran before it,
 * without redeploying the system or opening a new PGlite (seconds each).
 */
import type { Hex } from 'viem';
import type { Clients } from '../../src/chain/clients.js';
import type { Db } from '../../src/store/db.js';

export interface ChainCheckpoint {
  /** Puts the chain (state, blocks and clock) back to the checkpoint; the checkpoint stays usable. */
  restore(): Promise<void>;
}

/**
 * A checkpoint of the chain as it is now. anvil drops a snapshot when it reverts to it (and every later
 * one), and answers `false` — not an error — for a snapshot it no longer has: so each restore checks the
 * answer and takes a fresh snapshot of the restored state.
 */
export async function chainCheckpoint(clients: Clients): Promise<ChainCheckpoint> {
  let id: Hex = await clients.test.snapshot();
  return {
    async restore() {
      // viem types evm_revert's answer as void; anvil answers a boolean.
      const reverted: unknown = await clients.test.request({ method: 'evm_revert', params: [id] });
      if (reverted !== true) throw new Error(`the node could not revert to snapshot ${id}`);
      id = await clients.test.snapshot();
    },
  };
}

/** Empties every table of the store (patches, evidence, approvals, the log…): a store as `openStore` makes it. */
export async function emptyStore(db: Db): Promise<void> {
  const tables = await db.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = 'public'`,
  );
  if (tables.length === 0) return;
  const names = tables.map((t) => `"${t.tablename}"`).join(', ');
  await db.query(`truncate ${names} restart identity cascade`);
}
