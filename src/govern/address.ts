/**
 * An address given on the command line (`--signer`, `--gate`, a proxy). A private key pasted where the address
 * belongs — the log key for the log signer's address is an easy slip — is refused without being repeated.
 */
import { type Address, getAddress, isAddress } from 'viem';
import { inputError } from '../core/errors.js';

export function parseAddress(value: string, what: string): Address {
  if (/[0-9a-fA-F]{32}/.test(value) && !isAddress(value, { strict: false })) {
    throw inputError(
      'key-on-command-line',
      `${what} takes an address (0x and 40 hex digits), and the value given looks like a private key (it is not printed)`,
      'pass the address; if that was a key, it is now in your shell history: treat it as exposed',
    );
  }
  if (!isAddress(value, { strict: false })) {
    throw inputError('bad-address', `${what} "${value}" is not an address`, 'pass 0x and 40 hex digits');
  }
  return getAddress(value);
}
