/**
 * Calldata for the timelock to call on PatchGate. These are the calls that go into a timelock operation (and
 * so into the Safe transactions that schedule and execute it); PatchGate itself performs the upgrade.
 */
import { type Address, encodeFunctionData, type Hex } from 'viem';
import { PATCHGATE_ABI } from './patchgate-abi.js';

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
}

/**
 * `upgradeTransparent(proxyAdmin, proxy, implementation, codehash, data, digest)` when a ProxyAdmin is given,
 * else `upgradeUups(proxy, implementation, codehash, data, digest)`.
 *
 * @example
 * ```ts
 * const data = gatedUpgradeCall({ proxy, proxyAdmin, implementation, codehash, data: '0x', digest });
 * // the timelock's call target is then the PatchGate contract
 * ```
 */
export function gatedUpgradeCall(upgrade: GatedUpgrade): Hex {
  const { proxy, proxyAdmin, implementation, codehash, data, digest } = upgrade;
  return proxyAdmin
    ? encodeFunctionData({
        abi: PATCHGATE_ABI,
        functionName: 'upgradeTransparent',
        args: [proxyAdmin, proxy, implementation, codehash, data, digest],
      })
    : encodeFunctionData({
        abi: PATCHGATE_ABI,
        functionName: 'upgradeUups',
        args: [proxy, implementation, codehash, data, digest],
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
