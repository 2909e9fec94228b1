/**
 * `approve`: one approver's sign-off on a patch digest. The EIP-712 approval (chain id, proxy, digest, nonce,
 * expiry) is verified against the lane's approver set like any other — a key held here or a file signed
 * elsewhere. An approver who owns the Safe also signs, in the same step, the two SafeTxs that carry the
 * patch: the timelock `schedule` at the Safe's next nonce and the `execute` at the one after. Everything is
 * recorded in one store transaction; the patch becomes `approved` when the lane's threshold is reached.
 */
import { type Address, getAddress, type Hex, isAddressEqual, type LocalAccount } from 'viem';
import { inputError } from '../errors.js';
import {
  type Approval,
  approvalTypedData,
  signApproval,
  tallyApprovals,
  verifyApproval,
} from '../govern/approval.js';
import { timelockOperation } from '../govern/plan.js';
import { safeTxTypedData } from '../govern/safe.js';
import { executeCall, scheduleCall } from '../govern/timelock.js';
import type { PatchState, SafePurpose, StoredSafeSignature } from '../store/store.js';
import {
  chainNow,
  type Lifecycle,
  type PlannedPatch,
  policyOf,
  requireFresh,
  requirePatch,
  requireState,
} from './context.js';
import { failpoint } from './failpoint.js';
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

async function builtFor(lc: Lifecycle, patch: PlannedPatch, purpose: SafePurpose, nonce: bigint) {
  if (purpose === 'cancel') {
    throw inputError(
      'bad-approval-file',
      'an approval file carries schedule and execute signatures only',
      'sign cancels with `patchgate cancel`',
    );
  }
  const [schedule, execute] = await patchSafeTxs(lc, patch, purpose === 'schedule' ? nonce : nonce - 1n);
  return (purpose === 'schedule' ? schedule : execute) as BuiltSafeTx;
}

async function approveStep(lc: Lifecycle, params: ApproveParameters): Promise<ApproveResult> {
  const patch = await requirePatch(lc, params.digest);
  requireState(patch, ['proposed', 'approved'], 'approve');
  const policy = await policyOf(lc, patch);
  const now = await chainNow(lc);
  await requireFresh(lc, patch, now);
  const expected = { digest: patch.digest, chainId: patch.record.chainId, proxy: patch.record.proxy, now };
  let approval: Approval;
  if (params.signer) {
    approval = await signApproval(params.signer, {
      digest: patch.digest,
      chainId: patch.record.chainId,
      proxy: patch.record.proxy,
      nonce: BigInt(Date.now()),
      expiry: now + BigInt(lc.config.policy.approvalTtl),
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
  const existing = await lc.store.approvals(patch.digest);
  const alreadyApproved = existing.some((a) => isAddressEqual(a.signer, signer));

  const { owners } = await safeOwners(lc, patch.plan.safe);
  const stored = await lc.store.safeSignatures(patch.digest);
  const have = (owner: Address, built: BuiltSafeTx) =>
    stored.some(
      (s) => s.purpose === built.purpose && s.safeNonce === built.tx.nonce && isAddressEqual(s.owner, owner),
    );
  const fresh: StoredSafeSignature[] = [];
  if (params.signer && owners.some((o) => isAddressEqual(o, signer))) {
    for (const built of await patchSafeTxs(lc, patch)) {
      if (!have(signer, built)) fresh.push(await signBuilt(lc, patch, params.signer, built));
    }
  }
  for (const s of params.file?.safeSignatures ?? []) {
    const built = await builtFor(lc, patch, s.purpose, s.safeNonce);
    const owner = await safeSigner(built.hash, s.signature);
    if (!owner || !owners.some((o) => isAddressEqual(o, owner))) {
      throw inputError(
        'safe-signature-invalid',
        `the ${s.purpose} signature for Safe nonce ${s.safeNonce} is not by an owner of Safe ${patch.plan.safe}${owner ? ` (it recovers to ${owner})` : ''}`,
        `sign SafeTx ${built.hash} with an owner key`,
      );
    }
    if (!have(owner, built))
      fresh.push({
        purpose: s.purpose,
        safeNonce: s.safeNonce,
        owner,
        safeTxHash: built.hash,
        signature: s.signature,
      });
  }
  if (alreadyApproved && fresh.length === 0) {
    throw inputError(
      'approval-duplicate',
      `signer ${signer} already approved patch ${patch.digest.slice(0, 10)}…`,
      'each approver counts once; nothing was changed',
    );
  }
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

/**
 * What an approver signs elsewhere (eth_signTypedData_v4): the approval, with the nonce and expiry it must
 * carry, and the two SafeTxs if they own the Safe. Returned as data; `approve --typed-data` prints it.
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
  const safeTxs = await patchSafeTxs(lc, patch);
  return {
    approval: approvalTypedData(approval),
    safeTxs: safeTxs.map((b) => ({
      purpose: b.purpose,
      safeNonce: b.tx.nonce,
      safeTxHash: b.hash,
      typedData: safeTxTypedData(lc.clients.chain.id, patch.plan.safe, b.tx),
    })),
  };
}

/** The step, then its events into the transparency log (once each, however often it runs). */
export async function approve(lc: Lifecycle, params: ApproveParameters): Promise<ApproveResult> {
  const r = await approveStep(lc, params);
  await syncLog(lc, r.digest);
  return r;
}
