/**
 * The approval policy of a lane, resolved against the chain: who may approve (the config's approvers, or the
 * Safe's owners), how many approvals a patch needs, and the timelock delay it is scheduled with. What the
 * config leaves out comes from the chain: *standard* needs the Safe's threshold and waits the timelock's
 * minimum delay; *emergency* needs one approval more (as many as there are approvers at most) and waits the
 * minimum delay. The lanes must be ordered: emergency needs at least as many approvals and waits no longer.
 */
import { type Address, getAddress, type Hex } from 'viem';
import type { ImmunefiSeverity, PolicyConfig } from '../config/schema.js';
import { evidenceDigest } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import type { Lane } from './digest.js';

export interface OnChainGovernance {
  safeOwners: readonly Address[];
  safeThreshold: number;
  /** The timelock's minimum delay, seconds. */
  minDelay: bigint;
}

export interface LanePolicy {
  lane: Lane;
  approvers: Address[];
  threshold: number;
  delay: bigint;
}

function laneValues(policy: PolicyConfig, lane: Lane, chain: OnChainGovernance, approvers: number) {
  const standardThreshold = policy.lanes.standard.threshold ?? chain.safeThreshold;
  const threshold =
    lane === 'standard'
      ? standardThreshold
      : (policy.lanes.emergency.threshold ?? Math.min(approvers, standardThreshold + 1));
  const delay = BigInt(policy.lanes[lane].delay ?? chain.minDelay);
  return { threshold, delay };
}

/**
 * A lane's threshold and timelock delay: the config's `policy` for that lane, with the on-chain Safe threshold
 * and timelock delay as defaults; an emergency lane needs one signer more.
 *
 * @example
 * ```ts
 * const policy = lanePolicy(config.policy, 'standard', { safeOwners, safeThreshold: 2, minDelay: 86_400n });
 * console.log(policy.threshold, policy.delay);
 * ```
 */
export function lanePolicy(policy: PolicyConfig, lane: Lane, chain: OnChainGovernance): LanePolicy {
  const approvers = (policy.approvers ?? chain.safeOwners).map((a) => getAddress(a));
  const own = laneValues(policy, lane, chain, approvers.length);
  if (own.threshold > approvers.length) {
    throw inputError(
      'policy-invalid',
      `policy.lanes.${lane}.threshold is ${own.threshold}, but there are only ${approvers.length} approvers`,
      'lower the threshold or add approvers',
    );
  }
  if (own.delay < chain.minDelay) {
    throw inputError(
      'policy-invalid',
      `policy.lanes.${lane}.delay is ${own.delay} s, below the timelock's minimum delay of ${chain.minDelay} s`,
      `the timelock refuses it: set a delay of at least ${chain.minDelay} s`,
    );
  }
  const standard = laneValues(policy, 'standard', chain, approvers.length);
  const emergency = laneValues(policy, 'emergency', chain, approvers.length);
  if (emergency.threshold < standard.threshold || emergency.delay > standard.delay) {
    throw inputError(
      'policy-invalid',
      `the emergency lane (${emergency.threshold} approvals, ${emergency.delay} s) is weaker or slower than the standard lane (${standard.threshold} approvals, ${standard.delay} s)`,
      'emergency needs at least as many approvals as standard and a delay no longer than it',
    );
  }
  return { lane, approvers, ...own };
}

/** The lanes a policy opens, as PatchGate's `allowedLanes` bit mask: bit 0 standard (always), bit 1 emergency. */
export const LANE_BITS: Record<Lane, number> = { standard: 1, emergency: 2 };

/**
 * The policy as PatchGate is deployed with it: the hash of the config's whole `policy` section (canonical JSON,
 * defaults applied) and the lanes it opens. The emergency lane is open when some severity may use it.
 *
 * @example
 * ```ts
 * const { hash, allowedLanes } = policyCommitment(config.policy); // constructor arguments of PatchGate
 * ```
 */
export function policyCommitment(policy: PolicyConfig): { hash: Hex; allowedLanes: number } {
  const severities = emergencySeverities(policy);
  const emergency = severities.length > 0 ? LANE_BITS.emergency : 0;
  // Hashed with its defaults spelled out: leaving out the default and writing it give one policy, one hash.
  const normal = {
    ...policy,
    lanes: { ...policy.lanes, emergency: { ...policy.lanes.emergency, severities } },
  };
  return { hash: evidenceDigest(normal), allowedLanes: LANE_BITS.standard | emergency };
}

/** The Immunefi severities whose fixes may take the emergency lane (default: critical and high). */
export function emergencySeverities(policy: PolicyConfig): readonly ImmunefiSeverity[] {
  return policy.lanes.emergency.severities ?? ['critical', 'high'];
}

/**
 * `policy.pausers`: when the config names who may pause, any other key is refused before it sends anything.
 *
 * @example
 * ```ts
 * requirePauser(config.policy, guardian.address); // throws pauser-not-allowed (exit 2) for a key not listed
 * ```
 */
export function requirePauser(policy: PolicyConfig, pauser: Address): void {
  if (!policy.pausers || policy.pausers.some((p) => getAddress(p) === getAddress(pauser))) return;
  throw inputError(
    'pauser-not-allowed',
    `policy.pausers: ${pauser} may not pause (the pausers are ${policy.pausers.join(', ')})`,
    "use a pauser's key, or add the address to policy.pausers through review",
  );
}
