/** What the patch page and the public review page both show: the state machine and the timelock countdown. */
import { type ReactNode, useEffect, useState } from 'react';
import {
  allEntries,
  api,
  type Hex,
  isSealed,
  type LogHead,
  type LogRecord,
  type PatchDetail,
  type PatchState,
  type SealedPatch,
} from '../api';
import { patchEntries } from '../evidence';
import { duration, HexText, when } from '../ui';

const STATES: PatchState[] = ['proposed', 'approved', 'queued', 'executed', 'verified'];

export function StateMachine({ state }: { state: PatchState }) {
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
export function Countdown({
  eta,
  state,
}: {
  eta?: { eta: number; from: 'chain' | 'log' };
  state: PatchState;
}) {
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
  const left = eta.eta - now;
  const done = state === 'executed' || state === 'verified';
  const at = new Date(eta.eta * 1000).toISOString();
  return (
    <div>
      <p>
        ETA <time dateTime={at}>{when(at)}</time>{' '}
        <span className="muted">
          ({eta.from === 'chain' ? "the timelock's, read from the chain; " : "from the log's queued entry; "}
          against this computer's clock)
        </span>
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

/** The patch, the log's head, the log's entries about it (parsed) and their text as the log holds it, by index. */
export async function loadPatch(digest: Hex) {
  const patch = await api<PatchDetail>(`/api/patches/${digest}`);
  if (isSealed(patch)) {
    throw new Error(
      `This patch is under embargo (commitment ${(patch as SealedPatch).commitment}): its details are for its approvers until it is revealed.`,
    );
  }
  const head = await api<LogHead>('/api/log/head');
  const all = await allEntries(head.size);
  const entries = patchEntries(all, digest);
  const ours = new Set(entries.map((e) => e.index));
  const records = new Map<number, LogRecord>(all.filter((r) => ours.has(r.index)).map((r) => [r.index, r]));
  return { patch, head, entries, records };
}

/** What identifies a patch: its digest, lane, chain, proxy and new implementation (and what `children` adds). */
export function PatchFacts({ patch, children }: { patch: PatchDetail; children?: ReactNode }) {
  return (
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
      {patch.risk && (
        <>
          <dt>Risk</dt>
          <dd data-testid="risk">
            {patch.risk.severity} ({patch.risk.impact}){patch.risk.public ? ', public' : ''} —{' '}
            {patch.risk.priority}, recommended lane {patch.risk.recommendedLane};{' '}
            {patch.risk.valueAtRiskUsd !== undefined ? `$${patch.risk.valueAtRiskUsd}` : 'unknown value'} at
            risk at block {patch.risk.block}
            {patch.risk.recommendedLane !== patch.lane ? ` (this patch takes the ${patch.lane} lane)` : ''}
          </dd>
        </>
      )}
      {children}
    </dl>
  );
}
