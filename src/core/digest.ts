/**
 * The bytes every patchgate digest is taken over, and the digest: canonical JSON (sorted keys, no undefined
 * values, big integers as decimal strings) and its keccak256. Findings, evidence, log entries and the store all
 * hash with these, so they live at the bottom and import nothing of ours.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * JSON with sorted keys, no undefined values and big integers as decimal strings: the bytes a digest is taken over.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1n, a: [true], c: undefined }); // '{"a":[true],"b":"1"}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  // As JSON.stringify: in an array, what JSON cannot hold (undefined, a function) is null; in an object, left out.
  if (Array.isArray(value))
    return `[${value.map((v) => (representable(v) ? canonicalJson(v) : 'null')).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => representable(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const representable = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';

/**
 * keccak256 of the canonical JSON of an evidence object, `0x`-prefixed.
 *
 * @example
 * ```ts
 * const hash = evidenceDigest(report); // the hash a patch digest covers for this evidence
 * ```
 */
export function evidenceDigest(evidence: unknown): `0x${string}` {
  return `0x${bytesToHex(keccak_256(utf8ToBytes(canonicalJson(evidence))))}`;
}
