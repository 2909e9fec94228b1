/**
 * What a pull request controls reaches the comment — file paths, contract and pair names, messages that quote them,
 * an acknowledgement's reason — so every such string goes through one of these two: no name can close a `<details>`,
 * start raw HTML, mention someone, end its code span early or break a table row.
 */

/** Inline code that its content cannot end: a backquote run longer than any inside, one line, table-safe. */
export function code(s: string): string {
  const text = s.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Text with no HTML, no link or image, no @mention and (in a table cell) no line break or unescaped pipe. Backquotes stay (messages
 * quote names in code): a code span they make holds only escaped text.
 */
export function text(s: string, opts: { cell?: boolean } = {}): string {
  const escaped = s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=[A-Za-z0-9_-])/g, '@\u200b')
    // No link or image of the text's own (`[PASS](…)`, `![…](…)` in a suppression's reason): brackets outside
    // code spans are escaped; inside one they are shown as they are anyway.
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[[\]]/g, (b) => `\\${b}`)))
    .join('');
  return opts.cell ? escaped.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|') : escaped;
}
