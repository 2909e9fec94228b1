/** One patch: its state machine, timelock countdown, approvals, the approve panel, evidence, transactions, verify. */
import { useEffect, useState } from 'react';
import {
  allEntries,
  api,
  type Hex,
  type LogHead,
  type PatchDetail,
  type PatchState,
  type Session,
} from '../api';
import { etaOf, patchEntries, safeOf, threshold } from '../evidence';
import { duration, ErrorBox, HexText, Loading, Section, useLoad, when } from '../ui';
import { Approve } from './Approve';
import { EvidenceSections } from './Evidence';

const STATES: PatchState[] = ['proposed', 'approved', 'queued', 'executed', 'verified'];

function StateMachine({ state }: { state: PatchState }) {
  const at = STATES.indexOf(state);
  return (
    <>
      <ol className="states" aria-label="Lifecycle">
        {STATES.map((s, i) => (
          <li
            key={s}
            className={i < at ? 'done' : i === at ? 'current' : 'todo'}
            aria-current={i === at ? 'step' : undefined}
          >
            {s}
            {i === at && <span className="sr-only"> (current)</span>}
          </li>
        ))}
      </ol>
      {state === 'cancelled' && <p className="error">This patch was cancelled.</p>}
    </>
  );
}

/** The timelock's ETA, ticking each second against this computer's clock. */
function Countdown({ eta, state }: { eta?: number; state: PatchState }) {
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(t);
  }, []);
  if (eta === undefined) {
    return (
      <p>{STATES.indexOf(state) < 2 ? 'Not queued yet: no timelock ETA.' : 'No queue entry in the log.'}</p>
    );
  }
  const left = eta - now;
  const done = state === 'executed' || state === 'verified';
  return (
    <div>
      <p>
        ETA{' '}
        <time dateTime={new Date(eta * 1000).toISOString()}>{when(new Date(eta * 1000).toISOString())}</time>{' '}
        <span className="muted">(from the log's queued entry; against this computer's clock)</span>
      </p>
      <p className="countdown" role="timer" data-testid="countdown">
        {done
          ? 'Executed.'
          : left > 0
            ? `Executable in ${duration(left)}`
            : `Executable now (the delay ended ${duration(-left)} ago)`}
      </p>
    </div>
  );
}

function Approvals({ patch }: { patch: PatchDetail }) {
  const safe = safeOf(patch.evidence.simulate);
  const n = threshold(patch);
  const signed = new Set(patch.approvals.map((a) => a.signer.toLowerCase()));
  const missing = safe?.owners.filter((o) => !signed.has(o.toLowerCase())) ?? [];
  return (
    <>
      <p className="big" data-testid="approval-count">
        {patch.approvals.length}/{n ?? '?'} approvals
      </p>
      {patch.approvals.length > 0 && (
        <ul>
          {patch.approvals.map((a) => (
            <li key={a.signer}>
              <HexText value={a.signer} keep={42} /> signed (expires{' '}
              {when(new Date(Number(a.expiry) * 1000).toISOString())})
              {a.valid === false && <strong> — not valid now: {a.reason}</strong>}
            </li>
          ))}
        </ul>
      )}
      {safe ? (
        <p>
          Approvers (the Safe's owners, from the simulate report): {safe.owners.length}; still to sign:{' '}
          {missing.length === 0
            ? 'nobody'
            : missing.map((m, i) => (
                <span key={m}>
                  {i > 0 && ', '}
                  <HexText value={m} keep={42} />
                </span>
              ))}
        </p>
      ) : (
        <p className="muted">The evidence names no approver set.</p>
      )}
      <p className="muted">
        Safe signatures collected: {patch.safeSignatures.filter((s) => s.purpose === 'schedule').length}{' '}
        schedule, {patch.safeSignatures.filter((s) => s.purpose === 'execute').length} execute.
      </p>
    </>
  );
}

async function loadPatch(digest: Hex) {
  const patch = await api<PatchDetail>(`/api/patches/${digest}`);
  const head = await api<LogHead>('/api/log/head');
  const entries = patchEntries(await allEntries(head.size), digest);
  return { patch, entries };
}

export function Patch({
  digest,
  session,
  setSession,
}: {
  digest: Hex;
  session?: Session;
  setSession: (s?: Session) => void;
}) {
  const loaded = useLoad(() => loadPatch(digest), [digest]);
  if (!loaded.value) {
    return (
      <>
        <h1>Patch</h1>
        {loaded.loading && <Loading what="the patch" />}
        {loaded.error !== undefined && <ErrorBox error={loaded.error} />}
      </>
    );
  }
  const { patch, entries } = loaded.value;
  const verified = entries.filter((e) => e.kind === 'verified').at(-1);
  const txs = patch.history.filter((h) => h.txHash);
  return (
    <>
      <h1>
        {patch.name ?? 'Patch'} <span className={`state state-${patch.state}`}>{patch.state}</span>
      </h1>
      <dl className="facts">
        <dt>Digest</dt>
        <dd>
          <code className="wrap">{patch.digest}</code>
        </dd>
        <dt>Lane</dt>
        <dd>{patch.lane}</dd>
        <dt>Chain</dt>
        <dd>{patch.chainId}</dd>
        <dt>Proxy</dt>
        <dd>
          <HexText value={patch.proxy} keep={42} />
        </dd>
        <dt>New implementation</dt>
        <dd>
          <HexText value={patch.implementation} keep={42} />
        </dd>
      </dl>
      {loaded.error !== undefined && <ErrorBox error={loaded.error} />}
      <Section title="State" id="state">
        <StateMachine state={patch.state} />
      </Section>
      <Section title="Timelock" id="timelock">
        <Countdown eta={etaOf(entries)} state={patch.state} />
      </Section>
      <Section title="Approvals" id="approvals">
        <Approvals patch={patch} />
        {patch.state === 'proposed' || patch.state === 'approved' ? (
          <Approve patch={patch} session={session} setSession={setSession} onApproved={loaded.reload} />
        ) : null}
      </Section>
      <EvidenceSections evidence={patch.evidence} />
      <Section title="Transactions" id="transactions">
        {txs.length === 0 ? (
          <p>No transaction sent yet.</p>
        ) : (
          <ul>
            {txs.map((h) => (
              <li key={`${h.to}:${h.txHash}`}>
                {h.from} → {h.to}: <HexText value={h.txHash ?? ''} keep={66} />{' '}
                <span className="muted">({when(h.at)})</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Verify" id="verify">
        {verified ? (
          <p data-testid="verify-result">
            Verified at block {verified.blockNumber}: the proxy runs{' '}
            <HexText value={verified.implementation ?? ''} keep={42} /> whose code hash{' '}
            <HexText value={verified.codehash ?? ''} /> is the audited build
            {verified.codehash === patch.record.codehash ? (
              ', the one approved.'
            ) : (
              <strong>, NOT the approved {patch.record.codehash}.</strong>
            )}
          </p>
        ) : (
          <p>Not verified yet.</p>
        )}
      </Section>
      <Section title="In the transparency log" id="log-entries">
        {entries.length === 0 ? (
          <p>No log entry about this patch yet.</p>
        ) : (
          <ul>
            {entries.map((e) => (
              <li key={e.index}>
                <a href={`#/log?index=${e.index}`}>
                  entry {e.index}: {e.kind}
                  {e.stage ? ` ${e.stage}` : ''}
                  {e.signer ? ` by ${e.signer}` : ''}
                </a>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}
