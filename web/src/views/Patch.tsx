/** One patch: its state machine, timelock countdown, approvals, the approve panel, evidence, transactions, verify. */
import type { Hex, PatchDetail, Session } from '../api';
import { approversOf, etaOf, threshold } from '../evidence';
import { ErrorBox, HexText, Loading, Section, useLoad, when } from '../ui';
import { Approve } from './Approve';
import { EvidenceSections } from './Evidence';
import { Jobs } from './Jobs';
import { Countdown, loadPatch, PatchFacts, StateMachine } from './Lifecycle';
import { QueueExecute } from './QueueExecute';
import { SourceDiff, useSourceDiff } from './SourceDiff';

function Approvals({ patch }: { patch: PatchDetail }) {
  const who = approversOf(patch);
  const n = threshold(patch);
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
      {who ? (
        <p>
          Approvers (
          {who.from === 'policy'
            ? "the lane's policy, read by the server"
            : "the Safe's owners, from the simulate report"}
          ): {who.approvers.length}; still to sign:{' '}
          {who.missing.length === 0
            ? 'nobody'
            : who.missing.map((m, i) => (
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

export function Patch({ digest, session }: { digest: Hex; session?: Session }) {
  const loaded = useLoad(() => loadPatch(digest), [digest]);
  const diff = useSourceDiff(digest);
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
      <PatchFacts patch={patch} />
      <p>
        <a href={`#/review/${patch.digest}`}>The public review page</a>{' '}
        <span className="muted">
          — its evidence, log proofs and community reviews, for anyone (no sign-in)
        </span>
      </p>
      {loaded.error !== undefined && <ErrorBox error={loaded.error} />}
      <Section title="State" id="state">
        <StateMachine state={patch.state} />
      </Section>
      <Section title="Timelock" id="timelock">
        <Countdown eta={etaOf(patch, entries)} state={patch.state} />
        <QueueExecute patch={patch} session={session} onDone={loaded.reload} />
      </Section>
      <Section title="Approvals" id="approvals">
        <Approvals patch={patch} />
        {patch.state === 'proposed' || patch.state === 'approved' ? (
          <Approve patch={patch} session={session} onApproved={loaded.reload} />
        ) : null}
      </Section>
      <Section title="Jobs" id="jobs">
        <Jobs patch={patch} session={session} />
      </Section>
      <Section title="Source diff" id="diff">
        <SourceDiff loaded={diff} />
      </Section>
      <EvidenceSections evidence={patch.evidence} sources={diff.value?.sources} />
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
