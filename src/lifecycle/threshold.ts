/**
 * The gate before anything reaches the chain: the stored approvals, each verified again (signature, chain,
 * proxy, digest, expiry at `now`, approver set), must reach the lane's threshold. The store is never trusted
 * to say "approved".
 */

import { inputError } from '../core/errors.js';
import { type ApprovalTally, tallyApprovals } from '../govern/approval.js';
import { policyOf } from './context.js';
import type { Lifecycle, PlannedPatch } from './lifecycle.js';

export async function requireThreshold(
  lc: Lifecycle,
  patch: PlannedPatch,
  now: bigint,
): Promise<ApprovalTally> {
  const policy = await policyOf(lc, patch);
  const approvals = await lc.store.approvals(patch.digest);
  const tally = await tallyApprovals(
    approvals,
    {
      digest: patch.digest,
      chainId: patch.record.chainId,
      proxy: patch.record.proxy,
      now,
      ttl: BigInt(lc.config.policy.approvalTtl),
    },
    policy,
  );
  if (!tally.met) {
    const reasons = tally.refused.map((r) => `approval ${r.index + 1}: ${r.error.shortMessage}`);
    throw inputError(
      'below-threshold',
      `patch ${patch.digest.slice(0, 10)}… has ${tally.signers.length} valid approval(s); the ${patch.record.lane} lane needs ${policy.threshold}`,
      'collect more approvals with `patchgate approve`',
      reasons,
    );
  }
  return tally;
}
