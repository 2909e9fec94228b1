/**
 * Where a signing key comes from: an environment variable that holds it, or a keystore v3 file with its
 * password in an environment variable. A key is never a command-line value (it would sit in the shell
 * history and in `ps`), never printed, and never stored: errors name the variable or the file, not the key.
 */
import { readFileSync } from 'node:fs';
import type { LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { inputError } from '../errors.js';
import { decryptKeystore } from './keystore.js';

export interface KeySource {
  /** Name of an environment variable holding a 0x-prefixed 32-byte private key. */
  keyEnv?: string;
  /** A keystore v3 file … */
  keystore?: string;
  /** … and the environment variable holding its password. */
  passwordEnv?: string;
}

export function hasKey(src: KeySource): boolean {
  return Boolean(src.keyEnv || src.keystore);
}

/** The account a key source holds; a clear error (exit 2) naming the source when it is missing or bad. */
export function loadAccount(src: KeySource, env: NodeJS.ProcessEnv = process.env): LocalAccount {
  if (src.keyEnv && src.keystore) {
    throw inputError('key-ambiguous', 'both --key-env and --keystore were given', 'pass one of them');
  }
  if (src.keyEnv) {
    const value = env[src.keyEnv];
    if (value === undefined || value === '') {
      throw inputError(
        'key-missing',
        `environment variable ${src.keyEnv} is not set`,
        `export ${src.keyEnv}=0x… (the signer's private key), or use --keystore FILE`,
      );
    }
    const key = value.trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
      // Never echo the value: it may be a real key with a typo.
      throw inputError(
        'key-malformed',
        `environment variable ${src.keyEnv} does not hold a private key (0x and 64 hex digits)`,
        'check the variable; its value is not printed',
      );
    }
    return privateKeyToAccount(key as `0x${string}`);
  }
  if (src.keystore) {
    let text: string;
    try {
      text = readFileSync(src.keystore, 'utf8');
    } catch (e) {
      throw inputError(
        'keystore-unreadable',
        `cannot read keystore ${src.keystore}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        'check the --keystore path',
      );
    }
    const passwordEnv = src.passwordEnv ?? 'PATCHGATE_KEYSTORE_PASSWORD';
    const password = env[passwordEnv];
    if (password === undefined) {
      throw inputError(
        'keystore-password-missing',
        `environment variable ${passwordEnv} (the keystore password) is not set`,
        `export ${passwordEnv}=… or pass --password-env NAME`,
      );
    }
    return privateKeyToAccount(decryptKeystore(text, password, src.keystore));
  }
  throw inputError(
    'key-missing',
    'no signing key given',
    'pass --key-env NAME (an environment variable holding the key) or --keystore FILE',
  );
}
