import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAddress } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import type { PatchgateError } from '../errors.js';
import { loadAccount } from './keys.js';
import { decryptKeystore, encryptKeystore } from './keystore.js';

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
