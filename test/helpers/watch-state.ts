/**
 * The live example as the state rules (watch/rules/invariants.ts, outflows.ts) see it: its invariants resolved the
 * way the watcher's caller resolves them, transactions sent by the example's accounts, the example's exploit, the
 * head as a BlockRef and a pending transaction read from the node's txpool.
 */
import {
  type AbiFunction,
  type Address,
  formatTransaction,
  type Hex,
  type RpcTransaction,
  type TransactionReceipt,
} from 'viem';
import { findContract } from '../../src/build/find.js';
import { abiOf, deploy } from '../../src/chain/deploy.js';
import type { InvariantConfig } from '../../src/config/schema.js';
import { accountFor } from '../../src/system/model.js';
import type { BlockRef } from '../../src/watch/follow.js';
import type { PendingTx } from '../../src/watch/rule.js';
import type { WatchedInvariant } from '../../src/watch/rules/invariants.js';
import type { LiveExample } from './live.js';

export const contract = (live: LiveExample, name: string) => {
  const c = live.system.contracts.get(name);
  if (!c) throw new Error(`no ${name} in the live example`);
  return c;
};

/** An invariant on a deployed contract of the example, by function name. */
export function invariant(
  live: LiveExample,
  name: string,
  target: string,
  functionName: string,
  op: InvariantConfig['op'],
  expected: unknown,
  args: readonly unknown[] = [],
): WatchedInvariant {
  const c = contract(live, target);
  const fn = c.abi.find((x): x is AbiFunction => x.type === 'function' && x.name === functionName);
  if (!fn) throw new Error(`no ${functionName} on ${target}`);
  return { name, address: c.address, fn, args, op, expected, errors: c.abi };
}

/** `from` calls `functionName` on the example's contract `to`, mined; the receipt must be a success. */
export async function send(
  live: LiveExample,
  from: string,
  to: string,
  functionName: string,
  args: readonly unknown[],
): Promise<TransactionReceipt> {
  const c = contract(live, to);
  const hash = await live.clients.wallet(accountFor(from)).writeContract({
    address: c.address,
    abi: c.abi,
    functionName,
    args,
  });
  const receipt = await live.clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${to}.${functionName} reverted`);
  return receipt;
}

/** The block a receipt was mined in, as the follower hands it out. */
export async function blockRef(live: LiveExample, number?: bigint): Promise<BlockRef> {
  const b = await live.clients.public.getBlock(
    number === undefined ? { blockTag: 'latest' } : { blockNumber: number },
  );
  if (b.number === null || b.hash === null) throw new Error('pending block');
  return { number: b.number, hash: b.hash, parentHash: b.parentHash };
}

/** The attacker's FlashDepositExploit, deployed and funded with the fee (as config `pocs` says): ready to attack. */
export async function armedExploit(live: LiveExample): Promise<Address> {
  const handle = findContract(live.project, 'FlashDepositExploit');
  const attacker = live.clients.wallet(accountFor('attacker'));
  const exploit = await deploy(attacker, live.clients.public, handle);
  await send(live, 'deployer', 'token', 'mint', [exploit, 50_000_000n]);
  return exploit;
}

/** The attack transaction (not sent): `attack(vault)` from the attacker. */
export function attackCall(live: LiveExample, exploit: Address) {
  return {
    account: accountFor('attacker'),
    address: exploit,
    abi: abiOf(findContract(live.project, 'FlashDepositExploit')),
    functionName: 'attack',
    args: [contract(live, 'vault').address],
  } as const;
}

/** The pending transaction `hash` as the node's txpool shows it. */
export async function pendingTx(live: LiveExample, hash: Hex): Promise<PendingTx> {
  const pool = (await live.clients.public.request({ method: 'txpool_content' as never })) as {
    pending: Record<string, Record<string, RpcTransaction>>;
  };
  const raw = Object.values(pool.pending)
    .flatMap((byNonce) => Object.values(byNonce))
    .find((t) => t.hash === hash);
  if (!raw) throw new Error(`${hash} is not in the txpool`);
  const t = formatTransaction(raw);
  return {
    hash: t.hash,
    from: t.from,
    to: t.to ?? null,
    input: t.input,
    value: t.value,
    gas: t.gas,
    nonce: t.nonce,
  };
}
