/**
 * The system a config describes, as patchgate sees it once it is deployed (simulation) or attached (live chain):
 * its governance (Safe → timelock), its contracts (proxies, their kind, admin and gate) and the named local accounts.
 * Names in call arguments (`@vault`, `@timelock`, `@user:1`) resolve here.
 */
import type { Abi, Account, Address, Hex } from 'viem';
import { localAccount } from '../chain/clients.js';
import { inputError } from '../core/errors.js';

/** The governance path every upgrade takes: the Safe proposes and executes through the timelock. */
export interface Governance {
  safe: Address;
  timelock: Address;
}

/**
 * Local accounts by role: deployer 0, Safe owners 1…n, canceller 6 (timelock CANCELLER_ROLE and nothing else), attacker 8,
 * guardian 9, `user:N` 10+N.
 */
export function accountFor(name: string): Account {
  if (name === 'deployer') return localAccount(0);
  if (name === 'canceller') return localAccount(6);
  if (name === 'attacker') return localAccount(8);
  if (name === 'guardian') return localAccount(9);
  const user = /^user:(\d+)$/.exec(name);
  if (user) return localAccount(10 + Number(user[1]));
  throw inputError(
    'unknown-account',
    `"${name}" is not an account`,
    'use deployer, attacker, guardian, canceller or user:N',
  );
}

export interface DeployedContract {
  name: string;
  /** What callers use: the proxy for a proxied contract. */
  address: Address;
  implementation?: Address;
  proxyKind?: 'transparent' | 'uups';
  proxyAdmin?: Address;
  /** patchgate's PatchGate, when the upgrade rights pass through it (found on chain). */
  gate?: Address;
  /** The policy that PatchGate was deployed with (absent: a PatchGate from before policies). */
  gatePolicy?: { hash: Hex; allowedLanes: number };
  abi: Abi;
}

export interface DeployedSystem {
  governance: Governance;
  owners: Account[];
  threshold: number;
  contracts: Map<string, DeployedContract>;
}

export function resolveName(system: Pick<DeployedSystem, 'governance' | 'contracts'>, ref: string): Address {
  const name = ref.replace(/^@/, '');
  if (name === 'timelock') return system.governance.timelock;
  if (name === 'safe') return system.governance.safe;
  const deployed = system.contracts.get(name);
  if (deployed) return deployed.address;
  return accountFor(name).address;
}
