/**
 * EIP-712 typed data as wallets take it. viem and ethers derive the `EIP712Domain` type from the domain's
 * fields; `eth_signTypedData_v4` (MetaMask's eth-sig-util, hardware wallets through it) reads it from
 * `types` and hashes a domain without it as an empty struct — a different hash, a signature that recovers
 * to a stranger. What patchgate prints for signing elsewhere always lists it, with the hashes a wallet shows.
 */
import {
  getTypesForEIP712Domain,
  type Hex,
  hashDomain,
  hashStruct,
  hashTypedData,
  type TypedData,
  type TypedDataDomain,
} from 'viem';

export interface TypedDataInput {
  domain: TypedDataDomain;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: object;
}

export interface WalletTypedData extends TypedDataInput {
  types: Record<string, readonly { name: string; type: string }[]> & {
    EIP712Domain: readonly { name: string; type: string }[];
  };
}

/** The same typed data with its `EIP712Domain` type listed: `eth_signTypedData_v4` hashes it as viem does. */
export function walletTypedData(td: TypedDataInput): WalletTypedData {
  return {
    domain: td.domain,
    types: { EIP712Domain: getTypesForEIP712Domain({ domain: td.domain }), ...td.types },
    primaryType: td.primaryType,
    message: td.message,
  };
}

export interface SigningHashes {
  /** The EIP-712 digest that is signed: keccak256(0x1901 ‖ domainHash ‖ messageHash). */
  hash: Hex;
  /** What a hardware wallet shows as "domain hash" … */
  domainHash: Hex;
  /** … and "message hash" when it cannot display the fields. */
  messageHash: Hex;
}

export function signingHashes(td: TypedDataInput): SigningHashes {
  const types = { EIP712Domain: getTypesForEIP712Domain({ domain: td.domain }), ...td.types } as TypedData;
  return {
    hash: hashTypedData({ ...td, types } as Parameters<typeof hashTypedData>[0]),
    domainHash: hashDomain({ domain: td.domain, types } as Parameters<typeof hashDomain>[0]),
    messageHash: hashStruct({
      data: td.message as Record<string, unknown>,
      primaryType: td.primaryType,
      types,
    }),
  };
}
