/**
 * The address parser of the option layer (options.ts), in a file of its own because it loads viem (for the
 * checksum): only the commands that take an address import it, and `check` never does.
 */
import type { Address } from 'viem';
import { parseAddress } from '../govern/address.js';
import type { Parser } from './options.js';

/** An address given to `flag` (or an argument named `flag`): checksummed; a pasted private key is refused. */
export function address(flag: string): Parser<Address> {
  return (value) => parseAddress(value, flag);
}
