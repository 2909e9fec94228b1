/** The source around a finding and a link to it that works on GitHub: what a reviewer clicks and reads. */
import type { Finding } from '../../core/finding.js';
import { repositoryPath, type SourcePlacement } from '../placement.js';

/** Where the Markdown report reads source text and links locations to. */
export interface SourceOptions extends SourcePlacement {
  /** The text of a source file as findings name it (relative to rootDir), or undefined when it cannot be read. */
  sourceText?: (file: string) => string | undefined;
  /**
   * The web address of the repository's tree at the commit reviewed, e.g.
   * `https://github.com/OWNER/REPO/blob/SHA`: a location links to `<sourceUrl>/<path>#L<line>`.
   */
  sourceUrl?: string;
}

/** Lines shown before and after the finding's line. */
const CONTEXT = 2;

/**
 * A fixed finding is about the reference (the live version), which need not be the tree at hand: it gets neither
 * excerpt nor link. Neither does a spot outside the repository (a library), which GitHub cannot show.
 */
const ownSpot = (f: Finding, opts: SourceOptions) =>
  f.location !== undefined && f.status !== 'fixed' && (opts.inRepository?.(f.location.file) ?? true);

/** `https://github.com/o/r/blob/sha/examples/vault/src/VaultV2.sol#L42`, or undefined. */
export function sourceLink(f: Finding, opts: SourceOptions): string | undefined {
  if (!opts.sourceUrl || !f.location || !ownSpot(f, opts)) return undefined;
  const path = repositoryPath(f.location.file, opts).split('/').map(encodeURIComponent).join('/');
  return `${opts.sourceUrl.replace(/\/+$/, '')}/${path}#L${Math.max(1, Math.trunc(f.location.line))}`;
}

/**
 * The lines around the finding in a `solidity` fence, the finding's own line marked with `>`, or undefined when
 * the source cannot be read or has no such line. The fence is longer than any backtick run in the lines.
 */
export function sourceExcerpt(f: Finding, opts: SourceOptions): string | undefined {
  if (!opts.sourceText || !f.location || f.status === 'fixed') return undefined;
  const text = opts.sourceText(f.location.file);
  if (text === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  const at = Math.trunc(f.location.line);
  if (at < 1 || at > lines.length) return undefined;
  const from = Math.max(1, at - CONTEXT);
  const to = Math.min(lines.length, at + CONTEXT);
  const width = String(to).length;
  const shown = lines
    .slice(from - 1, to)
    .map((l, i) => `${from + i === at ? '>' : ' '} ${String(from + i).padStart(width)} | ${l.trimEnd()}`);
  const longest = Math.max(
    2,
    ...shown.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))),
  );
  const fence = '`'.repeat(longest + 1);
  return [`${fence}solidity`, ...shown, fence].join('\n');
}
