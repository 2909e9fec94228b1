/**
 * The API's routes, declared once: each has its method, path, parameters (zod, the same schemas that validate the
 * request) and what it answers — the handlers in app.ts and the OpenAPI document in openapi.ts are both read from
 * here, so the document cannot drift from what the server accepts.
 */
import { z } from 'zod';
import { jobRequest } from '../jobs/request.js';
import type { Role } from './roles.js';

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

const decimal = z.union([z.string().regex(/^\d{1,78}$/), z.number().int().nonnegative()]);
const hexSig = z.string().regex(/^0x[0-9a-fA-F]+$/, 'a hex signature');

/** An approval file, as `patchgate approve --approval FILE` reads it (`approve --typed-data` prints one to fill in). */
export const approvalBody = z.strictObject({
  digest: z.string().describe('the patch digest'),
  chainId: decimal.describe('the chain id the approval is for'),
  proxy: z.string().describe('the proxy the patch upgrades'),
  nonce: decimal.describe('the nonce the approval request gave'),
  expiry: decimal.describe('unix time the approval expires'),
  signature: hexSig.describe('the EIP-712 signature of the approval (eth_signTypedData_v4)'),
  safeSignatures: z
    .array(
      z.strictObject({
        purpose: z.enum(['schedule', 'execute']),
        safeNonce: decimal,
        signature: hexSig,
      }),
    )
    .max(2)
    .optional()
    .describe("a Safe owner's signatures of the schedule and execute SafeTxs"),
});

export const reviewBody = z.strictObject({
  signer: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x followed by 40 hex digits')
    .describe('the reviewer'),
  verdict: z
    .enum(['reviewed', 'concern'])
    .describe('`reviewed`: read and found sound; `concern`: see the text'),
  text: z.string().max(2000).describe('what the reviewer says (at most 2000 characters)'),
  signature: z
    .string()
    .regex(/^0x[0-9a-fA-F]{130}$/, 'a signature is 0x and 130 hex digits (65 bytes)')
    .describe('eth_signTypedData_v4 of the Review statement (GET …/reviews gives its typed data)'),
});

const jobParams = z.strictObject({
  id: z.string().uuid('a job id is a UUID').describe('the job id POST /api/jobs gave'),
});

export interface RouteSpec {
  method: 'get' | 'post';
  /** OpenAPI form: `/api/patches/{digest}`. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Needs a session (cookie or bearer token). */
  signedIn?: boolean;
  /** Needs a session whose account holds this role (roles.ts). */
  role?: Role;
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
    returns:
      'PatchStatus & { record, evidence } — evidence: the check and simulate reports, by stage; with --rpc also policy { threshold, approvers, missing } and operation { id, eta, ready, done }',
  },
  head: {
    method: 'get',
    path: '/api/log/head',
    summary:
      "the transparency log's current head (RFC 9162): its origin, size and root — signed by the log key when the server has it",
    returns:
      '{ origin, size, root, signed: false } or, with the log key, { origin, size, root, timestamp, signed: true, signer, signature, frontier } (as `patchgate log head --format json`)',
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
      '{ address, chainId, expiresAt, token, roles } and an httpOnly SameSite=Strict cookie; scripts send the token as `Authorization: Bearer`',
  },
  me: {
    method: 'get',
    path: '/api/auth/me',
    summary: 'who the session is',
    signedIn: true,
    returns: '{ address, chainId, expiresAt, roles } — roles: what this account may do here',
  },
  approvalRequest: {
    method: 'get',
    path: '/api/patches/{digest}/approval-request',
    summary:
      'what an approver signs: the approval and, for a Safe owner, its two SafeTxs, as wallet-ready EIP-712 typed data',
    params: z.strictObject({ digest: digestParam }),
    signedIn: true,
    role: 'approver',
    returns:
      '{ digest, approval: { typedData, hash, domainHash, messageHash }, safeTxs[], file } — `patchgate approve --typed-data`',
  },
  approve: {
    method: 'post',
    path: '/api/patches/{digest}/approvals',
    summary:
      "record the signed-in approver's own approval: verified as `patchgate approve --approval` verifies it, and by the account signed in",
    params: z.strictObject({ digest: digestParam }),
    body: approvalBody,
    signedIn: true,
    role: 'approver',
    returns: '{ digest, signer, state, approvals, threshold, alreadyApproved, safeSigned[] }',
  },
  queue: {
    method: 'post',
    path: '/api/patches/{digest}/queue',
    summary:
      "schedule the approved patch on the timelock through the Safe (sent by the server's relayer key)",
    params: z.strictObject({ digest: digestParam }),
    signedIn: true,
    role: 'executor',
    returns: '{ digest, state, operationId, eta, txHash } — as `patchgate queue --format json`',
  },
  execute: {
    method: 'post',
    path: '/api/patches/{digest}/execute',
    summary: "execute the queued patch once its delay has passed (sent by the server's relayer key)",
    params: z.strictObject({ digest: digestParam }),
    signedIn: true,
    role: 'executor',
    returns: '{ digest, state, operationId, txHash, already } — as `patchgate execute --format json`',
  },
  logout: {
    method: 'post',
    path: '/api/auth/logout',
    summary: 'end the session',
    returns: '{ ok: true }',
  },
  sourceDiff: {
    method: 'get',
    path: '/api/patches/{digest}/diff',
    summary:
      "the reference's source against the candidate's, as a unified diff — only when the candidate compiled here is the approved code on chain",
    params: z.strictObject({ digest: digestParam }),
    returns:
      '{ reference, candidate, diff, sources: { [file]: text }, verified: { ok, how } } — 409 source-mismatch when the sources are not what was approved',
  },
  reviews: {
    method: 'get',
    path: '/api/patches/{digest}/reviews',
    summary: "the community's signed reviews of a patch, and the Review typed data a reviewer signs",
    params: z.strictObject({ digest: digestParam }),
    returns:
      '{ reviews: { signer, verdict, text, signature, createdAt }[], typedData } — typedData with an empty text',
  },
  review: {
    method: 'post',
    path: '/api/patches/{digest}/reviews',
    summary:
      'post a signed review (no sign-in: the EIP-712 signature is the reviewer); stored, appended to the log',
    params: z.strictObject({ digest: digestParam }),
    body: reviewBody,
    returns:
      '{ review, added, log: { index, root, size } | null } — added false: this signature was posted before',
  },
  submitJob: {
    method: 'post',
    path: '/api/jobs',
    summary:
      'queue a check or simulate of a declared patch (proposer), or a verify or audit (anyone signed in); workers pick it up',
    body: jobRequest,
    signedIn: true,
    returns: '{ id } — follow it at /api/jobs/{id} and /api/jobs/{id}/events',
  },
  job: {
    method: 'get',
    path: '/api/jobs/{id}',
    summary: 'a job: its state, who asked, its retries, its outcome, its stored evidence and what happened',
    params: jobParams,
    returns: '{ id, state, request, by, retries, output, evidence?, events[] }',
  },
  jobEvents: {
    method: 'get',
    path: '/api/jobs/{id}/events',
    summary: "the job's progress as server-sent events (text/event-stream), until it has finished",
    params: jobParams,
    returns: 'events `progress` ({ seq, at, kind, message }) and a last `done` ({ state, output })',
  },
} as const satisfies Record<string, RouteSpec>;

/** At most this many entries per page. */
export const ENTRIES_PAGE = 1000;
