/**
 * `approve`: one approver's sign-off on a patch digest. The EIP-712 approval (chain id, proxy, digest, nonce,
 * expiry) is verified against the lane's approver set like any other — a key held here or a file signed
 * elsewhere. An approver who owns the Safe also signs, in the same step, the two SafeTxs that carry the
 * patch: the timelock `schedule` at the Safe's next nonce and the `execute` at the one after. Everything is
 * recorded in one store transaction; the patch becomes `approved` when the lane's threshold is reached.
 */

import { type Address, getAddress, type Hex, hexToBigInt, isAddressEqual, type LocalAccount } from 'viem';
import { inputError } from '../core/errors.js';
import {
  type Approval,
  approvalTypedData,
  HALF_N,
  signApproval,
  tallyApprovals,
  verifyApproval,
} from '../govern/approval.js';
import { timelockOperation } from '../govern/plan.js';
import { safeTxTypedData } from '../govern/safe.js';
import { executeCall, scheduleCall } from '../govern/timelock.js';
import { signingHashes, walletTypedData } from '../govern/typed-data.js';
import type { PatchState, SafePurpose, StoredSafeSignature } from '../store/store.js';
import { chainNow, policyOf, requireFresh, requirePatch, requireState } from './context.js';
import { failpoint } from './failpoint.js';
import type { Lifecycle, PlannedPatch } from './lifecycle.js';

import { syncLog } from './log-sync.js';
import { type BuiltSafeTx, buildSafeTx, safeNonce, safeOwners, safeSigner, signBuilt } from './safe-exec.js';

/** An approval signed outside patchgate (hardware wallet, another machine), as `approve --approval FILE`. */
export interface ApprovalFile {
  approval: Approval;
  safeSignatures: { purpose: SafePurpose; safeNonce: bigint; signature: Hex }[];
}

export interface ApproveParameters {
  digest: Hex;
  signer?: LocalAccount;
  file?: ApprovalFile;
  /**
   * The account the approval must be by (the server's signed-in account): another signer is refused before
   * anything is recorded — nobody approves for anybody else.
   */
  expectSigner?: Address;
}

export interface ApproveResult {
  digest: Hex;
  signer: Address;
  state: PatchState;
  approvals: number;
  threshold: number;
  /** The signer had approved before: only new Safe signatures were added. */
  alreadyApproved: boolean;
  safeSigned: { purpose: SafePurpose; safeNonce: string; safeTxHash: Hex }[];
}

/** The SafeTxs an owner signs for a patch: `schedule` at the Safe's nonce N, `execute` at N + 1. */
export async function patchSafeTxs(
  lc: Lifecycle,
  patch: PlannedPatch,
  nonce?: bigint,
): Promise<BuiltSafeTx[]> {
  const n = nonce ?? (await safeNonce(lc, patch.plan.safe));
  const op = timelockOperation(patch.record, patch.plan);
  return [
    await buildSafeTx(lc, patch, 'schedule', scheduleCall(op, BigInt(patch.plan.delay)), n),
    await buildSafeTx(lc, patch, 'execute', executeCall(op), n + 1n),
  ];
}

/** ECDSA v as the Safe reads it: 27/28 (a wallet's 0/1 y-parity is moved there); anything else refused. */
function safeEcdsa(signature: Hex, what: string): Hex {
  const v = Number.parseInt(signature.slice(130, 132), 16);
  const s = hexToBigInt(`0x${signature.slice(66, 130)}`);
  if (s > HALF_N) {
    throw inputError(
      'safe-signature-invalid',
      `the ${what} signature has a high s value (malleable)`,
      'sign with a standard (low-s) signer',
    );
  }
  if (v === 27 || v === 28) return signature;
  if (v === 0 || v === 1) return `${signature.slice(0, 130)}${(v + 27).toString(16)}` as Hex;
  throw inputError(
    'safe-signature-invalid',
    `the ${what} signature has v = ${v}: the Safe would read it as a contract, pre-approved or eth_sign signature`,
    'pass the 65-byte EIP-712 signature (eth_signTypedData_v4) of the SafeTx, v 27 or 28',
  );
}

/**
 * The Safe signatures an approval file carries, each for the SafeTx this patch needs now — `schedule` at the
 * Safe's nonce N, `execute` at N + 1 — and each by the approver who signed the file.
 */
