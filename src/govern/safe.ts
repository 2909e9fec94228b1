/**
 * Safe 1.4.1 transactions. The SafeTx EIP-712 hash — what each owner signs — is computed locally with viem
 * and tests cross-check it against the deployed Safe's `getTransactionHash`. Signatures are ECDSA (v 27/28)
 * packed in ascending owner order, as `checkNSignatures` requires.
 */
import { type Account, type Address, concat, type Hex, hashTypedData, zeroAddress } from 'viem';

export interface SafeTx {
  to: Address;
  value: bigint;
  data: Hex;
  /** 0 = CALL, 1 = DELEGATECALL. patchgate only ever proposes CALLs. */
  operation: 0 | 1;
  safeTxGas: bigint;
  baseGas: bigint;
  gasPrice: bigint;
  gasToken: Address;
  refundReceiver: Address;
  nonce: bigint;
}

/** The fields of a SafeTx in the order `getTransactionHash` and `execTransaction` take them (nonce excluded). */
export function safeTxFields(tx: SafeTx) {
  return [
    tx.to,
    tx.value,
    tx.data,
    tx.operation,
    tx.safeTxGas,
    tx.baseGas,
    tx.gasPrice,
    tx.gasToken,
    tx.refundReceiver,
  ] as const;
}

export function safeTx(to: Address, data: Hex, nonce: bigint): SafeTx {
  return {
    to,
    value: 0n,
    data,
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce,
  };
}

const SAFE_TX_TYPES = {
  SafeTx: [
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'data', type: 'bytes' },
    { name: 'operation', type: 'uint8' },
    { name: 'safeTxGas', type: 'uint256' },
    { name: 'baseGas', type: 'uint256' },
    { name: 'gasPrice', type: 'uint256' },
    { name: 'gasToken', type: 'address' },
    { name: 'refundReceiver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const;

/** The typed data an owner signs: bound to the chain id and the Safe's address by the EIP-712 domain. */
export function safeTxTypedData(chainId: number, safe: Address, tx: SafeTx) {
  return {
    domain: { chainId, verifyingContract: safe },
    types: SAFE_TX_TYPES,
    primaryType: 'SafeTx' as const,
    message: tx,
  };
}

/**
 * The SafeTx hash (EIP-712, Safe 1.4.1) computed locally, so each owner can check what their wallet shows
 * before signing.
 *
 * @example
 * ```ts
 * const hash = safeTxHash(1, safe, {
 *   to: timelock, value: 0n, data: scheduleData, operation: 0, safeTxGas: 0n, baseGas: 0n, gasPrice: 0n,
 *   gasToken: zeroAddress, refundReceiver: zeroAddress, nonce: 7n,
 * });
 * ```
 */
export function safeTxHash(chainId: number, safe: Address, tx: SafeTx): Hex {
  return hashTypedData(safeTxTypedData(chainId, safe, tx));
}

export interface OwnerSignature {
  owner: Address;
  signature: Hex;
}

export async function signSafeTx(
  account: Account,
  chainId: number,
  safe: Address,
  tx: SafeTx,
): Promise<OwnerSignature> {
  if (!account.signTypedData) throw new Error(`account ${account.address} cannot sign typed data`);
  return {
    owner: account.address,
    signature: await account.signTypedData(safeTxTypedData(chainId, safe, tx)),
  };
}

/** Signatures concatenated in ascending owner-address order (the Safe rejects any other order). */
export function packSignatures(signatures: readonly OwnerSignature[]): Hex {
  const sorted = [...signatures].sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : 1));
  return concat(sorted.map((s) => s.signature));
}
