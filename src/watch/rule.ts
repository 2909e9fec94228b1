/**
 * What a watch rule is: a name and a judgement of one block (and, where the node shows its mempool, of one pending
 * transaction). Built-in rules live in rules/; a team's own rule is a TypeScript module exporting an object of this
 * shape (docs/watch.md).
 *
 * A rule only judges: it names what it saw and what it is about (the contract, the timelock operation, the value
 * that left). What to do about it — alert, pause, cancel — is the config's `respond`, per rule, carried out by the
 * watcher's responders.
 */
import type { Address, Hex, PublicClient } from 'viem';
import type { Finding } from '../core/finding.js';
import type { BlockRef } from './follow.js';

export interface WatchFinding extends Finding {
  /** The protected contract this is about (what a `pause` response brakes first). */
  contract?: Address;
  /** The transaction that caused it (mined, or pending for a pending-transaction rule). */
  tx?: Hex;
  /** A timelock operation id: what a `cancel` response cancels (an operation no patch proposed). */
  operation?: Hex;
  /** Value that left (or would leave) a protected contract, base units of `token`. */
  outflow?: { token: Address; amount: bigint };
}

/** A pending transaction as the node shows it: enough to simulate it on the current head. */
export interface PendingTx {
  hash: Hex;
  from: Address;
  to: Address | null;
  input: Hex;
  value: bigint;
  gas?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  gasPrice?: bigint;
  nonce: number;
}

export interface BlockRule {
  name: string;
  /** The alerts this block raises, each keyed (`finding.key`) so that a block seen twice raises nothing new. */
  evaluate(block: BlockRef): Promise<WatchFinding[]>;
  /** The alerts a pending transaction would raise if mined on top of `head` (rules that can tell say so). */
  evaluatePending?(tx: PendingTx, head: BlockRef): Promise<WatchFinding[]>;
}

/** What a custom rule module's factory is given (config `watch.custom[].options` as `options`). */
export interface RuleContext {
  client: PublicClient;
  chainId: number;
  /** The protected contracts, by their `live` names. */
  contracts: ReadonlyMap<string, Address>;
  options: Readonly<Record<string, unknown>>;
}

/** A custom rule module's default export: a rule, or a function of the context that makes one. */
export type RuleModule = BlockRule | ((ctx: RuleContext) => BlockRule | Promise<BlockRule>);

/**
 * Typed helper for a custom rule module (`watch.custom` in the config): the module's default export.
 *
 * @example
 * ```ts
 * // rules/big-mint.ts
 * import { defineRule } from 'patchgate';
 * export default defineRule(({ client, contracts }) => ({
 *   name: 'big-mint',
 *   async evaluate(block) {
 *     const logs = await client.getLogs({ address: contracts.get('token'), fromBlock: block.number, toBlock: block.number });
 *     return logs.length > 100 ? [{ id: 'watch-custom', severity: 'high', title: 'Many token events', message: `${logs.length} events in block ${block.number}`, blocking: false, key: 'many' }] : [];
 *   },
 * }));
 * ```
 */
export function defineRule(rule: RuleModule): RuleModule {
  return rule;
}
