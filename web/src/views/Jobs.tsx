/**
 * Jobs from the patch page: "Run check" and "Run simulation" for a proposer (by the patch's name), "Verify on
 * chain" for anyone signed in (by its digest) — `POST /api/jobs`, then the progress streamed from
 * `GET /api/jobs/{id}/events` (EventSource: `progress` events, then `done`), then the report the worker stored.
 */
import { useEffect, useState } from 'react';
import {
  ApiError,
  api,
  type JobEvent,
  type JobOutcome,
  type JobRequest,
  type JobView,
  type PatchDetail,
  type Session,
} from '../api';
import { ErrorBox, HexText, when } from '../ui';

interface Started {
  id: string;
  label: string;
}

/** One job followed to its end: its events as they stream, then its outcome and stored report. */
function JobProgress({ id, label }: Started) {
  const [events, setEvents] = useState<JobEvent[]>([]);
  const [view, setView] = useState<JobView>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const source = new EventSource(`/api/jobs/${id}/events`);
    source.addEventListener('progress', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as JobEvent;
      // A reconnected stream starts over: keep each event once.
      setEvents((all) => (all.some((x) => x.seq === e.seq) ? all : [...all, e]));
    });
    source.addEventListener('done', () => {
      source.close(); // else the browser reconnects to a finished stream
      api<JobView>(`/api/jobs/${id}`).then(setView, setError);
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setError(
          new ApiError(0, 'stream', `the progress of job ${id} could not be followed`, 'reload the page'),
        );
      }
    };
    return () => source.close();
  }, [id]);
  const out: JobOutcome | null | undefined = view?.output;
  const findings = view?.evidence?.report.findings;
  return (
    <div className="job" data-testid="job">
      <h3>
        {label} <span className="muted">(job {id})</span>
      </h3>
      <ol className="job-events" aria-live="polite">
        {events.map((e) => (
          <li key={e.seq}>
            <strong>{e.kind}</strong>: {e.message} <span className="muted">({when(e.at)})</span>
          </li>
        ))}
        {!view && error === undefined && <li className="muted">running…</li>}
      </ol>
      {error !== undefined && <ErrorBox error={error} />}
      {view && out?.error && (
        <ErrorBox error={new ApiError(0, out.error.code, out.error.message, out.error.hint)} />
      )}
      {view && !out?.error && (
        <p
          className={view.evidence?.verdict === 'pass' ? 'ok' : 'error'}
          role="status"
          data-testid="job-result"
        >
          Job {view.state}: verdict <strong>{view.evidence?.verdict ?? out?.verdict ?? 'none'}</strong>
          {findings && `, ${findings.length} finding${findings.length === 1 ? '' : 's'}`}
          {view.evidence && (
            <>
              {' '}
              — report <HexText value={view.evidence.reportDigest} /> stored by {view.evidence.worker}
            </>
          )}
          .
        </p>
      )}
    </div>
  );
}

export function Jobs({ patch, session }: { patch: PatchDetail; session?: Session }) {
  const [started, setStarted] = useState<Started[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!session) {
    return (
      <p className="muted">
        Sign in (Connect wallet, at the top) to run jobs: a check or a simulation of this patch for a
        proposer, an on-chain verify for anyone signed in.
      </p>
    );
  }
  const run = async (label: string, request: JobRequest) => {
    setBusy(true);
    setError(undefined);
    try {
      const { id } = await api<{ id: string }>('/api/jobs', { method: 'POST', body: request });
      setStarted((s) => [{ id, label }, ...s]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const proposer = session.roles?.includes('proposer') && patch.name !== undefined;
  const name = patch.name ?? '';
  return (
    <>
      <p className="buttons">
        {proposer && (
          <>
            <button
              type="button"
              disabled={busy}
              onClick={() => run(`Check of ${name}`, { kind: 'check', patch: name })}
            >
              Run check
            </button>{' '}
            <button
              type="button"
              disabled={busy}
              onClick={() => run(`Simulation of ${name}`, { kind: 'simulate', patch: name })}
            >
              Run simulation
            </button>{' '}
          </>
        )}
        <button
          type="button"
          disabled={busy}
          onClick={() => run('Verify on chain', { kind: 'verify', digest: patch.digest })}
        >
          Verify on chain
        </button>
      </p>
      {!proposer && (
        <p className="muted">
          {patch.name === undefined
            ? 'The store names no declared patch for this digest: only verify runs from here.'
            : 'Checks and simulations are for proposers (the Safe’s owners, or the config’s list).'}
        </p>
      )}
      {error !== undefined && <ErrorBox error={error} />}
      {started.map((j) => (
        <JobProgress key={j.id} {...j} />
      ))}
    </>
  );
}
