/**
 * One error type for everything patchgate reports to a person.
 * `code` is stable (used by scripts, typed and documented in docs/errors.md), `shortMessage` names the bad
 * value, `hint` says what to do. The CLI prints `patchgate: <shortMessage>` (+ hint) and exits with `exitCode`,
 * which the code decides (src/core/error-codes.ts): one code, one exit code, everywhere.
 */
import { ERROR_CODES, type ErrorCode, type ErrorCodeWithExit, type ExitCode } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';

export interface PatchgateErrorOptions {
  code: ErrorCode;
  hint?: string;
  details?: string[];
  cause?: unknown;
}

/**
 * Marks a PatchgateError across copies of this module: the CLI runs from its bundle while a config or watch rule
 * imports the package's own build, and an error one copy throws is still the other's.
 */
const BRAND = Symbol.for('patchgate.error');

export class PatchgateError extends Error {
  override readonly name = 'PatchgateError';
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly shortMessage: string;
  readonly hint?: string;
  readonly details: string[];

  constructor(shortMessage: string, opts: PatchgateErrorOptions) {
    super(opts.hint ? `${shortMessage}\n${opts.hint}` : shortMessage, { cause: opts.cause });
    this.code = opts.code;
    this.shortMessage = shortMessage;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }

  /**
   * Exit code per DESIGN.md: 1 when a rule of the process says no (not yet past the timelock delay), 2 for
   * bad usage or input, 3 for environment/internal failures.
   */
  get exitCode(): ExitCode {
    return ERROR_CODES[this.code];
  }
}

/**
 * The request was right and so is the environment, but the process refuses it for now (exit 1): the timelock
 * delay has not passed, the approvals are not in. Running again later, or doing what the hint says, succeeds.
 */
export function blockedError(code: ErrorCodeWithExit<1>, shortMessage: string, hint?: string) {
  return new PatchgateError(shortMessage, { code, hint });
}

/** Bad usage or bad input (exit 2). */
export function inputError(
  code: ErrorCodeWithExit<2>,
  shortMessage: string,
  hint?: string,
  details?: string[],
) {
  return new PatchgateError(shortMessage, { code, hint, details });
}

/** Environment failure: RPC down, compiler crash, unreadable file system (exit 3). */
export function environmentError(
  code: ErrorCodeWithExit<3>,
  shortMessage: string,
  hint?: string,
  cause?: unknown,
) {
  return new PatchgateError(shortMessage, { code, hint, cause });
}

/** A broken promise inside patchgate itself (exit 3): the hint says where to fix it. */
export function internalError(shortMessage: string, hint?: string) {
  return new PatchgateError(shortMessage, { code: 'internal', hint });
}

/**
 * Whether an error is patchgate's own: it then carries a stable `code`, a `shortMessage`, a `hint` and its
 * `exitCode`.
 *
 * @example
 * ```ts
 * try {
 *   await createLifecycle({ rpc: 'localhost:8545' });
 * } catch (e) {
 *   if (isPatchgateError(e)) console.error(e.code, e.exitCode, e.shortMessage); // bad-rpc-url 2 …
 *   else throw e;
 * }
 * ```
 */
export function isPatchgateError(e: unknown): e is PatchgateError {
  return e instanceof PatchgateError || (e instanceof Error && (e as { [BRAND]?: unknown })[BRAND] === true);
}
