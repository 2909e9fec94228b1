/**
 * How a proposed patch reaches the chain: which Safe proposes to which timelock, with which delay,
 * predecessor and salt, and whether the upgrade passes through patchgate's PatchGate. Not part of the digest
 * (the lane is, and the lane's delay comes from the policy), but every piece is bound elsewhere: the Safe
 * owners sign the exact `schedule` call, and `queue` checks the delay against the policy and the operation id
 * against the timelock's own `hashOperation`.
 *
 * The digest covers the upgrade itself — `ProxyAdmin.upgradeAndCall(proxy, impl, init)` or the UUPS proxy's
 * `upgradeToAndCall(impl, init)`. Without a gate the timelock makes exactly that call. With one, the timelock
 * calls `PatchGate.upgradeTransparent/upgradeUups(…, codehash, init, digest, lane, policyHash)`, derived from the
 * record, the digest (a digest cannot cover a call that contains it) and the plan's policy hash, and PatchGate
 * makes the upgrade call after checking the policy, the lane and the implementation's codehash on chain.
 */
import { type Address, decodeFunctionData, encodeFunctionData, type Hex, parseAbi } from 'viem';
import { inputError } from '../core/errors.js';
import type { PatchRecord } from './digest.js';
import { gatedUpgradeCall } from './patchgate-calls.js';
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
  /** patchgate's PatchGate, when the proxy's upgrade rights pass through it (found on chain at proposal). */
  gate?: Address;
  /**
   * With `gate`: the policy hash the patch was planned under — the gate's own, which `propose` checked equals
   * the config's `policyCommitment`. It goes into the gated call, so PatchGate can refuse any other policy.
   */
  policyHash?: Hex;
}

const UPGRADE_ABI = parseAbi([
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
  'function upgradeToAndCall(address newImplementation, bytes data) payable',
]);

export interface Upgrade {
  kind: 'transparent' | 'uups';
  proxy: Address;
  /** The proxy's ProxyAdmin (transparent proxies). */
  proxyAdmin?: Address;
  implementation: Address;
  /** The call made on the new implementation through the proxy (`0x`: none). */
  init: Hex;
}

/** The upgrade call and the contract that receives it: the ProxyAdmin, or the UUPS proxy itself. */
export function upgradeCall(u: Upgrade): { target: Address; data: Hex } {
  if (u.kind === 'transparent') {
    if (!u.proxyAdmin)
      throw inputError('no-proxy-admin', `transparent proxy ${u.proxy} has no ProxyAdmin`, 'check the proxy');
    return {
      target: u.proxyAdmin,
      data: encodeFunctionData({
        abi: UPGRADE_ABI,
        functionName: 'upgradeAndCall',
        args: [u.proxy, u.implementation, u.init],
      }),
    };
  }
  return {
    target: u.proxy,
    data: encodeFunctionData({
      abi: UPGRADE_ABI,
      functionName: 'upgradeToAndCall',
      args: [u.implementation, u.init],
    }),
  };
}

/** The upgrade a record approves, read back from its calldata. */
function decodeUpgrade(record: PatchRecord): Upgrade {
  const call = decodeFunctionData({ abi: UPGRADE_ABI, data: record.calldata });
  if (call.functionName === 'upgradeAndCall') {
    const [proxy, implementation, init] = call.args;
    return { kind: 'transparent', proxy, proxyAdmin: record.target, implementation, init };
  }
  const [implementation, init] = call.args;
  return { kind: 'uups', proxy: record.target, implementation, init };
}

/** The call the timelock makes for a patch: the upgrade itself, or PatchGate's gated form of it. */
export function timelockCall(
  record: PatchRecord,
  plan: Pick<PatchPlan, 'gate' | 'salt' | 'policyHash'>,
): { target: Address; data: Hex } {
  if (!plan.gate) return { target: record.target, data: record.calldata };
  if (!plan.policyHash) {
    throw inputError(
      'gate-policy-missing',
      `patch ${plan.salt} goes through PatchGate ${plan.gate}, but its plan holds no policy hash (proposed before PatchGate checked the policy)`,
      'propose it again with `patchgate propose --again` against a PatchGate deployed with the policy',
    );
  }
  const u = decodeUpgrade(record);
  return {
    target: plan.gate,
    data: gatedUpgradeCall({
      proxy: u.proxy,
      ...(u.kind === 'transparent' ? { proxyAdmin: u.proxyAdmin } : {}),
      implementation: u.implementation,
      codehash: record.codehash,
      data: u.init,
      digest: plan.salt,
      lane: record.lane,
      policyHash: plan.policyHash,
    }),
  };
}

export function timelockOperation(record: PatchRecord, plan: PatchPlan): TimelockOperation {
  const call = timelockCall(record, plan);
  return operation(call.target, call.data, { predecessor: plan.predecessor, salt: plan.salt });
}

export function planOperationId(record: PatchRecord, plan: PatchPlan): Hex {
  return operationId(timelockOperation(record, plan));
}
