/**
 * Where a signing key comes from: an environment variable that holds it, or a keystore v3 file with its
 * password in an environment variable. A key is never a command-line value (it would sit in the shell
 * history and in `ps`), never printed, and never stored: errors name the variable or the file, not the key.
 */
import { readFileSync } from 'node:fs';
import type { LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { inputError } from '../core/errors.js';
import { decryptKeystore } from './keystore.js';
import { checkedPrivateKey, isKeyShaped } from './private-key.js';

export interface KeySource {
  /** Name of an environment variable holding a 0x-prefixed 32-byte private key. */
  keyEnv?: string;
  /** A keystore v3 file … */
  keystore?: string;
  /** … and the environment variable holding its password. */
  passwordEnv?: string;
  /** The option `keyEnv` came from, for errors (default `--key-env`; e.g. `--guardian-key-env`). */
  keyEnvOption?: string;
}

/**
 * Refuse an option value that is a key itself, or cannot be a variable's name, without repeating it: a key
 * typed where its variable's name belongs would otherwise be echoed in "variable … is not set".
 */
function requireEnvName(option: string, name: string): void {
  if (isKeyShaped(name) || /[0-9a-fA-F]{32}/.test(name)) {
    throw inputError(
      'key-on-command-line',
      `${option} takes the NAME of an environment variable, not the key itself (the value given is not printed)`,
      `export OWNER_KEY=0x… and pass ${option} OWNER_KEY; the key is now in your shell history: treat it as exposed`,
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw inputError(
      'bad-env-name',
      `${option} takes the name of an environment variable (letters, digits and _), and the value given is not one (it is not printed)`,
      `export OWNER_KEY=0x… and pass ${option} OWNER_KEY`,
    );
  }
}

/** A path option given a key: refused without echoing it (an unreadable path is otherwise printed). */
export function refuseKeyShapedPath(option: string, value: string): void {
  if (isKeyShaped(value)) {
    throw inputError(
      'key-on-command-line',
      `${option} takes a file path, not a key (the value given is not printed)`,
      'keys live in environment variables (--key-env NAME) or keystore files; treat this key as exposed',
    );
  }
}

/** Every name and path in a key source checked, even those this run will not read. */
function checkSource(src: KeySource): void {
  if (src.keyEnv !== undefined) requireEnvName(src.keyEnvOption ?? '--key-env', src.keyEnv);
  if (src.passwordEnv !== undefined) requireEnvName('--password-env', src.passwordEnv);
  if (src.keystore !== undefined) refuseKeyShapedPath('--keystore', src.keystore);
}

/** Is a key given? Refuses (exit 2) a key typed where an option wants a variable's name or a file. */
export function hasKey(src: KeySource): boolean {
  checkSource(src);
  return Boolean(src.keyEnv || src.keystore);
}

/**
 * The account a key source holds; a clear error (exit 2) naming the source when it is missing or bad.
 *
 * @example
 * ```ts
 * const signer = loadAccount({ keyEnv: 'OWNER1_KEY' }); // or { keystore: 'owner1.json', passwordEnv: 'PW' }
 * ```
 */
export function loadAccount(src: KeySource, env: NodeJS.ProcessEnv = process.env): LocalAccount {
  checkSource(src);
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
    // Never echo the value: it may be a real key with a typo.
    return privateKeyToAccount(checkedPrivateKey(value, `environment variable ${src.keyEnv}`));
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
