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

function canonicalType(p: AbiParam): string {
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

/** Whether a value of this ABI type is encoded out of line (its head word is an offset). */
export function isDynamic(p: AbiParam): boolean {
  if (p.type === 'string' || p.type === 'bytes' || p.type.endsWith('[]')) return true;
  const fixedArray = /^(.*)\[\d+\]$/.exec(p.type);
  if (fixedArray) return isDynamic({ ...p, type: fixedArray[1] as string });
  if (p.type === 'tuple') return (p.components ?? []).some(isDynamic);
  return false;
}

/**
 * Whether `after` returns what `before` returned followed by more values, and every value `before` returned is
 * static: the old head words then keep their places and meaning, so a caller decoding the old shape reads the
 * same values (ABI decoders do not require the data to end where the old shape ends). Any dynamic old value
 * is refused: its offset word changes once the head grows, which strict decoders reject.
 */
export function outputsExtended(before: AbiItem, after: AbiItem): boolean {
  const old = before.outputs ?? [];
  const now = after.outputs ?? [];
  if (now.length <= old.length || old.some(isDynamic)) return false;
  return old.every((p, i) => canonicalType(p) === canonicalType(now[i] as AbiParam));
}
