/**
 * What a proxy is and who controls it, read from the chain: the ERC-1967 slots (implementation, admin,
 * beacon), UUPS `proxiableUUID`, and the admin chain proxy → ProxyAdmin → owner → TimelockController →
 * proposers → Safe owners and threshold.
 */

import { type Address, getAddress, type Hex, type PublicClient, zeroAddress } from 'viem';
import {
  BEACON_ABI,
  GATE_ABI,
  OWNABLE_ABI,
  ROLES_ABI,
  SAFE_ABI,
  TIMELOCK_ABI,
  UUPS_ABI,
} from '../core/abis.js';
import { ERC1967, type ProxyKindOnChain } from '../core/proxy-kinds.js';
import { isRevert, rpcFailure } from './rpc.js';

export interface Controller {
  address: Address;
  /** What the address is, as far as the chain tells. */
  role: 'proxy-admin' | 'timelock' | 'safe' | 'gate' | 'eoa' | 'contract';
  /** For a timelock: its minimum delay (s). For a Safe: its owners and threshold. */
  minDelay?: bigint;
  owners?: Address[];
  threshold?: bigint;
  /**
   * For a PatchGate: the policy it was deployed with (hash, and the `allowedLanes` bit mask); absent for a
   * PatchGate from before policies, which then answers neither.
   */
  policy?: { hash: Hex; allowedLanes: number };
  /** Timelock proposers found from its RoleGranted events (still holding the role). */
  proposers?: Controller[];
  /** Who controls this one (ProxyAdmin → owner, …). */
  controlledBy?: Controller;
}

export interface ProxyInfo {
  proxy: Address;
  /** `none`: neither the implementation nor the beacon slot is set; this address is not an ERC-1967 proxy. */
  kind: ProxyKindOnChain | 'none';
  implementation: Address;
  admin?: Address;
  beacon?: Address;
  /** Who can upgrade: the admin chain (transparent: ProxyAdmin → …; otherwise the proxy's or beacon's owner → …). */
  upgrader?: Controller;
}

/** The address in the low 20 bytes of a storage word (zero for an empty slot). */
const slotAddress = (word: string | undefined): Address =>
  word ? getAddress(`0x${word.slice(-40)}`) : zeroAddress;

/**
 * A read that may revert because the contract lacks the function: undefined instead of an error. Only a revert
 * means "absent": a node that timed out, rate-limited or failed is the environment's failure (exit 3 naming the
 * RPC), never an answer — a busy node must not make a UUPS proxy look transparent.
 */
async function tryRead<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isRevert(e)) return undefined;
    throw rpcFailure(e) ?? e;
  }
}

/** Identify an address and follow what controls it, a few levels deep. */
async function describeController(client: PublicClient, address: Address, depth = 0): Promise<Controller> {
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
  // patchgate's PatchGate: upgrades go through it, and only its controller (the timelock) may call it.
  const controller = await tryRead(() =>
    client.readContract({ address, abi: GATE_ABI, functionName: 'controller' }),
  );
  const anchorer = await tryRead(() =>
    client.readContract({ address, abi: GATE_ABI, functionName: 'anchorer' }),
  );
  if (controller !== undefined && anchorer !== undefined) {
    const hash = await tryRead(() =>
      client.readContract({ address, abi: GATE_ABI, functionName: 'policyHash' }),
    );
    const lanes = await tryRead(() =>
      client.readContract({ address, abi: GATE_ABI, functionName: 'allowedLanes' }),
    );
    return {
      address,
      role: 'gate',
      ...(hash !== undefined && lanes !== undefined ? { policy: { hash, allowedLanes: lanes } } : {}),
      controlledBy: await describeController(client, controller, depth + 1),
    };
  }
  return { address, role: 'contract' };
}

/** The three ERC-1967 slots of a proxy, as addresses (zero where unset). */
export async function erc1967Slots(
  client: PublicClient,
  proxy: Address,
): Promise<{ implementation: Address; admin: Address; beacon: Address }> {
  const [implementation, admin, beacon] = await Promise.all(
    [ERC1967.implementation, ERC1967.admin, ERC1967.beacon].map((slot) =>
      client.getStorageAt({ address: proxy, slot }),
    ),
  );
  return {
    implementation: slotAddress(implementation),
    admin: slotAddress(admin),
    beacon: slotAddress(beacon),
  };
}

/** What the proxy is now, told from its ERC-1967 slots: the one classifier every stage uses. */
export interface ProxyState {
  kind: ProxyKindOnChain;
  /** The implementation the proxy runs now (for a beacon proxy: the beacon's). */
  implementation: Address;
  /** The ERC-1967 implementation slot itself (zero for a beacon proxy). */
  implementationSlot: Address;
  admin?: Address;
  beacon?: Address;
}

/**
 * Classify a proxy from its slots: a beacon slot → `beacon` (the implementation is the beacon's); an admin slot →
 * `transparent`; an implementation whose `proxiableUUID` answers the ERC-1967 slot → `uups`; any other
 * implementation → `erc1967`. Undefined when neither the implementation nor the beacon slot is set (not an ERC-1967
 * proxy). A node failure is exit 3, never a kind.
 */
