/**
 * What a proxy is and who controls it, read from the chain: the ERC-1967 slots (implementation, admin,
 * beacon), UUPS `proxiableUUID`, and the admin chain proxy → ProxyAdmin → owner → TimelockController →
 * proposers → Safe owners and threshold.
 */
import { type Address, getAddress, type PublicClient, parseAbi, zeroAddress } from 'viem';
import { SAFE_ABI } from '../govern/safe.js';
import { TIMELOCK_ABI } from '../govern/timelock.js';

export const ERC1967 = {
  implementation: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc',
  admin: '0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103',
  beacon: '0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50',
} as const;

const OWNABLE_ABI = parseAbi(['function owner() view returns (address)']);
const UUPS_ABI = parseAbi(['function proxiableUUID() view returns (bytes32)']);
const BEACON_ABI = parseAbi(['function implementation() view returns (address)']);

export type ProxyKindOnChain = 'transparent' | 'uups' | 'beacon';

export interface Controller {
  address: Address;
  /** What the address is, as far as the chain tells. */
  role: 'proxy-admin' | 'timelock' | 'safe' | 'eoa' | 'contract';
  /** For a timelock: its minimum delay (s). For a Safe: its owners and threshold. */
  minDelay?: bigint;
  owners?: Address[];
  threshold?: bigint;
  /** Timelock proposers found from its RoleGranted events (still holding the role). */
  proposers?: Controller[];
  /** Who controls this one (ProxyAdmin → owner, …). */
  controlledBy?: Controller;
}

export interface ProxyInfo {
  proxy: Address;
  kind: ProxyKindOnChain;
  implementation: Address;
  admin?: Address;
  beacon?: Address;
  /** Who can upgrade: the admin chain (transparent: ProxyAdmin → …; UUPS: the implementation's owner → …). */
  upgrader?: Controller;
}

const slotAddress = (word: string | undefined): Address =>
  word ? getAddress(`0x${word.slice(-40)}`) : zeroAddress;

async function tryRead<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

/** Identify an address and follow what controls it, a few levels deep. */
export async function describeController(
  client: PublicClient,
  address: Address,
  depth = 0,
): Promise<Controller> {
  const code = await client.getCode({ address });
  if (!code || code === '0x') return { address, role: 'eoa' };
  if (depth > 4) return { address, role: 'contract' };
  const threshold = await tryRead(() =>
    client.readContract({ address, abi: SAFE_ABI, functionName: 'getThreshold' }),
  );
  if (threshold !== undefined) {
    const owners = await client.readContract({ address, abi: SAFE_ABI, functionName: 'getOwners' });
    return { address, role: 'safe', owners: [...owners], threshold };
  }
  const minDelay = await tryRead(() =>
    client.readContract({ address, abi: TIMELOCK_ABI, functionName: 'getMinDelay' }),
  );
  if (minDelay !== undefined) {
    const role = await client.readContract({ address, abi: TIMELOCK_ABI, functionName: 'PROPOSER_ROLE' });
    const grants = await client.getContractEvents({
      address,
      abi: TIMELOCK_ABI,
      eventName: 'RoleGranted',
      args: { role },
      fromBlock: 0n,
    });
    const candidates = [...new Set(grants.map((g) => g.args.account as Address))];
    const proposers: Controller[] = [];
    for (const p of candidates) {
      const still = await client.readContract({
        address,
        abi: TIMELOCK_ABI,
        functionName: 'hasRole',
        args: [role, p],
      });
      if (still) proposers.push(await describeController(client, p, depth + 1));
    }
    return { address, role: 'timelock', minDelay, proposers };
  }
  const owner = await tryRead(() =>
    client.readContract({ address, abi: OWNABLE_ABI, functionName: 'owner' }),
  );
  if (owner !== undefined) {
    return { address, role: 'proxy-admin', controlledBy: await describeController(client, owner, depth + 1) };
  }
  return { address, role: 'contract' };
}

export async function introspectProxy(client: PublicClient, proxy: Address): Promise<ProxyInfo> {
  const [impl, admin, beacon] = await Promise.all([
    client.getStorageAt({ address: proxy, slot: ERC1967.implementation }),
    client.getStorageAt({ address: proxy, slot: ERC1967.admin }),
    client.getStorageAt({ address: proxy, slot: ERC1967.beacon }),
  ]);
  const beaconAddress = slotAddress(beacon);
  if (beaconAddress !== zeroAddress) {
    const implementation = await client.readContract({
      address: beaconAddress,
      abi: BEACON_ABI,
      functionName: 'implementation',
    });
    const owner = await tryRead(() =>
      client.readContract({ address: beaconAddress, abi: OWNABLE_ABI, functionName: 'owner' }),
    );
    return {
      proxy,
      kind: 'beacon',
      implementation,
      beacon: beaconAddress,
      upgrader: owner ? await describeController(client, owner) : undefined,
    };
  }
  const implementation = slotAddress(impl);
  const adminAddress = slotAddress(admin);
  if (adminAddress !== zeroAddress) {
    return {
      proxy,
      kind: 'transparent',
      implementation,
      admin: adminAddress,
      upgrader: await describeController(client, adminAddress),
    };
  }
  const uuid = await tryRead(() =>
    client.readContract({ address: implementation, abi: UUPS_ABI, functionName: 'proxiableUUID' }),
  );
  const owner = await tryRead(() =>
    client.readContract({ address: proxy, abi: OWNABLE_ABI, functionName: 'owner' }),
  );
  return {
    proxy,
    kind: uuid === ERC1967.implementation ? 'uups' : 'transparent',
    implementation,
    upgrader: owner ? await describeController(client, owner) : undefined,
  };
}
