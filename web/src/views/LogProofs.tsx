/**
 * A patch's log entries, each with its inclusion proof verified in this browser (merkle.ts: the leaf hashed from
 * the entry's text, the audit path folded with WebCrypto) against the head's root — or a root the reader pastes.
 */
import { useEffect, useId, useState } from 'react';
import { api, type InclusionProof, type LogHead, type LogRecord } from '../api';
import type { PatchEntry } from '../evidence';
import { type InclusionResult, verifyInclusion } from '../merkle';

/** Proofs fetched this many at a time. */
const AT_ONCE = 4;

async function proveOne(record: LogRecord, head: LogHead, root: string): Promise<InclusionResult> {
  const p = await api<InclusionProof>(`/api/log/proof/${record.index}?size=${head.size}`);
  if (p.index !== record.index || p.size !== head.size) {
    return {
      ok: false,
      reason: `the server sent a proof for entry ${p.index} of ${p.size}, not ${record.index} of ${head.size}`,
    };
  }
  return verifyInclusion({
    entry: record.entry,
    index: record.index,
    size: head.size,
    proof: p.proof,
    trustedRoot: root,
  });
}

export function LogProofs({
  entries,
  records,
  head,
}: {
  entries: PatchEntry[];
  /** The entries' text as the log holds it, by index: what is hashed. */
  records: Map<number, LogRecord>;
  head: LogHead;
}) {
  const [root, setRoot] = useState<string>(head.root);
  const [results, setResults] = useState<Map<number, InclusionResult>>(new Map());
  const rootId = useId();
  useEffect(() => {
    let live = true;
    setResults(new Map());
    const queue = [...entries];
    const worker = async () => {
      for (let e = queue.shift(); e && live; e = queue.shift()) {
        const record = records.get(e.index);
        const r: InclusionResult = record
          ? await proveOne(record, head, root.trim()).catch((err: unknown) => ({
              ok: false as const,
              reason: `no proof: ${(err as Error).message}`,
            }))
          : { ok: false, reason: 'the entry was not in the log the page read' };
        if (live) setResults((m) => new Map(m).set(e.index, r));
      }
    };
    void Promise.all(Array.from({ length: AT_ONCE }, worker));
    return () => {
      live = false;
    };
  }, [entries, records, head, root]);
  if (entries.length === 0) return <p>No log entry about this patch yet.</p>;
  const verified = [...results.values()].filter((r) => r.ok).length;
  return (
    <>
      <p data-testid="proofs-summary" aria-live="polite">
        {verified} of {entries.length} entries verified in this browser against root{' '}
        <code className="wrap">{root}</code> (tree of {head.size})
        {results.size === entries.length && verified < entries.length && (
          <strong> — {entries.length - verified} NOT verified</strong>
        )}
        .
      </p>
      <label htmlFor={rootId}>
        Root to verify against (the head's; paste one from a signed head you trust)
      </label>
      <input id={rootId} value={root} onChange={(e) => setRoot(e.target.value)} spellCheck={false} />
      <ul className="proofs">
        {entries.map((e) => {
          const r = results.get(e.index);
          return (
            <li key={e.index} data-testid="log-entry">
              <a href={`#/log?index=${e.index}`}>
                entry {e.index}: {e.kind}
                {e.stage ? ` ${e.stage}` : ''}
              </a>{' '}
              {!r ? (
                <span className="muted">verifying…</span>
              ) : r.ok ? (
                <span className="proof-ok">✓ included</span>
              ) : (
                <strong className="proof-bad">✗ {r.reason}</strong>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
