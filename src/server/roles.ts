/**
 * Who may do what on the server. Five roles: proposer, approver, executor, guardian, viewer. Each is the config's
 * list (`server.roles.<role>`) when it names one, else read from the chain as it is now:
 *
 * - approver: the lane policy's approvers — `policy.approvers`, else the Safe's owners (the set an approval is
 *   verified against, so the gate and the signature check agree);
 * - proposer and executor: the Safe's owners (they sign the SafeTxs that schedule and execute);
 * - guardian: an account whose `pause()` on a live contract would succeed (an `eth_call` from it: whatever guards
 *   pause — AccessControl, Ownable, a custom check — answers for itself);
 * - viewer: every signed-in account (everything a viewer reads is public evidence anyway).
 *
 * Without a chain (serve with no `--rpc`) only the config's lists count: nothing is guessed.
 */
import { type Address, getAddress, isAddressEqual } from 'viem';
import { PAUSABLE_ABI } from '../core/abis.js';
import { inputError } from '../core/errors.js';
import { liveSystem, onChainGovernance } from '../lifecycle/context.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';

const ROLES = ['proposer', 'approver', 'executor', 'guardian', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What the roles are read from: the config, and the chain when the server has one. */
export interface RoleContext {
  /** None: no config, so no lists — only what the chain says (and without a chain, only viewer). */
  config?: Lifecycle['config'];
  lc?: Lifecycle;
}

/** The accounts the chain says may pause: an `eth_call` of `pause()` from `who` on each live pausable contract. */
async function canPause(lc: Lifecycle, who: Address): Promise<boolean> {
  const read = lc.clients.public;
  const addresses = Object.values(lc.config.live ?? {}).map((c) => getAddress(c.address));
  for (const address of addresses) {
    const paused = await read
      .readContract({ address, abi: PAUSABLE_ABI, functionName: 'paused' })
      .catch(() => undefined);
    if (paused !== false) continue; // not pausable, or already paused: pause() reverts for everyone
    const ok = await read
      .simulateContract({ account: who, address, abi: PAUSABLE_ABI, functionName: 'pause' })
      .then(() => true)
      .catch(() => false);
    if (ok) return true;
  }
  return false;
}

async function fromChain(lc: Lifecycle, role: Role, who: Address): Promise<boolean> {
  if (role === 'viewer') return true;
  if (role === 'guardian') return canPause(lc, who);
  const system = await liveSystem(lc);
  const gov = await onChainGovernance(lc, system.governance);
  const list = role === 'approver' ? (lc.config.policy.approvers ?? gov.safeOwners) : gov.safeOwners;
  return list.some((a) => isAddressEqual(a as Address, who));
}

/** Whether `who` holds `role`: the config's list for it, else the chain — only that role is read. */
export async function hasRole(ctx: RoleContext, who: Address, role: Role): Promise<boolean> {
  const list = ctx.config?.server?.roles?.[role];
  if (list) return list.some((a) => isAddressEqual(a as Address, who));
  return role === 'viewer' || (ctx.lc ? fromChain(ctx.lc, role, who) : false);
}

/**
 * The roles `who` holds, in ROLES order.
 *
 * @example
 * ```ts
 * const roles = await rolesOf({ config, lc }, session.address); // ['approver', 'executor', 'proposer', 'viewer']
 * ```
 */
export async function rolesOf(ctx: RoleContext, who: Address): Promise<Role[]> {
  const held: Role[] = [];
  for (const role of ROLES) if (await hasRole(ctx, who, role)) held.push(role);
  return held;
}

/** `who` holds `role`, or a `role-missing` refusal (403) naming both. */
export async function requireRole(ctx: RoleContext, who: Address, role: Role): Promise<void> {
  // Only the role asked is read (each one a few chain reads); all of them only to say what a refused account holds.
  if (await hasRole(ctx, who, role)) return;
  const held = await rolesOf(ctx, who);
  throw inputError(
    'role-missing',
    `${who} is not ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} of this project (it holds: ${held.join(', ') || 'no role'})`,
    ctx.config?.server?.roles?.[role]
      ? `the config's server.roles.${role} lists who is`
      : role === 'approver'
        ? "approvers are the policy's approvers, else the Safe's owners"
        : role === 'guardian'
          ? 'guardians are the accounts a live contract lets pause(), or server.roles.guardian'
          : `${role}s are the Safe's owners, or the config's server.roles.${role}`,
  );
}
