/**
 * The hashes of an RFC 9162 §2.1.1 Merkle tree with SHA-256: a leaf is `SHA-256(0x00 ‖ entry)`, an inner node
 * `SHA-256(0x01 ‖ left ‖ right)`, and the empty tree's root `SHA-256("")`. The two prefixes keep a leaf from
 * ever being passed off as an inner node (second-preimage resistance).
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import type { Hex } from 'viem';

export type Hash = Uint8Array;

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** `MTH({d}) = SHA-256(0x00 ‖ d)` */
export function leafHash(entry: Uint8Array): Hash {
  return sha256.create().update(LEAF_PREFIX).update(entry).digest();
}

/** `SHA-256(0x01 ‖ left ‖ right)` */
export function nodeHash(left: Hash, right: Hash): Hash {
  return sha256.create().update(NODE_PREFIX).update(left).update(right).digest();
}

/** `MTH({}) = SHA-256("")` = e3b0c442…b855 */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

export function equalHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function toHex(hash: Uint8Array): Hex {
  return `0x${bytesToHex(hash)}`;
}

/** A 32-byte hash from `0x` + 64 hex digits; `undefined` for anything else. */
export function parseHash(value: unknown): Hash | undefined {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value)) return undefined;
  return hexToBytes(value.slice(2));
}
