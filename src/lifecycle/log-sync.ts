/**
 * The transparency log follows the store: after every lifecycle step, each event the store holds for the
 * patch — its proposal, each evidence report, each approval, the queue, execute, verify and cancel
 * transitions — is appended to the log once (keyed by what it records, so a re-run or a crash between the
 * step and its log entry appends nothing twice and misses nothing). Entry times are the store's own times,
 * transaction facts come from the chain. docs/log.md lists the entry kinds.
 *
 * An embargoed patch (docs/embargo.md) is logged as its commitment until it is revealed: `patch-committed`
 * instead of `patch-proposed` and the evidence, `approval-committed` (signer and the signature's hash) instead of
 * each approval — a signature would let anyone confirm a guessed proxy by recovering the signer. From `queued` on
 * the call is public on chain anyway, so those entries are logged as usual (`queued` also names the commitment).
 * The reveal appends the withheld entries, then `patch-revealed` with the bundle.
 */

import { type Hex, keccak256 } from 'viem';
import { planOperationId } from '../govern/plan.js';
import { type Appended, openLedger } from '../store/ledger-store.js';
import type { Lifecycle } from './lifecycle.js';

/** The log's origin (its name in signed heads); one log per store. */
export const LOG_ORIGIN = 'patchgate';

interface Sourced {
  source: string;
  entry: Record<string, unknown>;
}

async function patchLogEntries(lc: Lifecycle, digest: Hex): Promise<Sourced[]> {
  const patch = await lc.store.get(digest);
  if (!patch) return [];
  const history = await lc.store.history(digest);
  const proposedAt = history[0]?.at ?? new Date().toISOString();
  const { record } = patch;
  const embargo = patch.embargo ? await lc.store.embargo(digest) : undefined;
  const sealed = embargo !== undefined && embargo.revealedAt === undefined;
  const committed: Sourced[] = [];
  if (embargo) {
    const { commitment } = embargo;
    committed.push({
      source: `${digest}:committed`,
      entry: { kind: 'patch-committed', at: proposedAt, commitment, chainId: record.chainId },
    });
    for (const a of await lc.store.approvals(digest)) {
      committed.push({
        source: `${digest}:approval-committed:${a.signer.toLowerCase()}`,
        entry: {
          kind: 'approval-committed',
          at: a.createdAt,
          commitment,
          signer: a.signer,
          signatureHash: keccak256(a.signature),
        },
      });
    }
  }
  const withheld: Sourced[] = [
    {
      source: `${digest}:proposed`,
      entry: {
        kind: 'patch-proposed',
        digest,
        at: proposedAt,
        chainId: record.chainId,
        proxy: record.proxy,
        target: record.target,
        implementation: record.implementation,
        codehash: record.codehash,
        calldata: record.calldata,
        lane: record.lane,
      },
    },
  ];
  const reports = await lc.store.evidence(digest);
  for (const [stage, hash] of Object.entries(record.evidence).sort(([a], [b]) => a.localeCompare(b))) {
    const verdict =
      (reports[stage] as { verdict?: string } | undefined)?.verdict === 'pass' ? 'pass' : 'fail';
    withheld.push({
      source: `${digest}:evidence:${stage}`,
      entry: { kind: 'evidence', digest, at: proposedAt, stage, hash, verdict },
    });
  }
  for (const a of await lc.store.approvals(digest)) {
    withheld.push({
      source: `${digest}:approval:${a.signer.toLowerCase()}`,
      entry: {
        kind: 'approval',
        digest,
        at: a.createdAt,
        signer: a.signer,
        signature: a.signature,
        nonce: a.nonce,
        expiry: a.expiry,
      },
    });
  }
  const out: Sourced[] = sealed ? committed : [...committed, ...withheld];
  const queuedBefore = history.some((t) => t.to === 'queued');
  const read = lc.clients.public;
  for (const t of history.slice(1)) {
    // A sealed patch withdrawn before it was queued: nothing about it ever reached the chain, nothing is logged.
    if (sealed && !queuedBefore && (t.to === 'expired' || t.to === 'cancelled')) continue;
    const base = { digest, at: t.at };
    const receipt = t.txHash
      ? await read.getTransactionReceipt({ hash: t.txHash }).catch(() => undefined)
      : undefined;
    if (t.to === 'queued' && t.txHash && receipt && patch.plan) {
      const block = await read.getBlock({ blockNumber: receipt.blockNumber });
      const entry = {
        kind: 'queued',
        ...base,
        operationId: planOperationId(record, patch.plan),
        txHash: t.txHash,
        eta: block.timestamp + BigInt(patch.plan.delay),
        ...(embargo ? { commitment: embargo.commitment } : {}),
      };
      out.push({ source: `${digest}:queued`, entry });
    } else if (t.to === 'executed' && t.txHash && receipt) {
      const entry = { kind: 'executed', ...base, txHash: t.txHash, blockNumber: receipt.blockNumber };
      out.push({ source: `${digest}:executed`, entry });
    } else if (t.to === 'verified') {
      const entry = {
        kind: 'verified',
        ...base,
        implementation: record.implementation,
        codehash: record.codehash,
        blockNumber: await read.getBlockNumber(),
      };
      out.push({ source: `${digest}:verified`, entry });
    } else if (t.to === 'expired') {
      const reason = 'expired: not queued within the proposal TTL (stale evidence)';
      out.push({ source: `${digest}:expired`, entry: { kind: 'cancelled', ...base, reason } });
    } else if (t.to === 'cancelled') {
      const reason = t.txHash ? 'cancelled on the timelock by the Safe' : 'withdrawn before it was queued';
      out.push({
        source: `${digest}:cancelled`,
        entry: { kind: 'cancelled', ...base, reason, ...(t.txHash ? { txHash: t.txHash } : {}) },
      });
    }
  }
  if (embargo?.revealedAt) {
    out.push({
      source: `${digest}:revealed`,
      entry: {
        kind: 'patch-revealed',
        digest,
        at: embargo.revealedAt,
        commitment: embargo.commitment,
        bundle: embargo.bundle,
      },
    });
  }
  return out;
}

/**
 * Append what the log does not have yet for this patch; returns the entries appended now.
 *
 * @example
 * ```ts
 * const appended = await syncLog(lc, digest); // entries this call added (none when the log was in step)
 * ```
 */
export async function syncLog(lc: Lifecycle, digest: Hex): Promise<Appended[]> {
  const ledger = await openLedger(lc.store.db, { origin: LOG_ORIGIN });
  return ledger.appendOnce(await patchLogEntries(lc, digest));
}
