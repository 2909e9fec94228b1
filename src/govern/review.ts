/**
 * A community review of a patch: an EIP-712 statement — `reviewed` or `concern`, with the reviewer's text — bound to
 * the patch digest, its chain and proxy (the same domain as an approval, another primary type: a review can never
 * be read as an approval). Anyone may sign one; it carries the weight a reader gives its address.
 */
import {
  type Address,
  getAddress,
  type Hex,
  hexToBigInt,
  isAddressEqual,
  recoverTypedDataAddress,
  size,
} from 'viem';
import { inputError } from '../core/errors.js';
import { HALF_N } from './approval.js';

export type ReviewVerdict = 'reviewed' | 'concern';

export interface ReviewStatement {
  digest: Hex;
  chainId: number;
  proxy: Address;
  verdict: ReviewVerdict;
  text: string;
}

const TYPES = {
  Review: [
    { name: 'digest', type: 'bytes32' },
    { name: 'verdict', type: 'string' },
    { name: 'text', type: 'string' },
  ],
} as const;

export function reviewTypedData(r: ReviewStatement) {
  return {
    domain: { name: 'patchgate', version: '1', chainId: r.chainId, verifyingContract: r.proxy },
    types: TYPES,
    primaryType: 'Review' as const,
    message: { digest: r.digest, verdict: r.verdict, text: r.text },
  };
}

/**
 * The address that signed `r`, which must be `claimed`, and the signature in its one canonical form (lower-case hex,
 * v 27/28 — a wallet's 0/1 y-parity is the same signature, and a review is stored once per signature): a signature
 * by anyone else, malformed or malleable is refused (`review-signature-invalid`) naming what it recovers to.
 */
export async function verifyReview(
  r: ReviewStatement,
  signature: Hex,
  claimed: Address,
): Promise<{ signer: Address; signature: Hex }> {
  const v = size(signature) === 65 ? Number.parseInt(signature.slice(130), 16) : -1;
  if (![0, 1, 27, 28].includes(v)) {
    throw inputError(
      'review-signature-invalid',
      'a review signature is 65 bytes (r‖s‖v, v 27 or 28, or 0 or 1)',
      'sign with eth_signTypedData_v4',
    );
  }
  const canonical = `${signature.slice(0, 130).toLowerCase()}${(v < 27 ? v + 27 : v).toString(16)}` as Hex;
  if (hexToBigInt(`0x${signature.slice(66, 130)}`) > HALF_N) {
    throw inputError(
      'review-signature-invalid',
      'the review signature has a high s value (malleable)',
      'sign with a standard (low-s) signer',
    );
  }
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({ ...reviewTypedData(r), signature });
  } catch {
    throw inputError(
      'review-signature-invalid',
      'the review signature does not recover to an address',
      'sign the Review typed data',
    );
  }
  if (!isAddressEqual(signer, claimed)) {
    throw inputError(
      'review-signature-invalid',
      `the review is signed by ${signer}, not by ${getAddress(claimed)}`,
      'sign the Review typed data (GET /api/patches/{digest}/reviews gives it) with the account you name',
    );
  }
  return { signer: getAddress(signer), signature: canonical };
}