async function fileSafeSignatures(
  lc: Lifecycle,
  patch: PlannedPatch,
  signer: Address,
  owners: readonly Address[],
  file: ApprovalFile,
): Promise<StoredSafeSignature[]> {
  if (file.safeSignatures.length === 0) return [];
  const built = await patchSafeTxs(lc, patch);
  const out: StoredSafeSignature[] = [];
  for (const s of file.safeSignatures) {
    const want = built.find((b) => b.purpose === s.purpose);
    if (!want) {
      throw inputError(
        'bad-approval-file',
        `an approval file carries schedule and execute signatures only, not ${s.purpose}`,
        'sign cancels with `patchgate cancel`',
      );
    }
    const what = `${s.purpose} SafeTx`;
    if (s.safeNonce !== want.tx.nonce) {
      throw inputError(
        'safe-signature-wrong-nonce',
        `the ${what} signature is for Safe nonce ${s.safeNonce}; the Safe is at ${built[0]?.tx.nonce}, so ${s.purpose} must be signed for nonce ${want.tx.nonce}`,
        `sign SafeTx ${want.hash} (\`patchgate approve --typed-data\` prints it)`,
      );
    }
    const signature = safeEcdsa(s.signature, what);
    const owner = await safeSigner(want.hash, signature);
    if (!owner || !owners.some((o) => isAddressEqual(o, owner))) {
      throw inputError(
        'safe-signature-invalid',
        `the ${what} signature for Safe nonce ${s.safeNonce} is not by an owner of Safe ${patch.plan.safe}${owner ? ` (it recovers to ${owner})` : ''}`,
        `sign SafeTx ${want.hash} with an owner key`,
      );
    }
    if (!isAddressEqual(owner, signer)) {
      throw inputError(
        'safe-signature-invalid',
        `the ${what} signature is by ${owner}, the approval by ${signer}`,
        "an approval file carries its own signer's Safe signatures; each owner records theirs with their own approval",
      );
    }
    if (out.some((x) => x.purpose === s.purpose)) continue;
    out.push({ purpose: s.purpose, safeNonce: s.safeNonce, owner, safeTxHash: want.hash, signature });
  }
  return out;
}

async function approveStep(lc: Lifecycle, params: ApproveParameters): Promise<ApproveResult> {
  const patch = await requirePatch(lc, params.digest);
  const now = await chainNow(lc);
  await requireFresh(lc, patch, now);
  const policy = await policyOf(lc, patch);
  const ttl = BigInt(lc.config.policy.approvalTtl);
  const expected = {
    digest: patch.digest,
    chainId: patch.record.chainId,
    proxy: patch.record.proxy,
    now,
    ttl,
  };
  let approval: Approval;
  if (params.signer) {
    approval = await signApproval(params.signer, {
      digest: patch.digest,
      chainId: patch.record.chainId,
      proxy: patch.record.proxy,
      nonce: BigInt(Date.now()),
      expiry: now + ttl,
    });
  } else if (params.file) {
    approval = params.file.approval;
  } else {
    throw inputError(
      'key-missing',
      'no key and no approval file',
      'pass --key-env NAME, --keystore FILE or --approval FILE',
    );
  }
  const signer = await verifyApproval(approval, expected, policy);
  if (params.expectSigner && !isAddressEqual(signer, params.expectSigner)) {
    throw inputError(
      'approval-signer-mismatch',
      `the approval is signed by ${signer}, not by ${getAddress(params.expectSigner)} who is signed in`,
      'post your own approval, signed by the account you signed in with',
    );
  }
  const existing = await lc.store.approvals(patch.digest);
  const alreadyApproved = existing.some((a) => isAddressEqual(a.signer, signer));
  const tallied = async (all: readonly Approval[]) =>
    (await tallyApprovals(all, expected, policy)).signers.length;
  const unchanged = async (): Promise<ApproveResult> => ({
    digest: patch.digest,
    signer,
    state: patch.state,
    approvals: await tallied(existing),
    threshold: policy.threshold,
    alreadyApproved: true,
    safeSigned: [],
  });
  if (!['proposed', 'approved'].includes(patch.state)) {
    // Past approval (queued, executed…): a signer who approved re-running the command changes nothing.
    if (alreadyApproved) return unchanged();
    requireState(patch, ['proposed', 'approved'], 'approve');
  }

  const { owners } = await safeOwners(lc, patch.plan.safe);
  const stored = await lc.store.safeSignatures(patch.digest);
  const have = (s: { purpose: SafePurpose; safeNonce: bigint; owner: Address }) =>
    stored.some(
      (x) => x.purpose === s.purpose && x.safeNonce === s.safeNonce && isAddressEqual(x.owner, s.owner),
    );
  const fresh: StoredSafeSignature[] = [];
  if (params.signer && owners.some((o) => isAddressEqual(o, signer))) {
    for (const built of await patchSafeTxs(lc, patch)) {
      if (!have({ purpose: built.purpose, safeNonce: built.tx.nonce, owner: signer }))
        fresh.push(await signBuilt(lc, patch, params.signer, built));
    }
  }
  if (params.file) {
    for (const s of await fileSafeSignatures(lc, patch, signer, owners, params.file)) {
      if (!have(s)) fresh.push(s);
    }
  }
  // Approving again with the same key is idempotent: nothing new to record, nothing written.
  if (alreadyApproved && fresh.length === 0) return unchanged();
  const all = alreadyApproved ? existing : [...existing, approval];
  const tally = await tallyApprovals(all, expected, policy);
  failpoint('approve:after-sign');
  const { state, tally: committed } = await lc.store.recordApproval(patch.digest, {
    signer,
    ...(alreadyApproved ? {} : { approval }),
    safeSignatures: fresh,
    // Counted again on what is committed: another approver may have committed since `existing` was read.
    tally: (now) => tallyApprovals(now, expected, policy),
  });
  return {
    digest: patch.digest,
    signer: getAddress(signer),
    state,
    approvals: (committed ?? tally).signers.length,
    threshold: policy.threshold,
    alreadyApproved,
    safeSigned: fresh.map((s) => ({
      purpose: s.purpose,
      safeNonce: s.safeNonce.toString(),
      safeTxHash: s.safeTxHash,
    })),
  };
}

