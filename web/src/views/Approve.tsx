/**
 * Approving from the browser, signed in (the header's Connect wallet, EIP-4361): sign the approval and each SafeTx
 * (EIP-712) with the injected wallet and post the file; or paste a signed approval file, posted as is. The server
 * verifies either as `patchgate approve --approval` does, and only for the account signed in.
 */
import { type FormEvent, useId, useState } from 'react';
import { type ApproveResult, api, type PatchDetail, type Session } from '../api';
import { Working } from '../ui';
import { connect, signApproval } from '../wallet';

export function Approve({
  patch,
  session,
  onApproved,
}: {
  patch: PatchDetail;
  session?: Session;
  onApproved: () => void;
}) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<ApproveResult>();
  const [pasted, setPasted] = useState('');
  const pasteId = useId();

  const run = async (what: string, fn: () => Promise<void>) => {
    setError(undefined);
    setBusy(what);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const approveWithWallet = () =>
    run('Preparing the approval…', async () => {
      if (!session) return;
      const address = await connect();
      if (address.toLowerCase() !== session.address.toLowerCase()) {
        throw new Error(
          `the wallet's account is ${address}, but you are signed in as ${session.address}: sign out and connect again`,
        );
      }
      const file = await signApproval(address, patch, (step) => setBusy(`Sign ${step} in your wallet…`));
      setBusy('Recording the approval…');
      setDone(
        await api<ApproveResult>(`/api/patches/${patch.digest}/approvals`, { method: 'POST', body: file }),
      );
      onApproved();
    });

  const submitPasted = (e: FormEvent) => {
    e.preventDefault();
    void run('Recording the pasted approval…', async () => {
      setDone(
        await api<ApproveResult>(`/api/patches/${patch.digest}/approvals`, { method: 'POST', body: pasted }),
      );
      setPasted('');
      onApproved();
    });
  };

  return (
    <div className="approve">
      <h3>Approve</h3>
      {!session ? (
        <p className="muted">
          Connect your wallet (at the top of the page) to sign in with Ethereum and approve; approvers are the
          policy's approvers or the Safe's owners.
        </p>
      ) : (
        <p>
          <button type="button" onClick={approveWithWallet} disabled={!!busy}>
            Approve with wallet
          </button>{' '}
          <span className="muted">
            You sign the approval and the two Safe transactions (schedule, execute) this patch needs.
          </span>
        </p>
      )}
      <Working busy={busy} error={error} />
      {done && (
        <p className="ok" role="status" data-testid="approve-result">
          {done.alreadyApproved ? 'Already approved by ' : 'Approval recorded for '}
          {done.signer}: {done.approvals} of {done.threshold}, the patch is {done.state}.
        </p>
      )}
      <details>
        <summary>Paste a signed approval</summary>
        <form onSubmit={submitPasted}>
          <label htmlFor={pasteId}>
            Approval file (JSON, as <code>patchgate approve --typed-data</code> hands it out, filled in with
            your signatures)
          </label>
          <textarea
            id={pasteId}
            rows={8}
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            spellCheck={false}
            required
          />
          <button type="submit" disabled={!!busy || !session || pasted.trim() === ''}>
            Submit approval
          </button>
          {!session && <span className="muted"> Sign in first: the approval must be your own.</span>}
        </form>
      </details>
    </div>
  );
}
