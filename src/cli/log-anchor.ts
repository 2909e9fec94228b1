/**
 * `patchgate log anchor`: records the log's current tree head (size, root) on chain through PatchGate's
 * `anchor`, from the anchorer's key — a public, timestamped commitment anyone can compare a head with.
 * Idempotent: a size already anchored is reported, not sent again.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { connect } from '../chain/clients.js';
import { parseAddress } from '../govern/address.js';
import { openDb } from '../store/db.js';
import { openLedger } from '../store/ledger-store.js';
import { addKeyOptions, emit, type KeyOptions, type LifecycleOptions, requiredAccount } from './lifecycle.js';

export function anchorCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('anchor')
    .description("record the log's current head on chain (PatchGate.anchor), signed by the anchorer key")
    .requiredOption('--rpc <url>', 'JSON-RPC URL of the chain PatchGate is on')
    .requiredOption('--gate <address>', 'the PatchGate contract')
    .option('--state-dir <dir>', 'where patchgate keeps its store (PGlite under <dir>/db)', '.patchgate')
    .option('--database-url <url>', 'the store in PostgreSQL instead (postgres://…)')
    .option('--origin <name>', 'which log in the store (its origin)', 'patchgate')
    .option('--format <format>', 'text or json', 'text')
    .option('--out <file>', 'write the output to a file instead of stdout');
  addKeyOptions(cmd, 'the anchorer');
  cmd.action(async (opts: LifecycleOptions & KeyOptions & { gate: string; origin: string }) => {
    const gate = parseAddress(opts.gate, '--gate');
    const account = requiredAccount(opts.keyEnv || opts.keystore ? opts : { keyEnv: 'PATCHGATE_LOG_KEY' });
    const db = await openDb({
      stateDir: resolve(opts.stateDir ?? '.patchgate'),
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