export async function classifyProxy(client: PublicClient, proxy: Address): Promise<ProxyState | undefined> {
  const slots = await erc1967Slots(client, proxy);
  if (slots.beacon !== zeroAddress) {
    const implementation = await client.readContract({
      address: slots.beacon,
      abi: BEACON_ABI,
      functionName: 'implementation',
    });
    return { kind: 'beacon', implementation, implementationSlot: slots.implementation, beacon: slots.beacon };
  }
  if (slots.implementation === zeroAddress) return undefined;
  const base = { implementation: slots.implementation, implementationSlot: slots.implementation };
  if (slots.admin !== zeroAddress) return { kind: 'transparent', ...base, admin: slots.admin };
  const uuid = await tryRead(() =>
    client.readContract({ address: slots.implementation, abi: UUPS_ABI, functionName: 'proxiableUUID' }),
  );
  return { kind: uuid === ERC1967.implementation ? 'uups' : 'erc1967', ...base };
}

/**
 * A proxy and who can upgrade it: the classification, then the admin chain (transparent: ProxyAdmin → …; UUPS and
 * bare ERC-1967: the proxy's owner → …; beacon: the beacon's owner → …).
 */
export async function introspectProxy(client: PublicClient, proxy: Address): Promise<ProxyInfo> {
  const state = await classifyProxy(client, proxy);
  if (!state) return { proxy, kind: 'none', implementation: zeroAddress };
  const { kind, implementation, admin, beacon } = state;
  const ownerOf = (address: Address) =>
    tryRead(() => client.readContract({ address, abi: OWNABLE_ABI, functionName: 'owner' }));
  if (kind === 'transparent' && admin) {
    return { proxy, kind, implementation, admin, upgrader: await describeController(client, admin) };
  }
  const owner = await ownerOf(beacon ?? proxy);
  return {
    proxy,
    kind,
    implementation,
    ...(beacon ? { beacon } : {}),
    upgrader: owner ? await describeController(client, owner) : undefined,
  };
}

/** Current holders of an AccessControl role, from its RoleGranted events, re-checked with hasRole. */
async function roleHolders(client: PublicClient, contract: Address, role: `0x${string}`): Promise<Address[]> {
  const grants = await client.getContractEvents({
    address: contract,
    abi: ROLES_ABI,
    eventName: 'RoleGranted',
    args: { role },
    fromBlock: 0n,
  });
  const out: Address[] = [];
  for (const account of new Set(grants.map((g) => g.args.account as Address))) {
    if (
      await client.readContract({
        address: contract,
        abi: ROLES_ABI,
        functionName: 'hasRole',
        args: [role, account],
      })
    )
      out.push(account);
  }
  return out;
}

export interface Control {
  proxy: Address;
  kind: ProxyInfo['kind'];
  /** The chain of who can upgrade, outermost last: `ProxyAdmin 0x… ← TimelockController 0x… (delay 172800 s) ← Safe 0x… (2 of 3)`. */
  upgrade: string;
  /** Who can cancel a queued upgrade (timelock CANCELLER_ROLE holders). */
  cancel: Address[];
  /** Who can pause the contract (GUARDIAN_ROLE / PAUSER_ROLE holders), with the role. */
  pause: { account: Address; role: string }[];
}

/** A PatchGate's policy for a person: `policy 0x1a2b3c4d…, emergency lane closed` (bit 1 of the lane mask). */
function gatePolicyText(policy: Controller['policy']): string {
  if (!policy) return 'no policy: deployed before PatchGate checked one';
  const emergency = (policy.allowedLanes & 2) !== 0 ? 'open' : 'closed';
  return `policy ${policy.hash.slice(0, 10)}…, emergency lane ${emergency}`;
}

/** The admin chain in one line: `ProxyAdmin 0x… ← TimelockController 0x… (delay 3600 s) ← Safe 0x… (2 of 3: …)`. */
export function describeChain(c: Controller | undefined): string {
  if (!c) return 'nobody found';
  const here =
    c.role === 'safe'
      ? `Safe ${c.address} (${c.threshold} of ${c.owners?.length}: ${c.owners?.join(', ')})`
      : c.role === 'timelock'
        ? `TimelockController ${c.address} (delay ${c.minDelay} s)`
        : c.role === 'proxy-admin'
          ? `ProxyAdmin ${c.address}`
          : c.role === 'gate'
            ? `PatchGate ${c.address} (${gatePolicyText(c.policy)})`
            : `${c.role} ${c.address}`;
  const next = c.controlledBy ?? (c.proposers && c.proposers.length > 0 ? c.proposers[0] : undefined);
  const more = c.proposers && c.proposers.length > 1 ? ` (+${c.proposers.length - 1} more proposers)` : '';
  return next ? `${here} ← ${describeChain(next)}${more}` : here;
}

function findTimelock(c: Controller | undefined): Controller | undefined {
  if (!c) return undefined;
  if (c.role === 'timelock') return c;
  return findTimelock(c.controlledBy);
}

/** Who can upgrade, cancel and pause a proxy, read from the chain. */
export async function describeControl(client: PublicClient, proxy: Address): Promise<Control> {
  const info = await introspectProxy(client, proxy);
  const timelock = findTimelock(info.upgrader);
  const cancel = timelock
    ? await roleHolders(
        client,
        timelock.address,
        await client.readContract({
          address: timelock.address,
          abi: TIMELOCK_ABI,
          functionName: 'CANCELLER_ROLE',
        }),
      )
    : [];
  const pause: Control['pause'] = [];
  for (const name of ['GUARDIAN_ROLE', 'PAUSER_ROLE'] as const) {
    const role = await tryRead(() =>
      client.readContract({ address: proxy, abi: ROLES_ABI, functionName: name }),
    );
    if (role)
      for (const account of await roleHolders(client, proxy, role)) pause.push({ account, role: name });
  }
  return { proxy, kind: info.kind, upgrade: describeChain(info.upgrader), cancel, pause };
}
