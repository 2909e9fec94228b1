/**
 * GitHub refuses a comment longer than 65,536 characters. A report that long first loses its source excerpts
 * (the links stay); if it is still too long it is cut at a line, its open code fence and sections closed, and a
 * note says so and where the full report is.
 */

/** GitHub's limit on a comment body (and an issue or pull-request body). */
export const GITHUB_COMMENT_LIMIT = 65_536;

const note = (total: number) =>
  `\n\n> **Truncated:** this report is ${total.toLocaleString('en-US')} characters, more than a GitHub comment holds. ` +
  'The full report: run the same command with `--format text` or `--format json`, or read the job summary.\n';

/** `full` if it fits, else `lean` (the same report without excerpts) if it fits, else `lean` cut to fit. */
export function fitComment(full: string, lean: () => string, limit = GITHUB_COMMENT_LIMIT): string {
  if (full.length <= limit) return full;
  const shorter = lean();
  if (shorter.length <= limit) return shorter;
  const tail = note(shorter.length);
  // Room for the note and for closing what the cut leaves open (a fence, a few sections).
  const room = limit - tail.length - 200;
  let cut = shorter.slice(0, shorter.lastIndexOf('\n', room));
  const fences = cut.match(/^`{3,}/gm) ?? [];
  if (fences.length % 2 === 1) cut += `\n${fences.at(-1)?.replace(/[^`]/g, '')}`;
  const open = (cut.match(/<details[ >]/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) cut += '\n\n</details>';
  return `${cut}${tail}`;
}
