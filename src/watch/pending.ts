/**
 * Pending transactions, where the node shows its mempool: a filter (`eth_newPendingTransactionFilter`, the
 * standard way, answered by geth, reth and anvil) polled for new hashes, each fetched once. A node without the
 * filter (most hosted RPCs) shows nothing: `available` says so, and the watcher judges mined blocks only.
 *
 * Every pending call is handed out, not only those sent to a protected contract: an attack goes through the
 * attacker's own contract, so what it touches is only known by simulating it (the rules do). That costs one
 * simulation per pending transaction and rule: on a busy public mempool, run the watcher against a node of your own.
 */
import type { Hex, PublicClient } from 'viem';
import { rethrowTransportFailure } from '../chain/rpc.js';
import { mapLimit } from '../core/map-limit.js';
import type { PendingTx } from './rule.js';

export interface PendingReader {
  /** Whether the node shows its mempool at all (known after the first poll). */
  readonly available: boolean | undefined;
  /** Calls that entered the mempool since the last poll (contract creations are not judged). */
  poll(): Promise<PendingTx[]>;
}

/** Hashes remembered so a transaction is judged once, however many polls it stays pending. */
const REMEMBER = 10_000;
const FETCH_AT_ONCE = 16;

export function pendingReader(client: PublicClient): PendingReader {
  let filter: Hex | undefined;
  let available: boolean | undefined;
  const seen = new Set<Hex>();

  async function newHashes(): Promise<Hex[]> {
    try {
      const id: Hex = filter ?? (await client.request({ method: 'eth_newPendingTransactionFilter' }));
      filter = id;
      const hashes: unknown = await client.request({ method: 'eth_getFilterChanges', params: [id] });
      available = true;
      return hashes as Hex[];
    } catch (e) {
      rethrowTransportFailure(e);
      // A node that forgot the filter (restart, expiry) gets a new one next poll; one without it, none.
      if (available === true) filter = undefined;
      else available = false;
      return [];
    }
  }

  return {
    get available() {
      return available;
    },
    async poll() {
      if (available === false) return [];
      const fresh = (await newHashes()).filter((hash) => {
        if (seen.has(hash)) return false;
        seen.add(hash);
        if (seen.size > REMEMBER) seen.delete(seen.values().next().value as Hex);
        return true;
      });
      // Fetched a few at a time: a flood of pending transactions costs round trips in parallel, not in series.
      const txs = await mapLimit(fresh, FETCH_AT_ONCE, (hash) =>
        client.getTransaction({ hash }).catch((e: unknown) => {
          rethrowTransportFailure(e);
          return undefined; // mined or dropped in between: the block rules see it if it was mined
        }),
      );
      const out: PendingTx[] = [];
      for (const tx of txs) {
        if (!tx?.to || tx.blockNumber !== null) continue;
        out.push({
          hash: tx.hash,
          from: tx.from,
          to: tx.to,
          input: tx.input,
          value: tx.value,
          gas: tx.gas,
          nonce: tx.nonce,
          ...(tx.maxFeePerGas !== undefined ? { maxFeePerGas: tx.maxFeePerGas } : {}),
          ...(tx.maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas: tx.maxPriorityFeePerGas } : {}),
          ...(tx.gasPrice !== undefined ? { gasPrice: tx.gasPrice } : {}),
        });
      }
      return out;
    },
  };
}
