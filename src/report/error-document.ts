/**
 * What a failed run prints on stdout when a machine asked for `--format json|sarif` (DESIGN.md, fixed
 * contracts): the same document shape as a report, with `verdict: "error"` (exit 2 or 3) or `"fail"` (exit 1,
 * a rule said no) and the error's code, message and hint — so a pipeline that parses stdout never parses
 * nothing. SARIF carries it as a tool execution notification.
 */
import type { ErrorCode } from '../core/error-codes.js';
import { VERSION } from '../core/version.js';
import { sarifDriver } from './sarif/findings.js';

export interface ErrorFields {
  code: ErrorCode;
  message: string;
  hint?: string;
  /** Extra lines of context (the compiler's full message, each refused approval). */
  details?: string[];
}

export function errorDocument(format: 'json' | 'sarif', error: ErrorFields, exitCode: number): string {
  const verdict = exitCode === 1 ? 'fail' : 'error';
  if (format === 'json') {
    const doc = { tool: { name: 'patchgate', version: VERSION }, verdict, exitCode, error };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver(VERSION) },
        invocations: [
          {
            executionSuccessful: false,
            exitCode,
            toolExecutionNotifications: [
              {
                level: 'error',
                descriptor: { id: error.code },
                message: { text: error.hint ? `${error.message} (${error.hint})` : error.message },
              },
            ],
          },
        ],
        results: [],
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** An option's value as the raw arguments give it (the parse itself may have failed); the last one wins. */
export function requestedOption(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === name) value = argv[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

/** The `--format` a command line asked for. */
export function requestedFormat(argv: readonly string[]): string | undefined {
  return requestedOption(argv, '--format');
}
