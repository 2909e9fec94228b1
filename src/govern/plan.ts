/**
 * How a proposed patch reaches the chain: which Safe proposes to which timelock, with which delay,
 * predecessor and salt. Not part of the digest (the lane is, and the lane's delay comes from the policy),
 * but every piece is bound elsewhere: the Safe owners sign the exact `schedule` call, and `queue` checks the
 * delay against the policy and the operation id against the timelock's own `hashOperation`.
 */
import type { Address, Hex } from 'viem';
import type { PatchRecord } from './digest.js';
import { operation, operationId, type TimelockOperation } from './timelock.js';

export interface PatchPlan {
  /** The patch's name in the config, the config key of the patched contract, the candidate (file:Name). */
  name: string;
  contract: string;
  candidate: string;
  safe: Address;
  timelock: Address;
  /** An operation that must be done first, or zero. */
  predecessor: Hex;
  /** The patch digest itself: the timelock operation id is then unique to this patch. */
  salt: Hex;
  /** Seconds the operation waits in the timelock (the lane's delay), as a decimal string. */
  delay: string;
  /** Chain time (unix seconds) of the proposal: it expires `policy.proposalTtl` later unless queued. */
  proposedAt?: string;
}

export function timelockOperation(record: PatchRecord, plan: PatchPlan): TimelockOperation {
  return operation(record.target, record.calldata, { predecessor: plan.predecessor, salt: plan.salt });
}

export function planOperationId(record: PatchRecord, plan: PatchPlan): Hex {
  return operationId(timelockOperation(record, plan));
}
