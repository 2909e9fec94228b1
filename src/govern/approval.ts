/**
 * EIP-712 approvals of a patch digest, bound to the chain id and the proxy (in the domain and the message),
 * with a per-approver nonce and an expiry. Verification recomputes everything locally and refuses, each with
 * a clear reason: another chain, another proxy, another digest, a signer outside the approver set, the same
 * signer twice, a malleable (high-s) signature, an expired approval, and one valid for longer than
 * `policy.approvalTtl` from now.
 */
import {
  type Account,
  type Address,
  getAddress,
  type Hex,
  hexToBigInt,
  isAddressEqual,
  recoverTypedDataAddress,
  size,
} from 'viem';
import { inputError, isPatchgateError, type PatchgateError } from '../core/errors.js';

export interface Approval {
  digest: Hex;
  chainId: number;
  proxy: Address;
  nonce: bigint;
  /** Unix seconds after which the approval is void. */
  expiry: bigint;
  signature: Hex;
}

const TYPES = {
  Approval: [
    { name: 'digest', type: 'bytes32' },
    { name: 'proxy', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'expiry', type: 'uint256' },
  ],
} as const;

export function approvalTypedData(a: Omit<Approval, 'signature'>) {
  return {
    domain: { name: 'patchgate', version: '1', chainId: a.chainId, verifyingContract: a.proxy },
    types: TYPES,
    primaryType: 'Approval' as const,
    message: { digest: a.digest, proxy: a.proxy, nonce: a.nonce, expiry: a.expiry },
  };
}

/**
 * An EIP-712 approval of a patch digest, signed by `account` for one chain and proxy, valid until `expiry`.
 *
 * @example
 * ```ts
 * const approval = await signApproval(privateKeyToAccount(key), {
 *   digest, chainId: 1, proxy, nonce: 0n, expiry: BigInt(Math.floor(Date.now() / 1000) + 86_400),
 * });
 * ```
 */
export async function signApproval(account: Account, a: Omit<Approval, 'signature'>): Promise<Approval> {
  if (!account.signTypedData) throw new Error(`account ${account.address} cannot sign typed data`);
  return { ...a, signature: await account.signTypedData(approvalTypedData(a)) };
}

/** secp256k1 order / 2: an `s` above it is the malleable twin of a valid signature. */
export const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export interface ApprovalPolicy {
  approvers: readonly Address[];
  threshold: number;
}

export interface Expected {
  digest: Hex;
  chainId: number;
  proxy: Address;
  /** Unix seconds "now" (the chain's clock). */
  now: bigint;
  /** `policy.approvalTtl`: no approval may be valid for longer than this from now. */
  ttl: bigint;
}

/**
 * How far an approval's expiry may lie beyond now + ttl: a signer whose wallet computes the expiry from its
 * own clock may run ahead of the chain's latest block by this much (5 minutes).
 */
export const APPROVAL_CLOCK_SKEW = 300n;

const UINT256_MAX = 2n ** 256n - 1n;

/**
 * The signer of one approval, or the reason it is refused (exit 2).
 *
 * @example
 * ```ts
 * const signer = await verifyApproval(approval, { digest, chainId: 1, proxy, now, ttl: 604_800n }, { approvers, threshold: 2 });
 * ```
 */
