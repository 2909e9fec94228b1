/**
 * Queue and Execute for an executor (`POST /api/patches/{digest}/queue`, `/execute`): the server's relayer sends the
 * Safe transaction the owners signed with their approvals. Shown only where the state allows the step; the server
 * decides the rest (an execute before the ETA is 409 `not-ready`, shown with its hint).
 */
import { useState } from 'react';
import { api, type Hex, type PatchDetail, type Session } from '../api';
import { HexText, Working, when } from '../ui';

interface StepResult {
  state: string;
  operationId?: Hex;
  eta?: string;
  txHash?: Hex;
  already?: boolean;
}

const STEP = { approved: 'queue', queued: 'execute' } as const;

export function QueueExecute({
  patch,
  session,
  onDone,
}: {
  patch: PatchDetail;
  session?: Session;
  onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<StepResult & { step: string }>();
  const step = STEP[patch.state as keyof typeof STEP];
  const result = done && (
    <p className="ok" role="status" data-testid="step-result">
      {done.step === 'queue' ? 'Queued' : done.already ? 'Already executed' : 'Executed'}: the patch is{' '}
      {done.state}
      {done.txHash && (
        <>
          , transaction <HexText value={done.txHash} keep={66} />
        </>
      )}
      {done.eta && <> — executable from {when(new Date(Number(done.eta) * 1000).toISOString())}</>}.
    </p>
  );
  if (!step) return result ?? null;
  const label = step === 'queue' ? 'Queue' : 'Execute';
  if (!session?.roles?.includes('executor')) {
    return (
      <>
        {result}
        <p className="muted">
          {session
            ? `An executor ${step}s it from here; ${session.address} holds ${session.roles?.join(', ') || 'no role'}.`
            : `An executor signs in (Connect wallet, at the top) to ${step} it from here.`}
        </p>
      </>
    );
  }
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<StepResult>(`/api/patches/${patch.digest}/${step}`, { method: 'POST' });
      setDone({ ...r, step });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="act">
      {result}
      <p>
        <button type="button" onClick={run} disabled={busy}>
          {label}
        </button>{' '}
        <span className="muted">
          {step === 'queue'
            ? "Schedules the upgrade on the timelock through the Safe (the owners' schedule signatures); the server's relayer sends it."
            : "Executes it through the Safe once the delay has passed; the server's relayer sends it."}
        </span>
      </p>
      <Working busy={busy && (step === 'queue' ? 'Queueing…' : 'Executing…')} error={error} />
    </div>
  );
}
