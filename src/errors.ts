/**
 * One error type for everything patchgate reports to a person.
 * `code` is stable (used by scripts), `shortMessage` names the bad value, `hint` says what to do.
 * The CLI prints `patchgate: <shortMessage>` (+ hint) and exits with `exitCode`.
 */
export type ErrorKind = 'usage' | 'input' | 'environment' | 'internal';

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

  /** Exit code per DESIGN.md: 2 for bad usage or input, 3 for environment/internal failures. */
  get exitCode(): 2 | 3 {
    return this.kind === 'usage' || this.kind === 'input' ? 2 : 3;
  }
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