export async function verifyApproval(
  a: Approval,
  expected: Expected,
  policy: ApprovalPolicy,
): Promise<Address> {
  if (a.chainId !== expected.chainId) {
    throw inputError(
      'approval-wrong-chain',
      `approval is for chain ${a.chainId}, this patch is on chain ${expected.chainId}`,
      'sign the approval for this chain',
    );
  }
  if (!isAddressEqual(a.proxy, expected.proxy)) {
    throw inputError(
      'approval-wrong-proxy',
      `approval is for proxy ${a.proxy}, this patch targets ${expected.proxy}`,
      'sign the approval for this proxy',
    );
  }
  if (a.digest.toLowerCase() !== expected.digest.toLowerCase()) {
    throw inputError(
      'approval-wrong-digest',
      `approval is for digest ${a.digest}, the patch digest is ${expected.digest}`,
      'the patch or its evidence changed since it was signed: review and sign again',
    );
  }
  for (const [name, v] of [
    ['nonce', a.nonce],
    ['expiry', a.expiry],
  ] as const) {
    if (v < 0n || v > UINT256_MAX) {
      throw inputError(
        'approval-bad-field',
        `approval ${name} ${v} is not a uint256`,
        'sign a fresh approval',
      );
    }
  }
  if (a.expiry <= expected.now) {
    throw inputError(
      'approval-expired',
      `approval expired at ${a.expiry} (now ${expected.now})`,
      'sign a fresh approval',
    );
  }
  const latest = expected.now + expected.ttl + APPROVAL_CLOCK_SKEW;
  if (a.expiry > latest) {
    throw inputError(
      'approval-expiry-too-far',
      `approval expiry ${a.expiry} is beyond now + policy.approvalTtl (${expected.now} + ${expected.ttl} s, ${APPROVAL_CLOCK_SKEW} s clock skew allowed: at most ${latest})`,
      'sign an approval that expires within policy.approvalTtl (`patchgate approve --typed-data` prints one)',
    );
  }
  if (typeof a.signature !== 'string' || !/^0x[0-9a-fA-F]*$/.test(a.signature)) {
    throw inputError('approval-bad-signature', 'signature is not hex', 'pass the 65-byte r‖s‖v signature');
  }
  if (size(a.signature) !== 65) {
    throw inputError(
      'approval-bad-signature',
      `signature is ${size(a.signature)} bytes, not 65`,
      'pass the 65-byte r‖s‖v signature',
    );
  }
  const s = hexToBigInt(`0x${a.signature.slice(66, 130)}`);
  if (s > HALF_N) {
    throw inputError(
      'approval-malleable',
      'signature has a high s value (malleable)',
      'sign with a standard (low-s) signer',
    );
  }
  let signer: Address;
  try {
    signer = await recoveredSigner(a);
  } catch {
    throw inputError(
      'approval-bad-signature',
      'signature does not recover to any address',
      'pass the signature the approver produced',
    );
  }
  if (!policy.approvers.some((x) => isAddressEqual(x, signer))) {
    throw inputError(
      'approval-unknown-signer',
      `signer ${signer} is not an approver of this patch`,
      `approvers: ${policy.approvers.join(', ')}`,
    );
  }
  return getAddress(signer);
}

/**
 * Who signed an approval: a pure function of its fields and signature, so it is remembered (an ECDSA recovery is
 * ~1.6 ms, and a tally re-verifies every stored approval at each new one: with 50 approvers that was most of an
 * approval's time). Only a recovery that succeeded is kept; every other check runs each time.
 */
const recovered = new Map<string, Address>();
const RECOVERED_MAX = 10_000;

async function recoveredSigner(a: Approval): Promise<Address> {
  const key = `${a.chainId}:${a.proxy.toLowerCase()}:${a.digest.toLowerCase()}:${a.nonce}:${a.expiry}:${a.signature.toLowerCase()}`;
  const known = recovered.get(key);
  if (known) return known;
  const signer = await recoverTypedDataAddress({ ...approvalTypedData(a), signature: a.signature });
  if (recovered.size >= RECOVERED_MAX) recovered.delete(recovered.keys().next().value as string);
  recovered.set(key, signer);
  return signer;
}

export interface ApprovalTally {
  signers: Address[];
  /** Approvals refused, each with its reason. */
  refused: { index: number; error: PatchgateError }[];
  threshold: number;
  met: boolean;
}

/**
 * Verify a set of approvals: each signer counts once; the threshold is met or not.
 *
 * @example
 * ```ts
 * const tally = await tallyApprovals(approvals, { digest, chainId: 1, proxy, now, ttl: 604_800n }, { approvers, threshold: 2 });
 * if (!tally.met) console.log(`${tally.signers.length} of ${tally.threshold}`, tally.refused);
 * ```
 */
export async function tallyApprovals(
  approvals: readonly Approval[],
  expected: Expected,
  policy: ApprovalPolicy,
): Promise<ApprovalTally> {
  const signers: Address[] = [];
  const refused: ApprovalTally['refused'] = [];
  for (const [index, a] of approvals.entries()) {
    try {
      const signer = await verifyApproval(a, expected, policy);
      if (signers.some((x) => isAddressEqual(x, signer))) {
        throw inputError(
          'approval-duplicate',
          `signer ${signer} already approved this patch`,
          'each approver counts once',
        );
      }
      signers.push(signer);
    } catch (e) {
      // A stored value no check foresaw is refused like any bad approval, never a crash.
      const error = isPatchgateError(e)
        ? e
        : inputError('approval-bad-signature', 'approval cannot be verified', 'sign a fresh approval');
      refused.push({ index, error });
    }
  }
  return { signers, refused, threshold: policy.threshold, met: signers.length >= policy.threshold };
}
