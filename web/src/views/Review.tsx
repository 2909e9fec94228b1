/**
 * The public review page of one patch (`#/review/{digest}`), for anyone — no sign-in: what the patch does and the
 * evidence in brief, the timelock countdown, its log entries with their inclusion proofs verified in this browser,
 * and the community's signed reviews, with a form to sign one.
 */
import { api, type Hex, type PatchDetail, type Report, type ReviewList } from '../api';
import { etaOf, invariants, type PatchEntry, pocs, threshold } from '../evidence';
import { ErrorBox, Loading, Section, useLoad } from '../ui';
import { Countdown, loadPatch, PatchFacts, StateMachine } from './Lifecycle';
import { LogProofs } from './LogProofs';
import { Reviews } from './Reviews';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

function CheckSummary({ check }: { check?: Report }) {
  if (!check) return <li>Check: no report in the evidence.</li>;
  const findings = check.findings ?? [];
  const bySeverity = SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const blocking = findings.filter((f) => f.blocking).length;
  return (
    <li data-testid="summary-check">
      Check: <strong>{check.verdict ?? 'unknown'}</strong>, {findings.length} finding
      {findings.length === 1 ? '' : 's'}
      {bySeverity.length > 0 && ` (${bySeverity.join(', ')})`}
      {blocking > 0 && <strong>, {blocking} blocking</strong>}.
    </li>
  );
}

function SimulationSummary({ sim }: { sim?: Report }) {
  if (!sim) return <li>Simulation: no report in the evidence.</li>;
  const inv = invariants(sim);
  const held = inv.filter((v) => /^(hold|held|pass|ok)/i.test(v.after)).length;
  return (
    <li data-testid="summary-simulate">
      Simulation: <strong>{sim.verdict ?? 'unknown'}</strong>
      {pocs(sim).map((p) => (
        <span key={p.name}>
          ; exploit <code>{p.name}</code> {p.before} before the patch, {p.after} after it
        </span>
      ))}
      {inv.length > 0 && `; invariants holding after: ${held} of ${inv.length}`}.
    </li>
  );
}

function VerifySummary({ entries, patch }: { entries: PatchEntry[]; patch: PatchDetail }) {
  const v = entries.filter((e) => e.kind === 'verified').at(-1);
  if (!v) return <li>On chain: not verified yet.</li>;
  return (
    <li>
      On chain: verified at block {v.blockNumber}; the code hash{' '}
      {v.codehash === patch.record.codehash ? (
        'is the one approved'
      ) : (
        <strong>is NOT the one approved</strong>
      )}
      .
    </li>
  );
}

async function loadReview(digest: Hex) {
  const [loaded, reviews] = await Promise.all([
    loadPatch(digest),
    api<ReviewList>(`/api/patches/${digest}/reviews`),
  ]);
  return { ...loaded, reviews };
}

export function Review({ digest }: { digest: Hex }) {
  const loaded = useLoad(() => loadReview(digest), [digest]);
  if (!loaded.value) {
    return (
      <>
        <h1>Review</h1>
        {loaded.loading && <Loading what="the patch" />}
        {loaded.error !== undefined && <ErrorBox error={loaded.error} />}
      </>
    );
  }
  const { patch, head, entries, records, reviews } = loaded.value;
  const n = threshold(patch);
  return (
    <>
      <h1>
        Review: {patch.name ?? 'patch'} <span className={`state state-${patch.state}`}>{patch.state}</span>
      </h1>
      <p>
        Public and read-only: anyone may read this page, check the log proofs below in their own browser, and
        sign a review. <a href={`#/patch/${patch.digest}`}>The full evidence</a> is on the patch page.
      </p>
      <PatchFacts patch={patch}>
        <dt>Approvals</dt>
        <dd data-testid="review-approvals">
          {patch.approvals.length} of {n ?? '?'}
        </dd>
      </PatchFacts>
      {loaded.error !== undefined && <ErrorBox error={loaded.error} />}
      <Section title="State" id="review-state">
        <StateMachine state={patch.state} />
      </Section>
      <Section title="Timelock" id="review-timelock">
        <Countdown eta={etaOf(patch, entries)} state={patch.state} />
      </Section>
      <Section title="Evidence in brief" id="review-evidence">
        <ul>
          <CheckSummary check={patch.evidence.check} />
          <SimulationSummary sim={patch.evidence.simulate} />
          <VerifySummary entries={entries} patch={patch} />
        </ul>
      </Section>
      <Section title="In the transparency log" id="review-log">
        {/* A new head (a review just logged) starts over against its root. */}
        <LogProofs key={head.root} entries={entries} records={records} head={head} />
      </Section>
      <Section title="Community reviews" id="community">
        <Reviews patch={patch} list={reviews} onPosted={loaded.reload} />
      </Section>
    </>
  );
}
