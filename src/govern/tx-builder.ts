/**
 * Safe{Wallet} Transaction Builder batch files, for teams that sign in the Safe UI rather than with
 * patchgate: the timelock `schedule` (now) and `execute` (after the delay) as importable batches. The
 * Transaction Builder verifies a checksum over the file: keccak256 of a canonical serialization (object keys
 * sorted, each object written as its key list followed by its values) with `meta.name` left out, so that
 * renaming a batch keeps it valid.
 */
import { type Address, getAddress, type Hex, keccak256, toHex } from 'viem';

export interface BatchTransaction {
  to: Address;
  value: string;
  data: Hex;
  contractMethod: null;
  contractInputsValues: null;
}

export interface TxBuilderBatch {
  version: '1.0';
  chainId: string;
  createdAt: number;
  meta: {
    name: string | null;
    description: string;
    txBuilderVersion: string;
    createdFromSafeAddress: Address;
    createdFromOwnerAddress: string;
    checksum?: Hex;
  };
  transactions: BatchTransaction[];
}

/** The Transaction Builder's canonical form: sorted keys, undefined as null. */
export function canonicalBatchJson(value: unknown): string {
  const scalar = (v: unknown) => JSON.stringify(v === undefined ? null : v);
  if (Array.isArray(value)) return `[${value.map(canonicalBatchJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    const values = keys.map((k) => `${canonicalBatchJson((value as Record<string, unknown>)[k])},`).join('');
    return `{${JSON.stringify(keys)}${values}}`;
  }
  return scalar(value);
}

export function batchChecksum(batch: TxBuilderBatch): Hex {
  const { checksum: _ignored, ...meta } = batch.meta;
  return keccak256(toHex(canonicalBatchJson({ ...batch, meta: { ...meta, name: null } })));
}

export function txBuilderBatch(params: {
  chainId: number;
  safe: Address;
  name: string;
  description: string;
  transactions: { to: Address; data: Hex; value?: bigint }[];
  createdAt?: number;
}): TxBuilderBatch {
  const batch: TxBuilderBatch = {
    version: '1.0',
    chainId: String(params.chainId),
    createdAt: params.createdAt ?? Date.now(),
    meta: {
      name: params.name,
      description: params.description,
      txBuilderVersion: '1.17.1',
      createdFromSafeAddress: getAddress(params.safe),
      createdFromOwnerAddress: '',
    },
    transactions: params.transactions.map((t) => ({
      to: getAddress(t.to),
      value: (t.value ?? 0n).toString(),
      data: t.data,
      contractMethod: null,
      contractInputsValues: null,
    })),
  };
  return { ...batch, meta: { ...batch.meta, checksum: batchChecksum(batch) } };
}
