/**
 * Canonical ABI signatures and selectors without loading viem (the analyzer's cold start matters):
 * `name(type,…)` with tuples expanded, keccak-256 from @noble/hashes (the same primitive viem uses).
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export interface AbiParam {
  type: string;
  name?: string;
  components?: readonly AbiParam[];
}

export interface AbiItem {
  type: string;
  name?: string;
  inputs?: readonly AbiParam[];
  outputs?: readonly AbiParam[];
  stateMutability?: string;
}

export function canonicalType(p: AbiParam): string {
  if (p.type.startsWith('tuple')) {
    return `(${(p.components ?? []).map(canonicalType).join(',')})${p.type.slice('tuple'.length)}`;
  }
  return p.type;
}

export function signatureOf(item: AbiItem): string {
  return `${item.name ?? ''}(${(item.inputs ?? []).map(canonicalType).join(',')})`;
}

export function keccakHex(text: string): `0x${string}` {
  return `0x${bytesToHex(keccak_256(utf8ToBytes(text)))}`;
}

export function keccakBytesHex(hex: string): `0x${string}` {
  const clean = hex.replace(/^0x/, '');
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return `0x${bytesToHex(keccak_256(bytes))}`;
}

/** `0x` + 4-byte selector of a function signature. */
export function selectorOf(signature: string): `0x${string}` {
  return keccakHex(signature).slice(0, 10) as `0x${string}`;
}

/** `(uint256,bool)` — the output types of a function, for comparing what callers decode. */
export function outputsOf(item: AbiItem): string {
  return `(${(item.outputs ?? []).map(canonicalType).join(',')})`;
}
