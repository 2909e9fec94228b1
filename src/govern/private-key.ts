/**
 * What a private key looks like, and the check every key passes before viem sees it: viem (noble) refuses a
 * key of 0 or beyond the curve order with an error that prints the key, so that never reaches it.
 */
import type { Hex } from 'viem';
import { inputError } from '../core/errors.js';

/** secp256k1's group order: a private key is an integer in [1, n − 1]. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** 32 bytes of hex, with or without 0x: what a private key looks like (and what must never be printed). */
export function isKeyShaped(value: string): boolean {
  return /^(0x)?[0-9a-fA-F]{64}$/.test(value.trim());
}

/**
 * A private key as 0x and 64 lower-case hex digits, refused (exit 2, never printed) unless it is one:
 * 32 bytes, not 0, below the curve order. `where` names its source ("environment variable OWNER_KEY").
 */
export function checkedPrivateKey(value: string, where: string): Hex {
  const key = value.trim();
  if (!isKeyShaped(key)) {
    throw inputError(
      'key-malformed',
      `${where} does not hold a private key (0x and 64 hex digits)`,
      'check it; its value is not printed',
    );
  }
  const n = BigInt(`0x${key.replace(/^0x/, '')}`);
  if (n === 0n || n >= SECP256K1_N) {
    throw inputError(
      'key-out-of-range',
      `${where} holds 32 bytes that are not a secp256k1 private key (0, or not below the curve order)`,
      'check it; its value is not printed',
    );
  }
  return `0x${key.replace(/^0x/, '').toLowerCase()}` as Hex;
}
