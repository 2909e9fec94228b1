/**
 * The patch's source diff: the reference's file against the candidate's, as the server serves it — only when the
 * candidate compiled there is the code the patch approved (409 source-mismatch otherwise, shown as the error).
 * Lines are rendered as text, never as HTML.
 */
import type { Hex } from '../api';
import { api } from '../api';
import { ErrorBox, type Loaded, Loading, useLoad } from '../ui';

export interface Diff {
  reference: string;
  candidate: string;
  diff: string;
  /** The reference's and the candidate's files whole, by source name: findings' excerpts come from them. */
  sources: Record<string, string>;
  verified: { ok: boolean; how: string };
}

/** The patch's diff, loaded once for the diff view and the findings' excerpts. */
export const useSourceDiff = (digest: Hex) =>
  useLoad(() => api<Diff>(`/api/patches/${digest}/diff`), [digest]);

const lineClass = (line: string) =>
  line.startsWith('+++') || line.startsWith('---')
    ? 'diff-file'
    : line.startsWith('@@')
      ? 'diff-hunk'
      : line.startsWith('+')
        ? 'diff-add'
        : line.startsWith('-')
          ? 'diff-del'
          : undefined;

export function SourceDiff({ loaded }: { loaded: Loaded<Diff> }) {
  if (loaded.error !== undefined) return <ErrorBox error={loaded.error} />;
  if (!loaded.value) return <Loading what="the source diff" />;
  const d = loaded.value;
  const lines = d.diff.split('\n').filter((l) => !l.startsWith('====='));
  return (
    <>
      <p data-testid="diff-verified" className={d.verified.ok ? undefined : 'warn'}>
        {d.verified.ok ? 'Verified: ' : 'Not verified: '}
        {d.verified.how}
      </p>
      <p>
        {d.reference} → {d.candidate}
      </p>
      <pre className="diff" data-testid="source-diff">
        {lines.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff's lines are positional
          <span key={i} className={lineClass(line)}>
            {line}
            {'\n'}
          </span>
        ))}
      </pre>
    </>
  );
}
