/**
 * Deploys a governed upgradeable system locally from the project's own compiled sources: the real Safe
 * 1.4.1 (singleton + proxy factory, owners and threshold), the real OpenZeppelin v5 TimelockController
 * (the Safe proposes, executes and cancels; no admin once deployed — see `keepCancellerOnly`), and proxies whose
 * upgrade rights end at the timelock.
 */

import {
  type Account,
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  parseAbi,
  zeroAddress,
  zeroHash,
} from 'viem';
import { findContract } from '../build/find.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { deploy } from '../chain/deploy.js';
import { SAFE_ABI, SAFE_PROXY_FACTORY_ABI } from '../core/abis.js';
import { environmentError } from '../core/errors.js';
import { ERC1967 } from '../core/proxy-kinds.js';

import type { Governance } from './model.js';

const TIMELOCK_ADMIN_ABI = parseAbi([
  'function CANCELLER_ROLE() view returns (bytes32)',
  'function grantRole(bytes32 role, address account)',
  'function renounceRole(bytes32 role, address callerConfirmation)',
]);

export interface GovernanceSpec {
  owners: readonly Account[];
  threshold: number;
  /** Timelock minimum delay, seconds. */
  minDelay: bigint;
  /**
   * A key that will hold CANCELLER_ROLE alone: it is the timelock's admin at deployment only, until
   * `keepCancellerOnly` grants it the role and renounces the admin role. Without it the timelock has no admin.
   */
  canceller?: Address;
}

export async function deployGovernance(
  clients: Clients,
  project: Project,
  deployer: Account,
  spec: GovernanceSpec,
): Promise<Governance> {
  const wallet = clients.wallet(deployer);
  const singleton = await deploy(wallet, clients.public, findContract(project, 'Safe'));
  const factory = await deploy(wallet, clients.public, findContract(project, 'SafeProxyFactory'));
  const initializer = encodeFunctionData({
    abi: SAFE_ABI,
    functionName: 'setup',
    args: [
      spec.owners.map((o) => o.address),
      BigInt(spec.threshold),
      zeroAddress,
      '0x',
      zeroAddress,
      zeroAddress,
      0n,
      zeroAddress,
    ],
  });
  const { result: safe, request } = await clients.public.simulateContract({
    account: deployer,
    address: factory,
    abi: SAFE_PROXY_FACTORY_ABI,
    functionName: 'createProxyWithNonce',
    args: [singleton, initializer, 0n],
  });
  await clients.public.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
  const timelock = await deploy(wallet, clients.public, findContract(project, 'TimelockController'), [
    spec.minDelay,
    [safe],
    [safe],
    spec.canceller ?? zeroAddress,
  ]);
  return { safe, timelock };
}

/**
 * The canceller, admin of a timelock deployed with `spec.canceller`, grants itself CANCELLER_ROLE and renounces the
 * admin role: it can then cancel a pending operation and nothing else (the timelock administers itself). Sent by the
 * canceller, not the deployer, so no address the deployer creates later moves.
 */
export async function keepCancellerOnly(
  clients: Clients,
  timelock: Address,
  canceller: Account,
): Promise<void> {
  const wallet = clients.wallet(canceller);
  const role = await clients.public.readContract({
    address: timelock,
    abi: TIMELOCK_ADMIN_ABI,
    functionName: 'CANCELLER_ROLE',
  });
  for (const request of [
    { functionName: 'grantRole', args: [role, canceller.address] },
    { functionName: 'renounceRole', args: [zeroHash, canceller.address] },
  ] as const) {
    const hash = await wallet.writeContract({ address: timelock, abi: TIMELOCK_ADMIN_ABI, ...request });
    const receipt = await clients.public.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') {
      throw environmentError(
        'setup-reverted',
        `timelock ${timelock}: ${request.functionName} by the canceller reverted`,
        'inspect the transaction',
      );
    }
  }
}

/** An OZ v5 TransparentUpgradeableProxy; it deploys its own ProxyAdmin, owned by `owner`. */
export async function deployTransparentProxy(
  clients: Clients,
  project: Project,
  deployer: Account,
  params: { implementation: Address; initData: Hex; owner: Address },
): Promise<{ proxy: Address; proxyAdmin: Address }> {
  const proxy = await deploy(
    clients.wallet(deployer),
    clients.public,
    findContract(project, 'TransparentUpgradeableProxy'),
    [params.implementation, params.owner, params.initData],
  );
  const word = await clients.public.getStorageAt({ address: proxy, slot: ERC1967.admin });
  return { proxy, proxyAdmin: getAddress(`0x${(word as string).slice(-40)}`) };
}

/** An ERC1967Proxy for a UUPS implementation. */
export async function deployUupsProxy(
  clients: Clients,
  project: Project,
  deployer: Account,
  params: { implementation: Address; initData: Hex },
): Promise<Address> {
  return deploy(clients.wallet(deployer), clients.public, findContract(project, 'ERC1967Proxy'), [
    params.implementation,
    params.initData,
  ]);
}
