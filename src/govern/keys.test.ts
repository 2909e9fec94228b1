import { createCipheriv, scryptSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256 } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { PatchgateError } from '../core/errors.js';
import { hasKey, loadAccount } from './keys.js';
import { decryptKeystore, encryptKeystore, type KeystoreV3 } from './keystore.js';
import { SECP256K1_N } from './private-key.js';

const KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318' as const;
const dir = mkdtempSync(join(tmpdir(), 'pg-keys-'));

function refusal(f: () => unknown): PatchgateError {
  try {
    f();
  } catch (e) {
    return e as PatchgateError;
  }
  throw new Error('expected an error');
}

/** The Web3 Secret Storage Definition's published test vectors (password "testpassword"). */
const VECTOR_KEY = '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const PBKDF2_VECTOR = {
  version: 3,
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: 'hmac-sha256',
      salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
    },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
};
const SCRYPT_VECTOR = {
  version: 3,
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
    ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
    kdf: 'scrypt',
    kdfparams: {
      dklen: 32,
      n: 262144,
      p: 8,
      r: 1,
      salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19',
    },
    mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
  },
};

describe('keystore v3', () => {
  it('decrypts the published PBKDF2 and scrypt test vectors', () => {
    expect(decryptKeystore(JSON.stringify(PBKDF2_VECTOR), 'testpassword')).toBe(VECTOR_KEY);
    expect(decryptKeystore(JSON.stringify(SCRYPT_VECTOR), 'testpassword')).toBe(VECTOR_KEY);
  });

  it('round-trips a key and refuses a wrong password by its MAC', () => {
    const ks = JSON.stringify(encryptKeystore(KEY, 'correct horse'));
    expect(decryptKeystore(ks, 'correct horse')).toBe(KEY);
    const e = refusal(() => decryptKeystore(ks, 'battery staple', 'k.json'));
    expect([e.code, e.exitCode]).toEqual(['keystore-wrong-password', 2]);
    expect(e.shortMessage).toContain('k.json');
  });

  it('refuses a crafted keystore whose KDF would take gigabytes or hours, before deriving', () => {
    const heavy = {
      ...SCRYPT_VECTOR,
      crypto: { ...SCRYPT_VECTOR.crypto, kdfparams: { ...SCRYPT_VECTOR.crypto.kdfparams, n: 2 ** 24 } },
    };
    const e = refusal(() => decryptKeystore(JSON.stringify(heavy), 'testpassword', 'k.json'));
    expect([e.code, e.exitCode]).toEqual(['keystore-kdf-bounds', 2]);
    expect(e.shortMessage).toBe(
      'keystore k.json: scrypt parameters out of bounds (n 16777216, r 1, p 8, dklen 32)',
    );
    const slow = {
      ...PBKDF2_VECTOR,
      crypto: { ...PBKDF2_VECTOR.crypto, kdfparams: { ...PBKDF2_VECTOR.crypto.kdfparams, c: 2 ** 40 } },
    };
    expect(refusal(() => decryptKeystore(JSON.stringify(slow), 'testpassword', 'k.json')).code).toBe(
      'keystore-kdf-bounds',
    );
  });

  it('refuses a file that is not a keystore', () => {
    const e = refusal(() => decryptKeystore('{"version":3}', 'x', 'k.json'));
    expect(e.code).toBe('keystore-malformed');
  });
});

describe('signing keys', () => {
  it('loads a key from an environment variable', () => {
    expect(loadAccount({ keyEnv: 'K' }, { K: KEY }).address).toBe(privateKeyToAddress(KEY));
  });

  it('loads a key from a keystore file with its password from the environment', () => {
    const file = join(dir, 'owner.json');
    writeFileSync(file, JSON.stringify(encryptKeystore(KEY, 'pw')));
    const account = loadAccount({ keystore: file, passwordEnv: 'PW' }, { PW: 'pw' });
    expect(account.address).toBe(privateKeyToAddress(KEY));
  });

  it('names the variable, never the value, when a key is malformed', () => {
    const bad = `${KEY.slice(0, 60)}zz`;
    const e = refusal(() => loadAccount({ keyEnv: 'OWNER_KEY' }, { OWNER_KEY: bad }));
    expect([e.code, e.exitCode]).toEqual(['key-malformed', 2]);
    expect(e.shortMessage).toContain('OWNER_KEY');
    expect(`${e.shortMessage} ${e.hint}`).not.toContain(bad.slice(2, 20));
  });

  it('says which variable is missing', () => {
    expect(refusal(() => loadAccount({ keyEnv: 'NOPE' }, {})).shortMessage).toContain('NOPE');
    expect(refusal(() => loadAccount({}, {})).code).toBe('key-missing');
    const file = join(dir, 'k2.json');
    writeFileSync(file, JSON.stringify(encryptKeystore(KEY, 'pw')));
    expect(refusal(() => loadAccount({ keystore: file }, {})).code).toBe('keystore-password-missing');
  });
});

