/**
 * Suppression in source: a comment on the finding's line or on the comment lines right above it.
 *
 *   // patchgate-disable-next-line scan-tx-origin -- the owner is a cold EOA by design (audit 2026-03, §4.2)
 *   require(tx.origin == owner);
 *   x.call(data); // patchgate-disable-line scan-unchecked-call -- best-effort ping, failure is fine
 *
 * The reason after ` -- ` is required: a comment without one suppresses nothing, and the finding says so.
 * Several ids are separated by commas.
 */

export interface SourceSuppression {
  reason: string;
  /** 1-based line of the comment. */
  line: number;
}

export type SuppressionLookup =
  | { kind: 'suppressed'; suppression: SourceSuppression }
  | { kind: 'no-reason'; line: number }
  | { kind: 'none' };

const DIRECTIVE =
  /^\/\/\s*patchgate-disable-(next-line|line)\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)(?:\s+--\s*(.*))?$/;

/**
 * The `//` comment that ends a line, read past string literals and block comments: a directive counts only in a
 * comment — `require(ok, "// patchgate-disable-line scan-tx-origin -- x")` holds one in a string, which is code.
 */
export function lineComment(text: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '/' && text[i + 1] === '/') return text.slice(i);
    else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined; // the rest of the line is a block comment
      i = end + 1;
    }
  }
  return undefined;
}

interface Directive {
  next: boolean;
  ids: string[];
  reason: string;
  line: number;
}

function directiveOn(text: string | undefined, line: number): Directive | undefined {
  const comment = lineComment(text ?? '');
  const m = comment === undefined ? null : DIRECTIVE.exec(comment.trimEnd());
  if (!m) return undefined;
  return {
    next: m[1] === 'next-line',
    ids: (m[2] ?? '').split(',').map((s) => s.trim()),
    reason: (m[3] ?? '').trim(),
    line,
  };
}

const isCommentOnly = (text: string | undefined) => /^\s*\/\//.test(text ?? '');

/** The suppression that applies to finding `id` at 1-based `line` of `content`. */
export function suppressionAt(content: string, line: number, id: string): SuppressionLookup {
  const lines = content.split('\n');
  const candidates: Directive[] = [];
  const same = directiveOn(lines[line - 1], line);
  if (same && !same.next) candidates.push(same);
  // The comment lines directly above: a next-line directive among them (others may explain it).
  for (let i = line - 2; i >= 0 && isCommentOnly(lines[i]); i--) {
    const d = directiveOn(lines[i], i + 1);
    if (d?.next) candidates.push(d);
  }
  const named = candidates.find((d) => d.ids.includes(id));
  if (!named) return { kind: 'none' };
  return named.reason
    ? { kind: 'suppressed', suppression: { reason: named.reason, line: named.line } }
    : { kind: 'no-reason', line: named.line };
}
