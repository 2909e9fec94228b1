/**
 * What every lifecycle step (propose … verify) works with: the config and project, the store, and the chain
 * the patch lives on. The live system is found on chain from the config's `live` addresses (proxy →
 * ProxyAdmin → timelock → Safe), never assumed; the chain's clock is the only clock.
 */

import { type Address, getAddress, type Hex } from 'viem';
import { loadProject } from '../build/index.js';
import type { Project } from '../build/types.js';
import { SAFE_ABI, TIMELOCK_ABI } from '../core/abis.js';
import { inputError } from '../core/errors.js';
import { type LanePolicy, lanePolicy, type OnChainGovernance } from '../govern/policy.js';
import type { PatchState, StoredPatch } from '../store/store.js';
import { attachSystem } from '../system/attach.js';
import type { DeployedSystem } from '../system/model.js';
import { requireDeployed } from './deployed.js';
import type { ChainContext, Lifecycle, PlannedPatch } from './lifecycle.js';
import { syncLog } from './log-sync.js';
import { unixTime } from './time.js';

const projects = new WeakMap<ChainContext, Promise<Project>>();

export function projectOf(lc: ChainContext): Promise<Project> {
  let p = projects.get(lc);
  if (!p) {
    p = loadProject({ dir: lc.projectDir, stateDir: lc.stateDir });
    projects.set(lc, p);
  }
  return p;
}

export async function liveSystem(lc: Lifecycle): Promise<DeployedSystem> {
  return attachSystem(lc.clients, await projectOf(lc), lc.config);
}

/** The latest block's timestamp: approvals expire and timelocks open by chain time, not by this machine's. */
export async function chainNow(lc: Pick<Lifecycle, 'clients'>): Promise<bigint> {
  return (await lc.clients.public.getBlock({ blockTag: 'latest' })).timestamp;
}

export async function onChainGovernance(
  lc: Pick<Lifecycle, 'clients'>,
  gov: { safe: Address; timelock: Address },
): Promise<OnChainGovernance> {
  const read = lc.clients.public;
  const [owners, threshold, minDelay] = await Promise.all([
    read.readContract({ address: gov.safe, abi: SAFE_ABI, functionName: 'getOwners' }),
    read.readContract({ address: gov.safe, abi: SAFE_ABI, functionName: 'getThreshold' }),
    read.readContract({ address: gov.timelock, abi: TIMELOCK_ABI, functionName: 'getMinDelay' }),
  ]);
  return { safeOwners: owners.map((o) => getAddress(o)), safeThreshold: Number(threshold), minDelay };
}

/** The lane policy of a patch, resolved against its Safe and timelock as they are now. */
export async function policyOf(lc: Lifecycle, patch: PlannedPatch): Promise<LanePolicy> {
  return lanePolicy(lc.config.policy, patch.record.lane, await onChainGovernance(lc, patch.plan));
}

/** A patch from the store (its digest and evidence rechecked), on the chain `--rpc` points at. */
export async function requirePatch(lc: Lifecycle, digest: Hex): Promise<PlannedPatch> {
  const patch = await lc.store.get(digest);
  if (!patch) {
    throw inputError(
      'unknown-patch',
      `no patch ${digest} in the store`,
      'run `patchgate status` to list the patches, or check --state-dir / --database-url',
    );
  }
  if (!patch.plan) {
    throw inputError(
      'patch-without-plan',
      `patch ${digest} was recorded without its governance plan`,
      'propose it with `patchgate propose`',
    );
  }
  if (patch.record.chainId !== lc.clients.chain.id) {
    throw inputError(
      'wrong-chain',
      `--rpc is chain ${lc.clients.chain.id}, patch ${digest.slice(0, 10)}… is for chain ${patch.record.chainId}`,
      'point --rpc at the chain the patch targets',
    );
  }
  await lc.store.evidence(digest);
  await requireDeployed(lc, patch as PlannedPatch);
  return patch as PlannedPatch;
}

/** A clear refusal when a patch is not in one of the states a step starts from. */
export function requireState(patch: StoredPatch, allowed: readonly PatchState[], step: string): void {
  if (allowed.includes(patch.state)) return;
  const next: Partial<Record<PatchState, string>> = {
    proposed: 'collect approvals with `patchgate approve`',
    approved: 'queue it with `patchgate queue`',
    queued: 'execute it with `patchgate execute` once the delay has passed',
    executed: 'verify it with `patchgate verify`',
  };
  throw inputError(
    'wrong-state',
    `cannot ${step} patch ${patch.digest.slice(0, 10)}…: it is ${patch.state}`,
    next[patch.state] ?? 'it is final',
  );
}

/**
 * A proposal not queued within `policy.proposalTtl` of being proposed has gone stale: it is moved to
 * `expired` (compare-and-set) and refused; the team proposes it again with fresh evidence.
 */
export async function requireFresh(lc: Lifecycle, patch: PlannedPatch, now: bigint): Promise<void> {
  if (patch.state !== 'proposed' && patch.state !== 'approved') return;
  if (!patch.plan.proposedAt) return;
  const expiresAt = BigInt(patch.plan.proposedAt) + BigInt(lc.config.policy.proposalTtl);
  if (now <= expiresAt) return;
  await lc.store.transition(patch.digest, patch.state, 'expired');
  await syncLog(lc, patch.digest);
  throw inputError(
    'proposal-expired',
    `patch ${patch.digest.slice(0, 10)}… expired at ${unixTime(expiresAt)} (proposed ${lc.config.policy.proposalTtl} s before): its evidence is stale`,
    'propose it again with `patchgate propose --again` (check and simulate run on the chain as it is now)',
  );
}
