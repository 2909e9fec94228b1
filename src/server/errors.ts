/**
 * Errors over HTTP: the CLI's `{code, message, hint}` with its stable codes (docs/errors.md), and an HTTP status from
 * the exit code the code carries — 2 (bad input) is 400, or 404 for a thing that does not exist; 3 (the environment,
 * or patchgate itself) is 500 and says no more than the CLI would print.
 */
import { type ErrorCode, isPatchgateError } from '../core/errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint?: string };
}

const NOT_FOUND: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['unknown-patch', 'unknown-route']);
/** Who the caller is could not be established: 401. */
const UNAUTHENTICATED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'siwe-invalid',
  'siwe-nonce-invalid',
  'siwe-signature-invalid',
  'not-signed-in',
]);

export function errorResponse(e: unknown): { status: 400 | 401 | 404 | 409 | 500; body: ErrorBody } {
  if (isPatchgateError(e)) {
    const status = NOT_FOUND.has(e.code)
      ? 404
      : UNAUTHENTICATED.has(e.code)
        ? 401
        : e.exitCode === 2
          ? 400
          : e.exitCode === 1
            ? 409
            : 500;
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