/** How to sign the typed data of an approval request elsewhere. */
export const HOW_TO_SIGN = [
  'eth_signTypedData_v4 (MetaMask, eth-sig-util, a hardware wallet through them): sign each typedData exactly as printed; the wallet signs `hash` (a hardware wallet that cannot show the fields shows `domainHash` and `messageHash`)',
  'ethers v6: wallet.signTypedData(typedData.domain, typedData.types without its EIP712Domain entry, typedData.message) — ethers derives EIP712Domain itself and refuses it in types',
  'viem: account.signTypedData(typedData)',
  'put each signature into `file` (signature, and safeSignatures[i].signature for a Safe owner) and run: patchgate approve DIGEST --approval FILE',
];

/**
 * What an approver signs elsewhere: the approval, with the nonce and expiry it must carry, and the two SafeTxs
 * if they own the Safe — each as wallet-ready typed data (with `EIP712Domain`) and the hashes a wallet shows,
 * and the approval file to fill in. Returned as data; `approve --typed-data` prints it.
 */
export type ApprovalRequest = Awaited<ReturnType<typeof approvalRequest>>;

/**
 * What a signer needs to approve a patch with a wallet: the EIP-712 typed data and the Safe transactions to
 * sign (`patchgate approve --typed-data`). Its message holds big integers (nonce, expiry): write it as JSON with
 * them as decimal strings, as wallets take them.
 *
 * @example
 * ```ts
 * const request = await approvalRequest(lc, digest);
 * const asJson = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
 * console.log(asJson(request.approval.typedData)); // for eth_signTypedData_v4
 * for (const tx of request.safeTxs) console.log(tx.purpose, tx.safeTxHash);
 * ```
 */
export async function approvalRequest(lc: Lifecycle, digest: Hex) {
  const patch = await requirePatch(lc, digest);
  const now = await chainNow(lc);
  const approval = {
    digest: patch.digest,
    chainId: patch.record.chainId,
    proxy: patch.record.proxy,
    nonce: BigInt(Date.now()),
    expiry: now + BigInt(lc.config.policy.approvalTtl),
  };
  const approvalData = approvalTypedData(approval);
  const safeTxs = await patchSafeTxs(lc, patch);
  return {
    digest: patch.digest,
    approval: { typedData: walletTypedData(approvalData), ...signingHashes(approvalData) },
    safeTxs: safeTxs.map((b) => {
      const data = safeTxTypedData(lc.clients.chain.id, patch.plan.safe, b.tx);
      return {
        purpose: b.purpose,
        safeNonce: b.tx.nonce,
        safeTxHash: b.hash,
        typedData: walletTypedData(data),
        ...signingHashes(data),
      };
    }),
    file: {
      ...approval,
      signature: '0x…',
      safeSignatures: safeTxs.map((b) => ({ purpose: b.purpose, safeNonce: b.tx.nonce, signature: '0x…' })),
    },
    howToSign: HOW_TO_SIGN,
  };
}

/**
 * The step, then its events into the transparency log (once each, however often it runs).
 *
 * @example
 * ```ts
 * const result = await approve(lc, { digest, signer: loadAccount({ keyEnv: 'OWNER1_KEY' }) });
 * console.log(`${result.approvals} of ${result.threshold}`, result.state);
 * ```
 */
export async function approve(lc: Lifecycle, params: ApproveParameters): Promise<ApproveResult> {
  const r = await approveStep(lc, params);
  await syncLog(lc, r.digest);
  return r;
}
