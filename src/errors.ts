/**
 * One error type for everything patchgate reports to a person.
 * `code` is stable (used by scripts), `shortMessage` names the bad value, `hint` says what to do.
 * The CLI prints `patchgate: <shortMessage>` (+ hint) and exits with `exitCode`.
 */
export type ErrorKind = 'blocked' | 'usage' | 'input' | 'environment' | 'internal';

export interface PatchgateErrorOptions {
  code: string;
  kind: ErrorKind;
  hint?: string;
  details?: string[];
  cause?: unknown;
}

export class PatchgateError extends Error {
  override readonly name = 'PatchgateError';
  readonly code: string;
  readonly kind: ErrorKind;
  readonly shortMessage: string;
  readonly hint?: string;
  readonly details: string[];

  constructor(shortMessage: string, opts: PatchgateErrorOptions) {
    super(opts.hint ? `${shortMessage}\n${opts.hint}` : shortMessage, { cause: opts.cause });
    this.code = opts.code;
    this.kind = opts.kind;
    this.shortMessage = shortMessage;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }

  /**
   * Exit code per DESIGN.md: 1 when a rule of the process says no (not yet past the timelock delay), 2 for
   * bad usage or input, 3 for environment/internal failures.
   */
  get exitCode(): 1 | 2 | 3 {
    if (this.kind === 'blocked') return 1;
    return this.kind === 'usage' || this.kind === 'input' ? 2 : 3;
  }
}

/**
 * The request was right and so is the environment, but the process refuses it for now (exit 1): the timelock
 * delay has not passed, the approvals are not in. Running again later, or doing what the hint says, succeeds.
 */
export function blockedError(code: string, shortMessage: string, hint?: string) {
  return new PatchgateError(shortMessage, { code, kind: 'blocked', hint });
}

/** Bad usage or bad input (exit 2). */
export function inputError(code: string, shortMessage: string, hint?: string, details?: string[]) {
  return new PatchgateError(shortMessage, { code, kind: 'input', hint, details });
}

/** Environment failure: RPC down, compiler crash, unreadable file system (exit 3). */
export function environmentError(code: string, shortMessage: string, hint?: string, cause?: unknown) {
  return new PatchgateError(shortMessage, { code, kind: 'environment', hint, cause });
}

export function isPatchgateError(e: unknown): e is PatchgateError {
  return e instanceof PatchgateError;
}
