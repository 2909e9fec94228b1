/**
 * Web3 Secret Storage (keystore v3) files, the format `cast wallet`, geth and most wallets write: scrypt or
 * PBKDF2-HMAC-SHA256 derives a key from the password; its second 16 bytes MAC the ciphertext (keccak256);
 * its first 16 bytes decrypt it (AES-128-CTR). Only node:crypto and viem: no key material leaves this file
 * except the decrypted key handed back to the caller.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { scrypt as scryptJs } from '@noble/hashes/scrypt';
import { bytesToHex, type Hex, hexToBytes, keccak256 } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { inputError } from '../core/errors.js';
import { checkedPrivateKey } from './private-key.js';

interface ScryptParams {
  dklen: number;
  n: number;
  r: number;
  p: number;
  salt: string;
}
interface Pbkdf2Params {
  dklen: number;
  c: number;
  prf: string;
  salt: string;
}

export interface KeystoreV3 {
  version: 3;
  id?: string;
  address?: string;
  crypto: {
    cipher: string;
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: ScryptParams | Pbkdf2Params;
    mac: string;
  };
}

const strip = (h: string) => h.replace(/^0x/, '');

const int = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/**
 * A keystore's KDF parameters are attacker-chosen when the file is: bounded so that a crafted file cannot make
 * the derivation take gigabytes or hours. The bounds are well above what geth, cast and wallets write (scrypt
 * N = 2^18, r = 8 → 256 MiB; pbkdf2 c = 262,144).
 */
function checkKdfParams(kdf: string, p: Partial<ScryptParams & Pbkdf2Params>, file: string): void {
  const ok =
    int(p.dklen, 32, 64) &&
    (kdf === 'scrypt'
      ? int(p.n, 2, 2 ** 20) &&
        ((p.n as number) & ((p.n as number) - 1)) === 0 &&
        int(p.r, 1, 32) &&
        int(p.p, 1, 16) &&
        128 * (p.n as number) * (p.r as number) <= 2 ** 30
      : int(p.c, 1, 10_000_000));
  if (!ok) {
    throw inputError(
      'keystore-kdf-bounds',
      `keystore ${file}: ${kdf} parameters out of bounds (${kdf === 'scrypt' ? `n ${p.n}, r ${p.r}, p ${p.p}` : `c ${p.c}`}, dklen ${p.dklen})`,
      kdf === 'scrypt'
        ? 'scrypt needs n a power of two ≤ 2^20, r ≤ 32, p ≤ 16, 128·n·r ≤ 1 GiB, dklen 32–64: re-export the key'
        : 'pbkdf2 needs c ≤ 10,000,000 and dklen 32–64: re-export the key',
    );
  }
}

function deriveKey(ks: KeystoreV3, password: string, file: string): Buffer {
  const { kdf, kdfparams } = ks.crypto;
  if (kdf === 'scrypt' || kdf === 'pbkdf2') checkKdfParams(kdf, kdfparams as never, file);
  if (kdf === 'scrypt') {
    const p = kdfparams as ScryptParams;
    const pass = password.normalize('NFKC');
    const salt = Buffer.from(strip(p.salt), 'hex');
    // OpenSSL refuses N ≥ 2^(16·r) (the spec's own test vector has r = 1, N = 2^18): pure JS then.
    if (p.n >= 2 ** (16 * p.r)) {
      return Buffer.from(scryptJs(pass, salt, { N: p.n, r: p.r, p: p.p, dkLen: p.dklen, maxmem: 2 ** 31 }));
    }
    return scryptSync(pass, salt, p.dklen, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r + 2 ** 26 });
  }
  if (kdf === 'pbkdf2') {
    const p = kdfparams as Pbkdf2Params;
    if (p.prf !== 'hmac-sha256') {
      throw inputError('keystore-unsupported', `keystore ${file} uses prf ${p.prf}`, 'use hmac-sha256');
    }
    return pbkdf2Sync(password.normalize('NFKC'), Buffer.from(strip(p.salt), 'hex'), p.c, p.dklen, 'sha256');
  }
  throw inputError(
    'keystore-unsupported',
    `keystore ${file} uses kdf "${String(kdf)}"`,
    'use scrypt or pbkdf2',
  );
}

