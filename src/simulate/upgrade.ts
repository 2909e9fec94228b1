/**
 * simulate, phase 3 — upgrade: deploy the candidate, build the patch's upgrade call (through PatchGate when the live
 * system has one), and send it through the real governance path (Safe → timelock → proxy). Then read what the upgrade
 * did: every proxy slot it changed, named by the layouts, and whether the proxy now runs the candidate.
 */
import { type Address, keccak256, toHex } from 'viem';
import { makeFinding } from '../analyze/catalog.js';
import { storageLayoutOf } from '../analyze/upgrades.js';
import { ensureNamespaced, findContract } from '../build/index.js';
import type { ContractHandle } from '../build/types.js';
import { abiOf, deploy } from '../chain/deploy.js';
import { introspectProxy } from '../chain/proxy.js';
import type { Finding } from '../core/finding.js';
import { passedIf } from '../core/stages.js';
import { timelockCall } from '../govern/plan.js';
import { patchUpgradeCall } from '../system/encode.js';
import { gatePolicyHash } from '../system/gate-policy.js';
import { accountFor } from '../system/model.js';
import { type GovernanceResult, upgradeThroughGovernance } from './governance.js';
import type { SimulationRun } from './prepare.js';
import { classifyChanges, type SlotChange, tracePreimages, traceStorageChanges } from './storage-diff.js';

/** The record fields a gated call does not read (a simulation has no patch record yet); it runs the standard lane. */
const SIMULATED = {
  chainId: 0,
  implementation: '0x0000000000000000000000000000000000000000',
  lane: 'standard',
  evidence: {},
} as const;

/** A 32-byte word without its leading zeros, for messages. */
const trimWord = (hex: string) => `0x${hex.replace(/^0x0*/, '') || '0'}`;

export interface Upgrade {
  candidate: ContractHandle;
  implementation: Address;
  governance: GovernanceResult;
  /** Every proxy slot the upgrade transaction changed (empty when the governance path reverted). */
  storageDiff: SlotChange[];
  findings: Finding[];
}

export async function runUpgrade(run: SimulationRun): Promise<Upgrade> {
  const { clients, system, target, patch, config, project } = run;
  const candidate = findContract(project, patch.candidate);
  const implementation = await deploy(clients.wallet(accountFor('deployer')), clients.public, candidate);
  const upgrade = patchUpgradeCall(system, target, patch, { abi: abiOf(candidate), implementation });
  // Through patchgate's PatchGate when the live system has one (found on chain): it checks the policy, the
  // lane and the codehash. A gate deployed with another policy than the config's, or closing the standard
  // lane, is refused here with the fix (exit 2), as it would be on chain.
  const policyHash = gatePolicyHash(config.policy, target, SIMULATED.lane);
  const call = target.gate
    ? timelockCall(
        {
          ...SIMULATED,
          proxy: target.address,
          target: upgrade.target,
          calldata: upgrade.data,
          codehash: keccak256((await clients.public.getCode({ address: implementation })) ?? '0x'),
        },
        {
          gate: target.gate,
          salt: keccak256(toHex(`patchgate:simulate:${patch.name}`)),
          ...(policyHash ? { policyHash } : {}),
        },
      )
    : upgrade;
  const governance = await run.stages.time(
    'governance',
    () =>
      upgradeThroughGovernance(clients, system.governance, {
        ...call,
        salt: keccak256(toHex(`patchgate:${patch.name}`)),
        // The standard lane's review window, when the policy sets one: time-dependent effects show.
        ...(config.policy.lanes.standard.delay !== undefined
          ? { delay: BigInt(config.policy.lanes.standard.delay) }
          : {}),
        signers: system.owners.slice(0, system.threshold),
        submitter: accountFor('deployer'),
        errorsAbi: run.errorsAbi,
      }),
    (r) => passedIf(r.ok),
  );
  const findings: Finding[] = [];
  if (!governance.ok) {
    findings.push(
      makeFinding('simulation-reverted', {
        message: `${governance.revert?.step} reverted: ${governance.revert?.reason} (upgrading ${patch.contract} to ${candidate.name}).`,
        status: 'introduced',
        key: governance.revert?.step,
      }),
    );
    return { candidate, implementation, governance, storageDiff: [], findings };
  }
  const storageDiff = await upgradeStorageDiff(run, candidate, governance);
  for (const change of storageDiff.filter((ch) => !ch.expected)) {
    findings.push(
      makeFinding('storage-unexpected-change', {
        message: `${change.variable} (slot ${trimWord(change.slot)}) changed ${trimWord(change.before)} → ${trimWord(change.after)} during the upgrade; only the implementation, the initializer version and new variables were expected to change.`,
        status: 'introduced',
        key: change.slot,
      }),
    );
  }
  const live = (await introspectProxy(clients.public, target.address)).implementation;
  if (live.toLowerCase() !== implementation.toLowerCase()) {
    findings.push(
      makeFinding('upgrade-not-applied', {
        message: `after the governance path, ${patch.contract} points at ${live}, not the candidate ${implementation}.`,
        status: 'introduced',
      }),
    );
  }
  return { candidate, implementation, governance, storageDiff, findings };
}

/** The proxy slots the executing transaction changed, named by the candidate's and the reference's layouts. */
async function upgradeStorageDiff(
  run: SimulationRun,
  candidate: ContractHandle,
  governance: GovernanceResult,
): Promise<SlotChange[]> {
  const { clients, config, patch, project, target } = run;
  const execute = governance.steps.find((st) => st.name === 'safe-execute')?.txHash;
  const reference = findContract(project, config.contracts[patch.contract]?.reference ?? patch.contract);
  for (const unit of new Set([candidate.unit, reference.unit]))
    await ensureNamespaced(unit, run.params.stateDir);
  if (!execute) return [];
  return classifyChanges(
    await traceStorageChanges(clients.public, execute, target.address),
    storageLayoutOf(candidate),
    storageLayoutOf(reference),
    patch.expectStorage,
    await tracePreimages(clients.public, execute),
  );
}
