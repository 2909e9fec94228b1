/**
 * Errors over HTTP: the CLI's `{code, message, hint}` with its stable codes (docs/errors.md), and an HTTP status from
 * the exit code the code carries — 2 (bad input) is 400, or 404 for a thing that does not exist; 3 (the environment,
 * or patchgate itself) is 500 and says no more than the CLI would print.
 */
import { type ErrorCode, isPatchgateError } from '../core/errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint?: string };
}

const NOT_FOUND: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'unknown-patch',
  'unknown-route',
  'unknown-job',
]);
/** Who the caller is could not be established: 401. */
const UNAUTHENTICATED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'siwe-invalid',
  'siwe-nonce-invalid',
  'siwe-signature-invalid',
  'not-signed-in',
]);

/** Who the caller is was established, and it may not do this: 403. */
const FORBIDDEN: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'role-missing',
  'approval-signer-mismatch',
  'cross-origin-request',
  'patch-embargoed',
]);
/** This server was not started with what the route needs (a chain, a relayer key), or is at a limit: 503. */
const UNAVAILABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'server-read-only',
  'relayer-missing',
  'job-queue-missing',
  'server-busy',
]);

export type HttpStatus = 400 | 401 | 403 | 404 | 409 | 500 | 503;

function statusOf(code: ErrorCode, exitCode: number): HttpStatus {
  if (NOT_FOUND.has(code)) return 404;
  if (UNAUTHENTICATED.has(code)) return 401;
  if (FORBIDDEN.has(code)) return 403;
  if (UNAVAILABLE.has(code)) return 503;
  if (exitCode === 2) return 400;
  return exitCode === 1 ? 409 : 500;
}

export function errorResponse(e: unknown): { status: HttpStatus; body: ErrorBody } {
  if (isPatchgateError(e)) {
    const status = statusOf(e.code, e.exitCode);
    return {
      status,
      body: { error: { code: e.code, message: e.shortMessage, ...(e.hint ? { hint: e.hint } : {}) } },
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: 'internal',
        message: 'internal error',
        hint: 'this is a bug in patchgate or in a library it uses; the server log has the details',
      },
    },
  };
}
