/**
 * Log entries: one JSON object per lifecycle event, written in canonical form — keys sorted, no whitespace,
 * integers that may exceed 2^53 as decimal strings, hex in lower case, times as ISO 8601 UTC with
 * milliseconds. The log's leaf is SHA-256(0x00 ‖ UTF-8 of that text), so the same event always gives the same
 * leaf and any other spelling of it is refused rather than hashed. docs/log.md lists every kind.
 */
import { utf8ToBytes } from '@noble/hashes/utils';
import { z } from 'zod';
import { canonicalJson } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import { type Hash, leafHash } from './hash.js';

const lowerHex = (re: RegExp, what: string) =>
  z
    .string()
    .regex(re, `must be ${what}`)
    .transform((s) => s.toLowerCase() as `0x${string}`);
const bytes32 = lowerHex(/^0x[0-9a-fA-F]{64}$/, '0x and 64 hex digits');
const address = lowerHex(/^0x[0-9a-fA-F]{40}$/, 'an address (0x and 40 hex digits)');
const hexBytes = lowerHex(/^0x([0-9a-fA-F]{2})*$/, '0x-prefixed hex bytes');
const uint = z
  .union([
    z.bigint().nonnegative(),
    z.number().int().nonnegative(),
    z.string().regex(/^(0|[1-9][0-9]*)$/, 'must be a decimal integer'),
  ])
  .transform((v) => BigInt(v).toString());
const kebab = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case');
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const at = z
  .union([z.date(), z.string().regex(ISO_UTC, 'must be an ISO 8601 UTC time, e.g. 2026-11-02T10:00:00.000Z')])
  .transform((v, ctx) => {
    const d = v instanceof Date ? v : new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid time' });
      return z.NEVER;
    }
    return d.toISOString();
  });

const base = { digest: bytes32, at };

export const ENTRY_KINDS = [
  'patch-proposed',
  'evidence',
  'approval',
  'queued',
  'executed',
  'verified',
  'cancelled',
  'alert',
  'review',
  'patch-committed',
  'approval-committed',
  'patch-revealed',
] as const;

/** A revealed bundle's text, at most this long (a bundle holds two evidence reports and the candidate's sources). */
const MAX_BUNDLE_CHARS = 4_000_000;

const entrySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('patch-proposed'),
    ...base,
    chainId: z.number().int().positive(),
    proxy: address,
    target: address,
    implementation: address,
    codehash: bytes32,
    calldata: hexBytes,
    lane: z.enum(['standard', 'emergency']),
  }),
  z.strictObject({
    kind: z.literal('evidence'),
    ...base,
    stage: kebab,
    hash: bytes32,
    verdict: z.enum(['pass', 'fail']),
  }),
  z.strictObject({
    kind: z.literal('approval'),
    ...base,
    signer: address,
    signature: hexBytes,
    nonce: uint,
    expiry: uint,
  }),
  z.strictObject({
    kind: z.literal('queued'),
    ...base,
    operationId: bytes32,
    txHash: bytes32,
    eta: uint,
    /** An embargoed patch: the commitment its proposal was logged as (docs/embargo.md). */
    commitment: bytes32.optional(),
  }),
  z.strictObject({ kind: z.literal('executed'), ...base, txHash: bytes32, blockNumber: uint }),
  z.strictObject({
    kind: z.literal('verified'),
    ...base,
    implementation: address,
    codehash: bytes32,
    blockNumber: uint,
  }),
  z.strictObject({
    kind: z.literal('cancelled'),
    ...base,
    reason: z.string().min(1),
    txHash: bytes32.optional(),
  }),
  z.strictObject({
    kind: z.literal('alert'),
    ...base,
    rule: kebab,
    severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
    message: z.string().min(1),
    blockNumber: uint.optional(),
    txHash: bytes32.optional(),
  }),
  z.strictObject({
    kind: z.literal('review'),
    ...base,
    signer: address,
    verdict: z.enum(['reviewed', 'concern']),
    text: z.string().max(2000),
    signature: hexBytes,
  }),
  // Embargoed patches (docs/embargo.md): until the reveal, the log names the commitment, never the digest.
  z.strictObject({
    kind: z.literal('patch-committed'),
    at,
    commitment: bytes32,
    chainId: z.number().int().positive(),
  }),
  z.strictObject({
    kind: z.literal('approval-committed'),
    at,
    commitment: bytes32,
    signer: address,
    /** keccak256 of the approval's signature, revealed with the bundle. */
    signatureHash: bytes32,
  }),
  z.strictObject({
    kind: z.literal('patch-revealed'),
    ...base,
    commitment: bytes32,
    /** The bundle's canonical JSON text, exactly as committed: keccak256 of it is the commitment. */
    bundle: z.string().min(2).max(MAX_BUNDLE_CHARS),
  }),
]);

/** What callers pass: integers as bigint, number or decimal string; times as Date or ISO string. */
export type EntryInput = z.input<typeof entrySchema>;
/** An entry as logged: integers as decimal strings, times as ISO strings. */
export type Entry = z.output<typeof entrySchema>;
export type EntryKind = Entry['kind'];

function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'is not a log entry';
  const path = issue.path.join('.');
  return path ? `${path} ${issue.message}` : issue.message;
}

/** Validates and canonicalizes an entry: the entry as logged and its exact text. */
export function canonicalEntry(input: unknown): { entry: Entry; json: string } {
  const parsed = entrySchema.safeParse(input);
  if (!parsed.success) {
    const kind = (input as { kind?: unknown } | null)?.kind;
    // A kind is echoed only when it looks like one: the text may be anyone's, of any length.
    const named = typeof kind === 'string' && /^[a-z0-9-]{1,40}$/.test(kind) ? ` "${kind}"` : '';
    throw inputError(
      'bad-log-entry',
      `log entry${named}: ${describeIssues(parsed.error)}`,
      `kinds: ${ENTRY_KINDS.join(', ')} (fields in docs/log.md)`,
    );
  }
  return { entry: parsed.data, json: canonicalJson(parsed.data) };
}

/**
 * Reads a logged entry's text back. It must be an entry in canonical form exactly: a second spelling of the
 * same event would be a second leaf, so it is refused, not re-canonicalized.
 */
export function parseEntry(json: string): Entry {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw inputError('bad-log-entry', 'log entry is not JSON');
  }
  const { entry, json: canonical } = canonicalEntry(value);
  if (canonical !== json) {
    throw inputError(
      'log-entry-not-canonical',
      'log entry is not in canonical form (sorted keys, no whitespace, lower-case hex)',
    );
  }
  return entry;
}

/** The entry's leaf hash: SHA-256(0x00 ‖ UTF-8(canonical JSON)). */
export function entryLeafHash(json: string): Hash {
  return leafHash(utf8ToBytes(json));
}
