/**
 * The PatchGate contract patchgate ships (contracts/src/PatchGate.sol): compiled with the bundled solc-js
 * through the content-addressed cache, and deployed with its controller (the TimelockController), anchorer
 * (the log's head signer) and policy (`policyCommitment(config.policy)`: hash and lanes) fixed for its lifetime.
 */
import { fileURLToPath } from 'node:url';
import { type Account, type Address, getAddress, type Hex, isAddressEqual, zeroAddress } from 'viem';
import { compiled } from '../build/artifact.js';
import { findContract } from '../build/find.js';
import { loadProject } from '../build/load.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { environmentError, inputError } from '../core/errors.js';
import { PATCHGATE_ABI } from '../govern/patchgate-abi.js';
import { LANE_BITS } from '../govern/policy.js';

/**
 * The Solidity project holding PatchGate: `contracts/` at the package root, a plain-sources project of its own
 * (`contracts/src/`), so that compiling it never picks up anything else. Same path from `src/anchor/` and
 * from the built `dist/anchor/`.
 */
export const PATCHGATE_DIR = fileURLToPath(new URL('../../contracts/', import.meta.url));

/**
 * Compiles (or reads from the cache under `stateDir`) the PatchGate project.
 *
 * @example
 * ```ts
 * const project = await loadPatchGate({ stateDir: '.patchgate' }); // contracts/, compiled once and cached
 * ```
 */
export function loadPatchGate(opts: { stateDir: string }): Promise<Project> {
  return loadProject({ dir: PATCHGATE_DIR, stateDir: opts.stateDir });
}

export interface DeployPatchGateParameters {
  /** Who sends the deployment (pays gas; gets no rights). */
  deployer: Account;
  /** The only caller of the upgrade and ownership functions: the TimelockController. */
  controller: Address;
  /** The only caller of `anchor`: the log's head signer. */
  anchorer: Address;
  /**
   * The approval policy it enforces: `policyCommitment(config.policy)` — the policy's hash, which every gated
   * call must name, and the lanes it opens (`allowedLanes`, bit 0 standard — required — and bit 1 emergency).
   */
  policy: { hash: Hex; allowedLanes: number };
}

export interface PatchGateDeployment {
  address: Address;
  txHash: Hex;
  gasUsed: bigint;
  /** The block it was deployed in: where event readers start on a live chain. */
  blockNumber: bigint;
}

/**
 * Deploys PatchGate from `project` (the one `loadPatchGate` returns, or any project that compiles it).
 *
 * @example
 * ```ts
 * const project = await loadPatchGate({ stateDir: '.patchgate' });
 * const policy = policyCommitment(config.policy);
 * const { address } = await deployPatchGate(lc.clients, project, { deployer, controller: timelock, anchorer: logSigner, policy });
 * ```
 */
export async function deployPatchGate(
  clients: Clients,
  project: Project,
  params: DeployPatchGateParameters,
): Promise<PatchGateDeployment> {
  for (const [name, value] of [
    ['controller', params.controller],
    ['anchorer', params.anchorer],
  ] as const) {
    if (isAddressEqual(value, zeroAddress)) {
      throw inputError(
        'bad-patchgate',
        `PatchGate ${name} is the zero address`,
        `pass the ${name}'s address`,
      );
    }
  }
  const { hash, allowedLanes } = params.policy;
  const known = LANE_BITS.standard | LANE_BITS.emergency;
  if (
    !Number.isInteger(allowedLanes) ||
    (allowedLanes & LANE_BITS.standard) === 0 ||
    (allowedLanes & ~known) !== 0
  ) {
    throw inputError(
      'bad-patchgate',
      `PatchGate lane mask ${allowedLanes} must hold the standard lane (${LANE_BITS.standard}) and no lane but standard and emergency (${known})`,
      "deploy with the config's policyCommitment(config.policy)",
    );
  }
  const bytecode = compiled(findContract(project, 'PatchGate')).evm.bytecode.object;
  const txHash = await clients.wallet(params.deployer).deployContract({
    abi: PATCHGATE_ABI,
    bytecode: `0x${bytecode}`,
    args: [params.controller, params.anchorer, hash, allowedLanes],
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw environmentError('deploy-reverted', `deploying PatchGate reverted (tx ${txHash})`);
  }
  return {
    address: getAddress(receipt.contractAddress),
    txHash,
    gasUsed: receipt.gasUsed,
    blockNumber: receipt.blockNumber,
  };
}
