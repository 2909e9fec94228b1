import { accessSync, constants, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inputError } from '../core/errors.js';
import { reportJson } from './json/index.js';
import { renderMarkdown } from './markdown/index.js';
import type { Report } from './report.js';
import { renderSarif } from './sarif/index.js';
import { renderText } from './text/index.js';

export type { Report } from './report.js';

export const FORMATS = ['text', 'json', 'md', 'sarif'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** A `--format` value as a report format (commander's choices normally refuse a bad one first). */
export function reportFormat(value: string): ReportFormat {
  const format = FORMATS.find((f) => f === value);
  if (!format) throw inputError('usage', `unknown --format ${value}`, `use one of: ${FORMATS.join(', ')}`);
  return format;
}

export interface RenderOptions {
  /** ANSI colors in the text format (the CLI sets it for a TTY only). */
  color?: boolean;
  /** The project directory: the base of relative and absolute source paths (and SARIF's `%SRCROOT%` unless
   * `sourceRoot` is given). */
  rootDir?: string;
  /** SARIF: the repository's top level, which URIs are relative to (GitHub resolves them from there). */
  sourceRoot?: string;
  /** SARIF and Markdown: whether a source path is a file of the repository (else the result is placed at the
   * candidate, and Markdown gives it no link). */
  inRepository?: (file: string) => boolean;
  /** Markdown: a source file's text (path as findings carry it), for the lines shown under each finding. */
  sourceText?: (file: string) => string | undefined;
  /** Markdown: the repository's tree at the reviewed commit (`https://github.com/OWNER/REPO/blob/SHA`); each
   * location links to `<sourceUrl>/<path from sourceRoot>#L<line>`. */
  sourceUrl?: string;
}

/**
 * A report as text, JSON, Markdown or SARIF 2.1.0, as the CLI's `--format` prints it.
 *
 * @example
 * ```ts
 * writeFileSync('check.sarif', renderReport(report, 'sarif', { rootDir: process.cwd() }));
 * ```
 */
export function renderReport(report: Report, format: ReportFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return reportJson(report);
    case 'md': {
      const { color: _color, ...source } = opts;
      return renderMarkdown(report, source);
    }
    case 'sarif':
      return renderSarif(report, {
        ...(opts.rootDir !== undefined ? { rootDir: opts.rootDir } : {}),
        ...(opts.sourceRoot !== undefined ? { sourceRoot: opts.sourceRoot } : {}),
        ...(opts.inRepository ? { inRepository: opts.inRepository } : {}),
      });
    case 'text':
      return renderText(report, { color: opts.color ?? false });
  }
}

/**
 * Write to a file atomically (a temp file beside it, then rename: a reader never sees half a report),
 * or to stdout when no file is given.
 */
/**
 * Before a command acts (sends a transaction, records an approval): will `--out` be writable at the end? A
 * report that cannot be written after the step was done would say "bad input" about a step that happened.
 */
export function assertWritableOut(outFile?: string): void {
  if (!outFile) return;
  const dir = dirname(resolve(outFile));
  try {
    if (existsSync(outFile) && statSync(outFile).isDirectory())
      throw Object.assign(new Error(), { code: 'EISDIR' });
    accessSync(dir, constants.W_OK);
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (e) {
    throw inputError(
      'out-unwritable',
      `cannot write --out ${outFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'pass a path in an existing, writable directory (nothing was done)',
    );
  }
}

export function writeOutput(text: string, outFile?: string): void {
  if (!outFile) {
    process.stdout.write(text);
    return;
  }
  const tmp = `${outFile}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, outFile);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw inputError(
      'out-unwritable',
      `cannot write --out ${outFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'pass a path in an existing, writable directory',
    );
  }
}
