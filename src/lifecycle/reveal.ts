/**
 * `reveal`: after an embargoed patch executed, publish what was withheld. The store's bundle is checked against
 * the commitment the log holds, the patch is marked revealed, and the log gets the withheld entries (the proposal,
 * each evidence report's hash, each approval with its signature) and a `patch-revealed` entry carrying the bundle
 * itself — so `log verify` checks the reveal from the export alone (docs/embargo.md). Before execution it refuses:
 * the embargo exists to keep the fix private while the bug is exploitable.
 */
import type { Hex } from 'viem';
import { evidenceDigest } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import type { PatchState } from '../core/patch-states.js';
import type { StoredEmbargo } from '../store/store.js';
import type { Lifecycle } from './lifecycle.js';
import { syncLog } from './log-sync.js';

/** The states after execution: the only ones a patch may be revealed in. */
const REVEALABLE: readonly PatchState[] = ['executed', 'verified'];

export interface RevealReport {
  digest: Hex;
  commitment: Hex;
  state: PatchState;
  /** Already revealed by an earlier run: nothing new was published. */
  already: boolean;
  revealedAt: string;
  /** The indexes of the log entries this run appended. */
  appended: number[];
}

/**
 * The stored embargo of a patch, its bundle checked against its commitment (an edited store is refused).
 *
 * @example
 * ```ts
 * const e = await storedEmbargo(lc, digest); // undefined for a patch proposed in the open
 * ```
 */
export async function storedEmbargo(lc: Lifecycle, digest: Hex): Promise<StoredEmbargo | undefined> {
  const e = await lc.store.embargo(digest);
  if (!e) return undefined;
  let recomputed: Hex | undefined;
  try {
    recomputed = evidenceDigest(JSON.parse(e.bundle));
  } catch {
    recomputed = undefined;
  }
  if (recomputed !== e.commitment.toLowerCase()) {
    throw inputError(
      'store-embargo-mismatch',
      `the bundle of embargoed patch ${digest} in the store does not hash to its commitment ${e.commitment}`,
      'do not hand it out or reveal it: the store was edited; restore it',
    );
  }
  return e;
}

/**
 * Reveals an executed embargoed patch (idempotent: a second run publishes nothing new).
 *
 * @example
 * ```ts
 * const r = await reveal(lc, { digest }); // after `execute`; r.appended lists the entries published
 * ```
 */
export async function reveal(lc: Lifecycle, params: { digest: Hex }): Promise<RevealReport> {
  const digest = params.digest.toLowerCase() as Hex;
  const patch = await lc.store.get(digest);
  if (!patch) throw inputError('unknown-patch', `no patch ${digest} in the store`, 'propose it first');
  if (!patch.embargo) {
    throw inputError(
      'not-embargoed',
      `patch ${digest} was proposed in the open: there is nothing to reveal`,
      'its entries are in the log already (`patchgate log export`)',
    );
  }
  if (!REVEALABLE.includes(patch.state)) {
    throw inputError(
      'reveal-before-execution',
      `patch ${digest} is ${patch.state}: an embargoed patch is revealed only after it executed`,
      patch.state === 'cancelled' || patch.state === 'expired'
        ? 'a withdrawn patch is never revealed: its commitment stays unopened'
        : 'run `patchgate execute` first, then reveal',
    );
  }
  await storedEmbargo(lc, digest);
  const already = patch.embargo.revealedAt !== undefined;
  const marked = await lc.store.markRevealed(digest);
  const appended = await syncLog(lc, digest);
  return {
    digest,
    commitment: marked.commitment,
    state: patch.state,
    already,
    revealedAt: marked.revealedAt ?? '',
    appended: appended.map((a) => a.index),
  };
}