/** A keystore v3 file around any 32 bytes (encryptKeystore refuses a key that is not one). */
function keystoreAround(bytes: string, password: string): string {
  const good = encryptKeystore(KEY, password, { n: 1024 });
  const p = good.crypto.kdfparams as { n: number; r: number; p: number; dklen: number; salt: string };
  const derived = scryptSync(password, Buffer.from(p.salt, 'hex'), 32, { N: p.n, r: p.r, p: p.p });
  const cipher = createCipheriv(
    'aes-128-ctr',
    derived.subarray(0, 16),
    Buffer.from(good.crypto.cipherparams.iv, 'hex'),
  );
  const ciphertext = Buffer.concat([
    cipher.update(Buffer.from(bytes.replace(/^0x/, ''), 'hex')),
    cipher.final(),
  ]);
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2);
  const { address: _address, ...rest } = good;
  return JSON.stringify({
    ...rest,
    crypto: { ...good.crypto, ciphertext: ciphertext.toString('hex'), mac },
  } satisfies Omit<KeystoreV3, 'address'>);
}

const ZERO = `0x${'00'.repeat(32)}`;
const ORDER = `0x${SECP256K1_N.toString(16)}`;
const ABOVE = `0x${'ff'.repeat(32)}`;

describe('key-shaped values are refused and never printed', () => {
  it.each([
    ['--key-env', { keyEnv: KEY }],
    ['--key-env', { keyEnv: KEY.slice(2) }],
    ['--key-env', { keyEnv: KEY.toUpperCase().replace('0X', '0x') }],
    ['--password-env', { keystore: 'owner.json', passwordEnv: KEY }],
    ['--keystore', { keystore: KEY }],
  ])('%s given the key itself (%j): exit 2, the option named, the key not echoed', (option, src) => {
    for (const f of [() => loadAccount(src, {}), () => hasKey(src)]) {
      const e = refusal(f);
      expect([e.code, e.exitCode]).toEqual(['key-on-command-line', 2]);
      expect(e.shortMessage).toContain(option);
      expect(`${e.message}`.toLowerCase()).not.toContain(KEY.slice(2, 20).toLowerCase());
    }
  });

  it('--key-env given a typo of a key (63 hex digits) or something no variable is called: exit 2, not echoed', () => {
    for (const keyEnv of [KEY.slice(0, -1), 'my key=0x4c08', '']) {
      const e = refusal(() => loadAccount({ keyEnv }, {}));
      expect(e.exitCode).toBe(2);
      if (keyEnv) expect(e.message).not.toContain(keyEnv);
    }
  });

  it.each([
    ['0', ZERO],
    ['the curve order n', ORDER],
    ['2^256 − 1', ABOVE],
  ])('a variable holding %s: exit 2 (key-out-of-range), its value not printed', (_what, value) => {
    const e = refusal(() => loadAccount({ keyEnv: 'OWNER_KEY' }, { OWNER_KEY: value }));
    expect([e.code, e.exitCode]).toEqual(['key-out-of-range', 2]);
    expect(e.shortMessage).toContain('OWNER_KEY');
    expect(e.message).not.toContain(value.slice(2, 34));
    if (BigInt(value) > 0n) expect(e.message).not.toContain(BigInt(value).toString());
    expect(e.message).not.toMatch(/got \d/);
  });

  it('encryptKeystore refuses 0 without printing it (a library caller gets the same refusal)', () => {
    const e = refusal(() => encryptKeystore(ZERO as `0x${string}`, 'pw'));
    expect([e.code, e.exitCode]).toEqual(['key-out-of-range', 2]);
    expect(e.message).not.toMatch(/got \d/);
  });

  it('accepts a key without 0x, in upper case, with a trailing newline', () => {
    const address = privateKeyToAddress(KEY);
    for (const v of [KEY.slice(2), `0x${KEY.slice(2).toUpperCase()}`, `${KEY}\n`]) {
      expect(loadAccount({ keyEnv: 'K' }, { K: v }).address).toBe(address);
    }
  });

  it.each([
    ['0', ZERO],
    ['the curve order n', ORDER],
  ])('a keystore file holding %s: exit 2, its value not printed', (_what, value) => {
    const file = join(dir, `bad-${value.slice(2, 6)}.json`);
    writeFileSync(file, keystoreAround(value, 'pw'));
    const e = refusal(() => loadAccount({ keystore: file, passwordEnv: 'PW' }, { PW: 'pw' }));
    expect([e.code, e.exitCode]).toEqual(['key-out-of-range', 2]);
    expect(e.shortMessage).toContain(file);
    if (BigInt(value) > 0n) expect(e.message).not.toContain(BigInt(value).toString());
    expect(e.message).not.toMatch(/got \d/);
    expect(e.message).not.toContain(value.slice(2, 34));
  });
});
