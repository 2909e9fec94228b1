/**
 * A pending transaction run on the current head without mining it, for the rules that judge the mempool
 * (rules/invariants.ts, rules/outflows.ts): one `eth_simulateV1` request, one simulated block on top of `head`
 * holding the pending transaction first and then the rule's own calls (view calls, which see the state the pending
 * transaction left). `validation: false`: the node neither checks the nonce nor charges fees, so the simulation
 * answers "what would this transaction do", not "would the node accept it now".
 *
 * Fail closed: a node that cannot simulate (no `eth_simulateV1`, not answering) is the environment's failure, raised
 * as such — never read as "the transaction is harmless".
 */
import type { Address, Hex, Log, PublicClient } from 'viem';
import { rpcFailure } from '../chain/rpc.js';
import { environmentError } from '../core/errors.js';
import type { BlockRef } from './follow.js';
import type { PendingTx } from './rule.js';

/** One call of the simulated block: whether it succeeded, what it returned (or its revert data), what it logged. */
export interface SimulatedCall {
  ok: boolean;
  data: Hex;
  logs: Log[];
}

/** A call of the simulated block as sent: the pending transaction, or one of the rule's view calls. */
interface SimulatedCallRequest {
  from: Address;
  /** null: the pending transaction deploys a contract. */
  to: Address | null;
  data: Hex;
  value?: bigint;
  gas?: bigint;
}

export interface SimulatedPending {
  /** The pending transaction itself. */
  tx: SimulatedCall;
  /** The calls after it, in the order given. */
  calls: SimulatedCall[];
}

/** Simulations kept per simulator (each is a few kilobytes; a pass judges at most a few dozen transactions). */
const KEPT_SIMULATIONS = 128;

/**
 * One simulation of a pending transaction on a head for every rule that judges it (the invariants rule and the
 * outflows rule ask about the same transaction at the same moment: one `eth_simulateV1`, not one each). Each rule
 * adds the view calls it needs once, when it is made; every simulation runs all of them after the transaction.
 */
export interface PendingSimulator {
  /** Adds view calls run after the pending transaction in every simulation; returns where to find their results. */
  withCalls(calls: readonly { to: Address; data: Hex }[]): (simulated: SimulatedPending) => SimulatedCall[];
  /** `tx` simulated on `head` with every call added, once per (transaction, head); a failed one is asked again. */
  run(tx: PendingTx, head: BlockRef): Promise<SimulatedPending>;
}

/**
 * @example
 * ```ts
 * const simulator = pendingSimulator(client);
 * const mine = simulator.withCalls([{ to: vault, data: encodeFunctionData({ abi, functionName: 'totalAssets' }) }]);
 * const after = mine(await simulator.run(pending, head));
 * ```
 */
export function pendingSimulator(client: PublicClient): PendingSimulator {
  const calls: { to: Address; data: Hex }[] = [];
  const kept = new Map<string, Promise<SimulatedPending>>();
  return {
    withCalls(added) {
      const at = calls.length;
      calls.push(...added);
      return (simulated) => simulated.calls.slice(at, at + added.length);
    },
    run(tx, head) {
      const key = `${tx.hash}:${head.hash}:${calls.length}`;
      let simulated = kept.get(key);
      if (!simulated) {
        simulated = simulatePending(client, tx, head, calls);
        kept.set(key, simulated);
        simulated.catch(() => kept.delete(key));
        for (const old of kept.keys()) {
          if (kept.size <= KEPT_SIMULATIONS) break;
          kept.delete(old);
        }
      }
      return simulated;
    },
  };
}

/** Simulate `tx` on `head`, then `calls` on the state it leaves. */
async function simulatePending(
  client: PublicClient,
  tx: PendingTx,
  head: BlockRef,
  calls: readonly { to: Address; data: Hex }[] = [],
): Promise<SimulatedPending> {
  const pending: SimulatedCallRequest = {
    from: tx.from,
    to: tx.to,
    data: tx.input,
    value: tx.value,
    ...(tx.gas !== undefined ? { gas: tx.gas } : {}),
  };
  let blocks: Awaited<ReturnType<PublicClient['simulateBlocks']>>;
  try {
    blocks = await client.simulateBlocks({
      blockNumber: head.number,
      validation: false,
      blocks: [
        {
          calls: [
            pending,
            ...calls.map((c): SimulatedCallRequest => ({ from: tx.from, to: c.to, data: c.data })),
          ],
        },
      ],
    });
  } catch (e) {
    throw rpcFailure(e) ?? e;
  }
  const results = (blocks[0]?.calls ?? []).map(
    (c): SimulatedCall => ({ ok: c.status === 'success', data: c.data, logs: c.logs ?? [] }),
  );
  const [first, ...rest] = results;
  if (!first || rest.length !== calls.length) {
    throw environmentError(
      'rpc-bad-response',
      `the node answered eth_simulateV1 with ${results.length} call results for ${calls.length + 1} calls`,
      'use a node that implements eth_simulateV1 (anvil ≥ 1.0, geth, reth)',
    );
  }
  return { tx: first, calls: rest };
}