function parseKeystore(text: string, file: string): KeystoreV3 {
  let ks: KeystoreV3;
  try {
    ks = JSON.parse(text) as KeystoreV3;
  } catch {
    throw inputError('keystore-malformed', `keystore ${file} is not JSON`, 'pass a keystore v3 file');
  }
  const c = ks?.crypto ?? (ks as unknown as { Crypto?: KeystoreV3['crypto'] })?.Crypto;
  if (ks?.version !== 3 || !c?.ciphertext || !c.cipherparams?.iv || !c.kdfparams || !c.mac) {
    throw inputError(
      'keystore-malformed',
      `keystore ${file} is not a keystore v3 file`,
      'pass the JSON file `cast wallet new` or geth wrote',
    );
  }
  if (c.cipher !== 'aes-128-ctr') {
    throw inputError('keystore-unsupported', `keystore ${file} uses cipher ${c.cipher}`, 'use aes-128-ctr');
  }
  return { ...ks, crypto: c };
}

/** The private key in a keystore v3 file; a wrong password is a clear error (the MAC does not match). */
export function decryptKeystore(text: string, password: string, file = 'keystore'): Hex {
  const ks = parseKeystore(text, file);
  const derived = deriveKey(ks, password, file);
  const ciphertext = Buffer.from(strip(ks.crypto.ciphertext), 'hex');
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]));
  if (strip(mac) !== strip(ks.crypto.mac).toLowerCase()) {
    throw inputError(
      'keystore-wrong-password',
      `wrong password for keystore ${file} (its MAC does not match)`,
      'check the password in the --password-env variable',
    );
  }
  const decipher = createDecipheriv(
    'aes-128-ctr',
    derived.subarray(0, 16),
    Buffer.from(strip(ks.crypto.cipherparams.iv), 'hex'),
  );
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (plain.length !== 32) {
    throw inputError(
      'keystore-malformed',
      `keystore ${file} holds ${plain.length} bytes, not a 32-byte private key`,
      'the file is corrupt',
    );
  }
  // 0 or ≥ the curve order: refused here, before viem would print it in its error.
  const key = checkedPrivateKey(bytesToHex(plain), `keystore ${file}`);
  if (ks.address && privateKeyToAddress(key).slice(2).toLowerCase() !== strip(ks.address).toLowerCase()) {
    throw inputError(
      'keystore-malformed',
      `keystore ${file} decrypts to a key that is not its address ${ks.address}`,
      'the file is corrupt',
    );
  }
  return key;
}

/** A keystore v3 file for a key (scrypt; the parameters `cast wallet` uses unless light). */
export function encryptKeystore(
  privateKey: Hex,
  password: string,
  opts: { n?: number; r?: number; p?: number } = {},
): KeystoreV3 {
  const key = checkedPrivateKey(privateKey, 'the key to encrypt');
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const params = { dklen: 32, n: opts.n ?? 8192, r: opts.r ?? 8, p: opts.p ?? 1, salt: salt.toString('hex') };
  const derived = scryptSync(password.normalize('NFKC'), salt, 32, {
    N: params.n,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.n * params.r + 64 * 1024 * 1024,
  });
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(hexToBytes(key)), cipher.final()]);
  return {
    version: 3,
    id: crypto.randomUUID(),
    address: privateKeyToAddress(key).slice(2).toLowerCase(),
    crypto: {
      cipher: 'aes-128-ctr',
      ciphertext: ciphertext.toString('hex'),
      cipherparams: { iv: iv.toString('hex') },
      kdf: 'scrypt',
      kdfparams: params,
      mac: strip(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]))),
    },
  };
}
