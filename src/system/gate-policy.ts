/**
 * The policy a PatchGate enforces on chain, checked before anything is planned through it: the gate must have
 * been deployed with the config's current policy (`policyCommitment`), and that policy must open the patch's
 * lane. PatchGate refuses both on chain anyway (`PolicyMismatch`, `LaneNotAllowed`); checking here says so at
 * once, with the fix, instead of after approvals and the timelock delay.
 */
import type { Hex } from 'viem';
import type { PolicyConfig } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import type { Lane } from '../govern/digest.js';
import { gateLanes, gateOpens } from '../govern/patchgate-calls.js';
import { policyCommitment } from '../govern/policy.js';
import type { DeployedContract } from './model.js';

/**
 * The policy hash to plan `contract`'s upgrade under: undefined when no PatchGate stands in its upgrade path,
 * else the gate's own hash once it equals the config's and opens `lane`. A gate from before policies, another
 * policy (`gate-policy-mismatch`) or a closed lane (`gate-lane-closed`): exit 2, naming the gate, the values and
 * the fix.
 *
 * @example
 * ```ts
 * const policyHash = gatePolicyHash(config.policy, system.contracts.get('vault'), 'emergency');
 * ```
 */
export function gatePolicyHash(
  policy: PolicyConfig,
  contract: Pick<DeployedContract, 'name' | 'gate' | 'gatePolicy'>,
  lane: Lane,
): Hex | undefined {
  if (!contract.gate) return undefined;
  const want = policyCommitment(policy).hash;
  const where = `PatchGate ${contract.gate} (in the upgrade path of live.${contract.name})`;
  const fix = `redeploy the gate with the config's policy (\`patchgate gate deploy\`, then move the upgrade rights to it through the timelock), or restore the policy it was deployed with`;
  const deployed = contract.gatePolicy;
  if (!deployed) {
    throw inputError(
      'gate-policy-mismatch',
      `${where} holds no policy hash (deployed before PatchGate checked one); the config's policy is ${want}`,
      fix,
    );
  }
  if (deployed.hash.toLowerCase() !== want.toLowerCase()) {
    throw inputError(
      'gate-policy-mismatch',
      `${where} was deployed with policy ${deployed.hash}, but the config's policy is ${want}`,
      fix,
    );
  }
  if (!gateOpens(deployed.allowedLanes, lane)) {
    throw inputError(
      'gate-lane-closed',
      `${where} keeps the ${lane} lane closed: its policy opens only ${gateLanes(deployed.allowedLanes)}`,
      lane === 'emergency'
        ? 'propose in the standard lane, or open the emergency lane (policy.lanes.emergency.severities) and redeploy the gate with that policy'
        : 'redeploy the gate with a policy that opens the lane',
    );
  }
  return deployed.hash;
}
