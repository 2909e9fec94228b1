/**
 * An approval signed outside patchgate (a hardware wallet, another machine, a browser wallet on the review page) as
 * JSON: what `approve --approval FILE` reads and what the API's approval route takes, each field checked with a
 * clear error.
 */
import type { Address, Hex } from 'viem';
import { inputError } from '../core/errors.js';
import type { SafePurpose } from '../store/store.js';
import type { ApprovalFile } from './approve.js';

const HEX = (bytes: number) => new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`);

/** An approval file is a few hundred bytes; anything near this is not one (and is not read whole). */
export const MAX_APPROVAL_FILE_BYTES = 64 * 1024;

export const FORMAT_HINT = 'see `patchgate approve --typed-data` (its "file") for the format';

/** An approval file as `approve --typed-data` describes it, each field checked with a clear error. */
export function parseApprovalFile(text: string, file: string): ApprovalFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw inputError('bad-approval-file', `approval file ${file} is not JSON`, FORMAT_HINT);
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed)) {
    throw inputError('bad-approval-file', `approval file ${file} is not a JSON object`, FORMAT_HINT);
  }
  const raw = parsed;
  const field = (name: string, re: RegExp, what: string): string => {
    const v = raw[name];
    const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
    if (typeof s !== 'string' || !re.test(s)) {
      throw inputError('bad-approval-file', `approval file ${file}: "${name}" is not ${what}`, FORMAT_HINT);
    }
    return s;
  };
  // A uint256 has at most 78 decimal digits; a chain id must be a safe integer.
  const uint = /^\d{1,78}$/;
  const chainId = Number(field('chainId', /^\d{1,16}$/, 'a chain id'));
  if (!Number.isSafeInteger(chainId)) {
    throw inputError('bad-approval-file', `approval file ${file}: "chainId" is not a chain id`, FORMAT_HINT);
  }
  const approval = {
    digest: field('digest', HEX(32), 'a 32-byte hex digest').toLowerCase() as Hex,
    chainId,
    proxy: field('proxy', HEX(20), 'an address') as Address,
    nonce: BigInt(field('nonce', uint, 'a decimal uint256 nonce')),
    expiry: BigInt(field('expiry', uint, 'a decimal unix time')),
    signature: field('signature', /^0x[0-9a-fA-F]+$/, 'a hex signature') as Hex,
  };
  const list = raw.safeSignatures ?? [];
  if (!Array.isArray(list) || list.length > 2) {
    throw inputError(
      'bad-approval-file',
      `approval file ${file}: "safeSignatures" is not a list of at most two (schedule, execute)`,
      FORMAT_HINT,
    );
  }
  const safeSignatures = list.map((s: unknown, i) => {
    const purpose = isObject(s) ? s.purpose : undefined;
    if (!isObject(s) || (purpose !== 'schedule' && purpose !== 'execute')) {
      throw inputError(
        'bad-approval-file',
        `approval file ${file}: safeSignatures[${i}].purpose is not schedule or execute`,
        FORMAT_HINT,
      );
    }
    const nonce =
      typeof s.safeNonce === 'number' && Number.isSafeInteger(s.safeNonce)
        ? String(s.safeNonce)
        : s.safeNonce;
    if (
      typeof nonce !== 'string' ||
      !uint.test(nonce) ||
      typeof s.signature !== 'string' ||
      !HEX(65).test(s.signature)
    ) {
      throw inputError(
        'bad-approval-file',
        `approval file ${file}: safeSignatures[${i}] needs a decimal safeNonce and a 65-byte signature`,
        FORMAT_HINT,
      );
    }
    return { purpose: purpose as SafePurpose, safeNonce: BigInt(nonce), signature: s.signature as Hex };
  });
  return { approval, safeSignatures };
}
