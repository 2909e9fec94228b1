/**
 * The patch digest: what signers approve. A deterministic hash over the target (chain, proxy, and the contract
 * the timelock calls), the candidate implementation (address and runtime codehash), the exact upgrade
 * calldata, the lane, and the hash of every
 * evidence report. Any change to any part — a re-run check with different findings, other calldata — gives
 * another digest and voids earlier approvals. docs/digest.md recomputes it with viem alone.
 */
import { type Address, encodeAbiParameters, getAddress, type Hex, keccak256, toHex } from 'viem';

export type Lane = 'standard' | 'emergency';

export interface PatchRecord {
  chainId: number;
  proxy: Address;
  /** The contract the timelock calls: the ProxyAdmin (transparent) or the proxy itself (UUPS). */
  target: Address;
  implementation: Address;
  /** keccak256 of the candidate implementation's runtime bytecode as deployed. */
  codehash: Hex;
  /** The call the timelock makes (e.g. ProxyAdmin.upgradeAndCall(proxy, implementation, initData)). */
  calldata: Hex;
  lane: Lane;
  /** Evidence report hashes by stage (`check`, `simulate`, …). */
  evidence: Record<string, Hex>;
}

const DIGEST_DOMAIN = keccak256(toHex('patchgate.patch.v2'));

/**
 * The patch digest: one hash over the chain, proxy, call target, implementation and its codehash, the upgrade
 * calldata, the lane and every evidence hash. It is what signers approve (docs/digest.md).
 *
 * @example
 * ```ts
 * const digest = patchDigest({
 *   chainId: 1, proxy, target: proxyAdmin, implementation, codehash, calldata, lane: 'standard',
 *   evidence: { check: evidenceDigest(checkReport), simulate: evidenceDigest(simulateReport) },
 * });
 * ```
 */
export function patchDigest(record: PatchRecord): Hex {
  const stages = Object.keys(record.evidence).sort();
  const evidence = keccak256(
    encodeAbiParameters(
      [{ type: 'string[]' }, { type: 'bytes32[]' }],
      [stages, stages.map((s) => record.evidence[s] as Hex)],
    ),
  );
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address' },
        { type: 'address' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'bytes32' },
      ],
      [
        DIGEST_DOMAIN,
        BigInt(record.chainId),
        getAddress(record.proxy),
        getAddress(record.target),
        getAddress(record.implementation),
        record.codehash,
        keccak256(record.calldata),
        keccak256(toHex(record.lane)),
        evidence,
      ],
    ),
  );
}
