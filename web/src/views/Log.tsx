/**
 * The transparency log: its head, its entries page by page, and one entry's inclusion proof verified here — the leaf
 * hashed from the entry's text and the audit path folded to a root with WebCrypto, compared with a root the reader
 * trusts (the head's, unless they paste one from a signed head).
 */
import { useId, useState } from 'react';
import { hexToBytes, recoverMessageAddress } from 'viem';
import { api, type InclusionProof, type LogHead, type LogRecord } from '../api';
import { type InclusionResult, verifyInclusion } from '../merkle';
import { ErrorBox, HexText, Loading, Section, useLoad } from '../ui';

const PAGE = 20;

function ProofCheck({ record, head }: { record: LogRecord; head: LogHead }) {
  const [trusted, setTrusted] = useState<string>(head.root);
  const [result, setResult] = useState<InclusionResult>();
  const [error, setError] = useState<unknown>();
  const rootId = useId();
  const verify = async () => {
    setResult(undefined);
    setError(undefined);
    try {
      const p = await api<InclusionProof>(`/api/log/proof/${record.index}?size=${head.size}`);
      if (p.index !== record.index || p.size !== head.size) {
        setResult({
          ok: false,
          reason: `the server sent a proof for entry ${p.index} of ${p.size}, not ${record.index} of ${head.size}`,
        });
        return;
      }
      setResult(
        await verifyInclusion({
          entry: record.entry,
          index: record.index,
          size: head.size,
          proof: p.proof,
          trustedRoot: trusted.trim(),
        }),
      );
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="proof">
      <h3>Entry {record.index}</h3>
      <pre className="entry">{record.entry}</pre>
      <label htmlFor={rootId}>
        Root to verify against (the head's; paste one from a signed head you trust)
      </label>
      <input id={rootId} value={trusted} onChange={(e) => setTrusted(e.target.value)} spellCheck={false} />
      <p>
        <button type="button" onClick={verify}>
          Verify inclusion in this browser
        </button>
      </p>
      {error !== undefined && <ErrorBox error={error} />}
      {result?.ok && (
        <p className="ok" role="status" data-testid="proof-result">
          ✓ Verified against root {result.root} (tree of {head.size} entries): leaf {result.leafHash} computed
          here from the entry's text.
        </p>
      )}
      {result && !result.ok && (
        <p className="error" role="alert" data-testid="proof-result">
          ✗ Not verified: {result.reason}
        </p>
      )}
    </div>
  );
}

/**
 * A signed head's signature, checked here: the checkpoint text (`origin\nsize\nbase64(root)\ntimestamp\n`, as
 * `patchgate log head` signs it) must recover to the signer it names. Which signer to trust is the reader's call.
 */
function HeadSignature({ head }: { head: LogHead }) {
  const check = useLoad(async () => {
    if (!head.signed || !head.signature || !head.signer || !head.timestamp) return undefined;
    const root = btoa(String.fromCharCode(...hexToBytes(head.root)));
    const message = `${head.origin}\n${head.size}\n${root}\n${head.timestamp}\n`;
    const recovered = await recoverMessageAddress({ message, signature: head.signature });
    return recovered.toLowerCase() === head.signer.toLowerCase();
  }, [head]);
  if (!head.signed)
    return <p className="muted">This server signs no head (it has no log key): the root is its word.</p>;
  if (check.error !== undefined) {
    return (
      <p data-testid="head-signature" className="warn">
        ✗ The head's signature could not be checked.
      </p>
    );
  }
  if (check.value === undefined) return <Loading what="the head's signature" />;
  return (
    <p data-testid="head-signature" className={check.value ? undefined : 'warn'}>
      {check.value ? '✓ Signed by ' : '✗ The signature does not recover to '}
      <code className="wrap">{head.signer}</code> at {head.timestamp}
      {check.value ? ' — checked in this browser.' : '.'}
    </p>
  );
}

export function Log({ selected }: { selected?: number }) {
  const head = useLoad(() => api<LogHead>('/api/log/head'), []);
  const size = head.value?.size ?? 0;
  const [page, setPage] = useState(() => (selected !== undefined ? Math.floor(selected / PAGE) : 0));
  const from = page * PAGE;
  const entries = useLoad(
    () =>
      size === 0
        ? Promise.resolve({ entries: [] as LogRecord[] })
        : api<{ entries: LogRecord[] }>(`/api/log/entries?from=${from}&to=${Math.min(size, from + PAGE)}`),
    [from, size],
  );
  const chosen = entries.value?.entries.find((r) => r.index === selected);
  const pages = Math.max(1, Math.ceil(size / PAGE));
  return (
    <>
      <h1>Transparency log</h1>
      {head.error !== undefined && <ErrorBox error={head.error} />}
      {head.value && (
        <dl className="facts">
          <dt>Origin</dt>
          <dd>{head.value.origin}</dd>
          <dt>Size</dt>
          <dd data-testid="log-size">{head.value.size}</dd>
          <dt>Root</dt>
          <dd>
            <code className="wrap">{head.value.root}</code>
          </dd>
        </dl>
      )}
      {head.value && <HeadSignature head={head.value} />}
      {head.value && chosen && (
        <Section title="Inclusion proof" id="proof">
          <ProofCheck key={chosen.index} record={chosen} head={head.value} />
        </Section>
      )}
      <Section title="Entries" id="entries">
        {entries.loading && !entries.value && <Loading what="the entries" />}
        {entries.error !== undefined && <ErrorBox error={entries.error} />}
        {entries.value && (
          <ol className="entries" start={from}>
            {entries.value.entries.map((r) => {
              let e: { kind?: string; digest?: string } = {};
              try {
                e = JSON.parse(r.entry) as typeof e;
              } catch {
                // shown as '?': the proof check still hashes the text as it is
              }
              return (
                <li key={r.index} value={r.index}>
                  <a href={`#/log?index=${r.index}`} aria-current={r.index === selected ? 'true' : undefined}>
                    {e.kind ?? '?'}
                  </a>{' '}
                  {e.digest && <HexText value={e.digest} />}
                </li>
              );
            })}
          </ol>
        )}
        <nav aria-label="Log pages" className="pager">
          <button type="button" onClick={() => setPage((p) => p - 1)} disabled={page === 0}>
            Previous
          </button>
          <span>
            Page {page + 1} of {pages}
          </span>
          <button type="button" onClick={() => setPage((p) => p + 1)} disabled={page + 1 >= pages}>
            Next
          </button>
        </nav>
      </Section>
    </>
  );
}
