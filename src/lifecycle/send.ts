/**
 * Sending a transaction so that a crash cannot send it twice: it is signed locally, its hash and bytes are
 * written to the store, and only then broadcast. A re-run finds the record and follows that transaction
 * (waits for it, or re-broadcasts the very same bytes, same nonce) instead of signing a new one. Callers
 * check the chain first (is the operation already scheduled / executed?), so a landed step is never redone.
 */

import { type Hex, keccak256, type LocalAccount, type TransactionReceipt } from 'viem';
import { rethrowTransportFailure } from '../chain/rpc.js';
import { environmentError } from '../core/errors.js';
import { failpoint } from './failpoint.js';
import type { Lifecycle } from './lifecycle.js';

export interface TrackedSend {
  digest: Hex;
  /** The lifecycle step (`queue`, `execute`, `cancel`, `deploy`, `pause`): one record per step. */
  step: string;
  account: LocalAccount;
  to?: Hex;
  data: Hex;
}

function notFound(e: unknown): undefined {
  rethrowTransportFailure(e);
  return undefined;
}

async function follow(lc: Lifecycle, hash: Hex, raw: Hex): Promise<TransactionReceipt | undefined> {
  const client = lc.clients.public;
  // "Not found" is an answer; a node that did not answer is not one. Reading a flaky node's silence as "never
  // sent" would send the step a second time: a transport failure stops the run (exit 3) and the re-run follows.
  const receipt = await client.getTransactionReceipt({ hash }).catch(notFound);
  if (receipt) return receipt;
  const known = await client.getTransaction({ hash }).catch(notFound);
  if (!known) {
    try {
      await client.sendRawTransaction({ serializedTransaction: raw });
    } catch (e) {
      rethrowTransportFailure(e);
      // Its nonce was used by another transaction: this one can never land.
      return undefined;
    }
  }
  return client.waitForTransactionReceipt({ hash });
}

export async function sendTracked(lc: Lifecycle, tx: TrackedSend): Promise<TransactionReceipt> {
  for (const pending of await lc.store.pendingTxs(tx.digest, tx.step)) {
    const receipt = await follow(lc, pending.txHash, pending.raw);
    if (receipt) return receipt;
  }
  const wallet = lc.clients.wallet(tx.account);
  let raw: Hex;
  try {
    const request = await wallet.prepareTransactionRequest({
      account: tx.account,
      chain: lc.clients.chain,
      ...(tx.to ? { to: tx.to } : {}),
      data: tx.data,
    });
    raw = await wallet.signTransaction(request as never);
  } catch (e) {
    throw environmentError(
      'transaction-failed',
      `cannot prepare the ${tx.step} transaction: ${(e as { shortMessage?: string }).shortMessage ?? (e as Error).message}`,
      'check the account has gas money and the node answers',
      e,
    );
  }
  const hash = keccak256(raw);
  await lc.store.addPendingTx(tx.digest, tx.step, hash, raw);
  failpoint(`${tx.step}:before-broadcast`);
  await lc.clients.public.sendRawTransaction({ serializedTransaction: raw });
  failpoint(`${tx.step}:after-broadcast`);
  return lc.clients.public.waitForTransactionReceipt({ hash });
}
