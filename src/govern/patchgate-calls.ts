/**
 * Calldata for the timelock to call on PatchGate. These are the calls that go into a timelock operation (and
 * so into the Safe transactions that schedule and execute it); PatchGate itself performs the upgrade.
 */
import { type Address, encodeFunctionData, type Hex } from 'viem';
import type { Lane } from './digest.js';
import { PATCHGATE_ABI } from './patchgate-abi.js';
import { LANE_BITS } from './policy.js';

/**
 * A lane as PatchGate's upgrade functions take it and `PatchExecuted` emits it (`LANE_STANDARD`,
 * `LANE_EMERGENCY`): lane `n` is open when bit `n` of the gate's `allowedLanes` is set (`LANE_BITS`).
 */
export const GATE_LANE: Record<Lane, number> = { standard: 0, emergency: 1 };

/** The lane a PatchGate lane number stands for (undefined: no such lane). */
export function laneOfGate(n: number): Lane | undefined {
  return (Object.keys(GATE_LANE) as Lane[]).find((lane) => GATE_LANE[lane] === n);
}

/** Whether a PatchGate `allowedLanes` mask opens `lane`. */
export function gateOpens(allowedLanes: number, lane: Lane): boolean {
  return (allowedLanes & LANE_BITS[lane]) !== 0;
}

/** The lanes a PatchGate `allowedLanes` mask opens, for messages: `standard, emergency`. */
export function gateLanes(allowedLanes: number): string {
  return (Object.keys(GATE_LANE) as Lane[]).filter((lane) => gateOpens(allowedLanes, lane)).join(', ');
}

export interface GatedUpgrade {
  proxy: Address;
  /** The proxy's OpenZeppelin v5 ProxyAdmin (owned by PatchGate) for a transparent proxy; absent for UUPS. */
  proxyAdmin?: Address;
  implementation: Address;
  /** The approved runtime codehash of `implementation`: PatchGate refuses the upgrade when it differs. */
  codehash: Hex;
  /** Call made on the new implementation through the proxy (a reinitializer); `0x` for none. */
  data: Hex;
  /** The patch digest, emitted in `PatchExecuted` (docs/digest.md). */
  digest: Hex;
  /** The patch's lane: PatchGate refuses a lane its policy keeps closed, and emits it in `PatchExecuted`. */
  lane: Lane;
  /** The policy hash the patch was planned under: PatchGate refuses any other than its own. */
  policyHash: Hex;
}

/**
 * `upgradeTransparent(proxyAdmin, proxy, implementation, codehash, data, digest, lane, policyHash)` when a
 * ProxyAdmin is given, else `upgradeUups(proxy, implementation, codehash, data, digest, lane, policyHash)`; the
 * lane as its number (`GATE_LANE`).
 *
 * @example
 * ```ts
 * const { hash } = policyCommitment(config.policy);
 * const data = gatedUpgradeCall({ proxy, proxyAdmin, implementation, codehash, data: '0x', digest, lane: 'standard', policyHash: hash });
 * // the timelock's call target is then the PatchGate contract
 * ```
 */
export function gatedUpgradeCall(upgrade: GatedUpgrade): Hex {
  const { proxy, proxyAdmin, implementation, codehash, data, digest, policyHash } = upgrade;
  const lane = GATE_LANE[upgrade.lane];
  return proxyAdmin
    ? encodeFunctionData({
        abi: PATCHGATE_ABI,
        functionName: 'upgradeTransparent',
        args: [proxyAdmin, proxy, implementation, codehash, data, digest, lane, policyHash],
      })
    : encodeFunctionData({
        abi: PATCHGATE_ABI,
        functionName: 'upgradeUups',
        args: [proxy, implementation, codehash, data, digest, lane, policyHash],
      });
}

/**
 * `releaseOwnership(target, newOwner)`: PatchGate hands a ProxyAdmin (or an Ownable UUPS contract) back.
 *
 * @example
 * ```ts
 * const data = releaseOwnershipCall({ target: proxyAdmin, newOwner: timelock });
 * ```
 */
export function releaseOwnershipCall(params: { target: Address; newOwner: Address }): Hex {
  return encodeFunctionData({
    abi: PATCHGATE_ABI,
    functionName: 'releaseOwnership',
    args: [params.target, params.newOwner],
  });
}
