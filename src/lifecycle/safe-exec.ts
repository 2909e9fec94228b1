/**
 * The Safe's side of each lifecycle step. The SafeTx (a call to the timelock) is built locally, its EIP-712
 * hash recomputed and required to equal the Safe's own `getTransactionHash`; owners' signatures come from
 * the store but are never trusted there: each is recovered again, must be a current owner's, counts once,
 * and the set is packed in ascending owner order. A transaction that would revert is not sent: its decoded
 * reason is the error.
 */

import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddressEqual,
  type LocalAccount,
  parseEventLogs,
  recoverAddress,
  type TransactionReceipt,
} from 'viem';
import { projectErrorsAbi } from '../build/errors-abi.js';
import { SAFE_ABI } from '../core/abis.js';
import { environmentError, inputError } from '../core/errors.js';
import { PATCHGATE_ABI } from '../govern/patchgate-abi.js';
import { packSignatures, type SafeTx, safeTx, safeTxFields, signSafeTx } from '../govern/safe.js';
import type { SafePurpose, StoredSafeSignature } from '../store/store.js';
import { checkedSafeTxHash, safeRevertReason } from '../system/checked.js';
import { projectOf } from './context.js';
import type { Lifecycle, PlannedPatch } from './lifecycle.js';

import { sendTracked } from './send.js';

export interface BuiltSafeTx {
  purpose: SafePurpose;
  tx: SafeTx;
  hash: Hex;
}

export async function safeNonce(lc: Lifecycle, safe: Address): Promise<bigint> {
  return lc.clients.public.readContract({ address: safe, abi: SAFE_ABI, functionName: 'nonce' });
}

/** The SafeTx calling the timelock with `data`, its hash checked against the deployed Safe. */
export async function buildSafeTx(
  lc: Lifecycle,
  patch: PlannedPatch,
  purpose: SafePurpose,
  data: Hex,
  nonce: bigint,
): Promise<BuiltSafeTx> {
  const { safe, timelock } = patch.plan;
  const tx = safeTx(timelock, data, nonce);
  return { purpose, tx, hash: await checkedSafeTxHash(lc.clients.public, lc.clients.chain.id, safe, tx) };
}

/** An owner's signature of a SafeTx, ready for the store. */
export async function signBuilt(
  lc: Lifecycle,
  patch: PlannedPatch,
  account: LocalAccount,
  built: BuiltSafeTx,
): Promise<StoredSafeSignature> {
  const { signature } = await signSafeTx(account, lc.clients.chain.id, patch.plan.safe, built.tx);
  return {
    purpose: built.purpose,
    safeNonce: built.tx.nonce,
    owner: getAddress(account.address),
    safeTxHash: built.hash,
    signature,
  };
}

/** Who signed a SafeTx hash (ECDSA, v 27/28, as the Safe checks it). */
export async function safeSigner(hash: Hex, signature: Hex): Promise<Address | undefined> {
  try {
    return getAddress(await recoverAddress({ hash, signature }));
  } catch {
    return undefined;
  }
}

export interface SafeOwners {
  owners: Address[];
  threshold: number;
}

export async function safeOwners(lc: Lifecycle, safe: Address): Promise<SafeOwners> {
  const [owners, threshold] = await Promise.all([
    lc.clients.public.readContract({ address: safe, abi: SAFE_ABI, functionName: 'getOwners' }),
    lc.clients.public.readContract({ address: safe, abi: SAFE_ABI, functionName: 'getThreshold' }),
  ]);
  return { owners: owners.map((o) => getAddress(o)), threshold: Number(threshold) };
}

/**
 * The packed owner signatures for a built SafeTx, from the store, each recovered again; a clear error
 * naming the SafeTx and who is missing when there are fewer than the Safe's threshold.
 */
export async function collectSignatures(
  lc: Lifecycle,
  patch: PlannedPatch,
  built: BuiltSafeTx,
): Promise<Hex> {
  const { owners, threshold } = await safeOwners(lc, patch.plan.safe);
  const stored = await lc.store.safeSignatures(patch.digest, built.purpose);
  const valid: { owner: Address; signature: Hex }[] = [];
  for (const s of stored.filter((x) => x.safeNonce === built.tx.nonce)) {
    const signer = await safeSigner(built.hash, s.signature);
    if (!signer || !isAddressEqual(signer, s.owner)) continue;
    if (!owners.some((o) => isAddressEqual(o, signer))) continue;
    if (valid.some((v) => isAddressEqual(v.owner, signer))) continue;
    valid.push({ owner: signer, signature: s.signature });
  }
  if (valid.length < threshold) {
    const otherNonces = [...new Set(stored.map((s) => s.safeNonce))].filter((n) => n !== built.tx.nonce);
    const missing = owners.filter((o) => !valid.some((v) => isAddressEqual(v.owner, o)));
    throw inputError(
      'safe-signatures-missing',
      `the Safe needs ${threshold} owner signatures for the ${built.purpose} SafeTx ${built.hash} (nonce ${built.tx.nonce}); it has ${valid.length}`,
      otherNonces.length > 0
        ? `owners signed for Safe nonce ${otherNonces.join(', ')}, but the Safe is at ${built.tx.nonce}: owners re-run \`patchgate approve\` to sign again`
        : `owners who have not signed: ${missing.join(', ')} (\`patchgate approve\`, or sign in Safe{Wallet} with --format safe-tx-builder)`,
    );
  }
  return packSignatures(valid);
}

/**
 * `execTransaction` for a built SafeTx, tracked (see send.ts). Refuses, with the decoded inner reason, a
 * transaction that would revert — the Safe's GS013 hides it, so the inner call is replayed from the Safe.
 */
export async function execSafeTx(
  lc: Lifecycle,
  patch: PlannedPatch,
  built: BuiltSafeTx,
  signatures: Hex,
  submitter: LocalAccount,
): Promise<TransactionReceipt> {
  const args = [...safeTxFields(built.tx), signatures] as const;
  // PatchGate's errors too: a gated call it refuses reads `LaneNotAllowed(1)`, not a bare selector.
  const gateErrors = patch.plan.gate ? PATCHGATE_ABI.filter((x) => x.type === 'error') : [];
  const errorsAbi = [...projectErrorsAbi(await projectOf(lc)), ...gateErrors];
  try {
    await lc.clients.public.simulateContract({
      account: submitter,
      address: patch.plan.safe,
      abi: SAFE_ABI,
      functionName: 'execTransaction',
      args,
    });
  } catch (e) {
    const reason = await safeRevertReason(lc.clients.public, patch.plan.safe, built.tx, e, errorsAbi);
    throw environmentError(
      'safe-tx-reverts',
      `the ${built.purpose} SafeTx ${built.hash} would revert: ${reason}`,
      'nothing was sent; fix the cause and run the command again',
      e,
    );
  }
  const receipt = await sendTracked(lc, {
    digest: patch.digest,
    step: built.purpose === 'schedule' ? 'queue' : built.purpose,
    account: submitter,
    to: patch.plan.safe,
    data: encodeFunctionData({ abi: SAFE_ABI, functionName: 'execTransaction', args }),
  });
  const ok =
    receipt.status === 'success' &&
    parseEventLogs({ abi: SAFE_ABI, logs: receipt.logs, eventName: 'ExecutionSuccess' }).length > 0;
  if (!ok) {
    throw environmentError(
      'safe-tx-failed',
      `the ${built.purpose} SafeTx ${built.hash} did not execute (tx ${receipt.transactionHash})`,
      'inspect the transaction; nothing was recorded as done',
    );
  }
  return receipt;
}
