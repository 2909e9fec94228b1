import { renameSync, writeFileSync } from 'node:fs';
import type { Report } from '../analyze/finding.js';
import { inputError } from '../errors.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export const FORMATS = ['text', 'json', 'md', 'sarif'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export function renderReport(
  report: Report,
  format: ReportFormat,
  opts: { color?: boolean; rootDir?: string } = {},
): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'md':
      return renderMarkdown(report);
    case 'sarif':
      return renderSarif(report, { rootDir: opts.rootDir });
    default:
      return renderText(report, { color: opts.color ?? false });
  }
}

/** Write to a file atomically (temp + rename), or to stdout. */
export function writeOutput(text: string, outFile?: string): void {
  if (!outFile) {
    process.stdout.write(text);
    return;
  }
  const tmp = `${outFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, outFile);
  } catch (e) {
    throw inputError(
      'out-unwritable',
      `cannot write --out ${outFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'pass a path in an existing, writable directory',
    );
  }
}
