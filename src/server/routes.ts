/**
 * The API's routes, declared once: each has its method, path, parameters (zod, the same schemas that validate the
 * request) and what it answers — the handlers in app.ts and the OpenAPI document in openapi.ts are both read from
 * here, so the document cannot drift from what the server accepts.
 */
import { z } from 'zod';

const digestParam = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'a patch digest is 0x and 64 hex digits')
  .describe('the patch digest (`patchgate propose` prints it)');

const count = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const entriesQuery = z.strictObject({
  from: count.optional().describe('first entry (default 0)'),
  to: count.optional().describe('one past the last entry (default: the head; at most from + 1000)'),
});

export const proofParams = z.strictObject({ index: count.describe('the entry') });
export const proofQuery = z.strictObject({
  size: count.optional().describe('the tree of this many entries (default: the current size)'),
});

export const loginBody = z.strictObject({
  message: z.string().min(1).max(4096).describe('the EIP-4361 message, as signed'),
  signature: z
    .string()
    .regex(/^0x[0-9a-fA-F]{130}$/, 'a signature is 0x and 130 hex digits (65 bytes)')
    .describe("the account's personal_sign signature of the message"),
});

export interface RouteSpec {
  method: 'get' | 'post';
  /** OpenAPI form: `/api/patches/{digest}`. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodObject;
  /** Needs a session (cookie or bearer token). */
  signedIn?: boolean;
  /** What a 200 holds, in words (the types are the library's: docs/api.md). */
  returns: string;
}

export const ROUTES = {
  patches: {
    method: 'get',
    path: '/api/patches',
    summary: 'every patch in the store, newest first',
    returns:
      '{ patches: PatchStatus[] } — digest, name, state, lane, chain, proxy, implementation, approvals, history',
  },
  patch: {
    method: 'get',
    path: '/api/patches/{digest}',
    summary:
      'one patch: its state, approvals, Safe signatures, history and the evidence it was proposed with',
    params: z.strictObject({ digest: digestParam }),
    returns: 'PatchStatus & { record, evidence } — evidence: the check and simulate reports, by stage',
  },
  head: {
    method: 'get',
    path: '/api/log/head',
    summary: "the transparency log's current head (RFC 9162): its origin, size and root",
    returns: '{ origin, size, root }',
  },
  entries: {
    method: 'get',
    path: '/api/log/entries',
    summary: 'log entries [from, to), each with the canonical JSON that was hashed',
    query: entriesQuery,
    returns: '{ entries: { index, entry, nodes }[] } — the lines of `patchgate log export`',
  },
  proof: {
    method: 'get',
    path: '/api/log/proof/{index}',
    summary: 'the inclusion proof (audit path) of one entry; verify it yourself against a head you trust',
    params: proofParams,
    query: proofQuery,
    returns: '{ origin, index, size, leafHash, root, proof } — hex, as `patchgate log proof --format json`',
  },
  nonce: {
    method: 'post',
    path: '/api/auth/nonce',
    summary: 'a fresh Sign-In with Ethereum nonce: single use, valid for 5 minutes',
    returns: '{ nonce, expiresAt, domain, chainId } — put them in the EIP-4361 message',
  },
  login: {
    method: 'post',
    path: '/api/auth/login',
    summary: 'sign in with an EIP-4361 message and its signature; opens a session',
    body: loginBody,
    returns:
      '{ address, chainId, expiresAt, token } and an httpOnly SameSite=Strict cookie; scripts send the token as `Authorization: Bearer`',
  },
  me: {
    method: 'get',
    path: '/api/auth/me',
    summary: 'who the session is',
    signedIn: true,
    returns: '{ address, chainId, expiresAt }',
  },
  logout: {
    method: 'post',
    path: '/api/auth/logout',
    summary: 'end the session',
    returns: '{ ok: true }',
  },
} as const satisfies Record<string, RouteSpec>;

/** At most this many entries per page. */
export const ENTRIES_PAGE = 1000;
