/**
 * `patchgate log anchor`: records the log's current tree head (size, root) on chain through PatchGate's
 * `anchor`, from the anchorer's key — a public, timestamped commitment anyone can compare a head with.
 * Idempotent: a size already anchored is reported, not sent again.
 */
import { Command } from 'commander';
import type { Address } from 'viem';
import { connect } from '../chain/clients.js';
import { openDb } from '../store/db.js';
import { openLedger } from '../store/ledger-store.js';
import { emit, type LifecycleOptions, requiredAccount } from './lifecycle.js';
import {
  addKeyOptions,
  addOriginOption,
  addOutputOptions,
  addRpcOption,
  addStoreOptions,
  DEFAULT_LOG_KEY_ENV,
  type KeyOptions,
  stateDirOf,
} from './options.js';
import { address } from './options-address.js';

export function anchorCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('anchor').description(
    "record the log's current head on chain (PatchGate.anchor), signed by the anchorer key",
  );
  addRpcOption(cmd, { required: true, note: 'the chain PatchGate is on' });
  cmd.requiredOption('--gate <address>', 'the PatchGate contract', address('--gate'));
  addStoreOptions(cmd);
  addOriginOption(cmd);
  addOutputOptions(cmd, ['text', 'json']);
  addKeyOptions(cmd, 'the anchorer', { defaultEnv: DEFAULT_LOG_KEY_ENV });
  cmd.action(async (opts: LifecycleOptions & KeyOptions & { gate: Address; origin: string }) => {
    const { gate } = opts;
    const account = requiredAccount(opts.keyEnv || opts.keystore ? opts : { keyEnv: DEFAULT_LOG_KEY_ENV });
    const db = await openDb({
      stateDir: stateDirOf(opts),
      databaseUrl: opts.databaseUrl,
      create: false,
    });
    let head: Awaited<ReturnType<Awaited<ReturnType<typeof openLedger>>['head']>>;
    try {
      head = await (await openLedger(db, { origin: opts.origin })).head();
    } finally {
      await db.close();
    }
    const clients = await connect(opts.rpc as string);
    const { PATCHGATE_ABI } = await import('../govern/patchgate-abi.js');
    const anchored = await clients.public.readContract({
      address: gate,
      abi: PATCHGATE_ABI,
      functionName: 'anchoredSize',
    });
    if (head.size === 0 || anchored >= BigInt(head.size)) {
      const result = {
        gate,
        size: head.size,
        root: head.root,
        anchoredSize: anchored.toString(),
        already: true,
      };
      emit(opts, result, () => [
        head.size === 0
          ? 'NOTHING TO ANCHOR  the log is empty'
          : `ALREADY ANCHORED  size ${anchored} ≥ the log's ${head.size} on ${gate}`,
      ]);
      onExit(0);
      return;
    }
    const { anchorHead } = await import('../anchor/anchor-head.js');
    const r = await anchorHead(clients, gate, account, { size: head.size, root: head.root });
    const result = { gate, size: head.size, root: head.root, ...r, already: false };
    emit(opts, result, () => [
      `ANCHORED  size ${head.size}, root ${head.root} on ${gate}  (tx ${r.txHash}, block ${r.blockNumber}, gas ${r.gasUsed})`,
    ]);
    onExit(0);
  });
  return cmd;
}
