/**
 * On a fork, the live system is not deployed but found: the config names the live addresses; each proxy
 * is introspected (ERC-1967 slots, ProxyAdmin, owner) and the governance behind it resolved on chain,
 * proxy → ProxyAdmin → TimelockController → Safe. The owners' keys are not available there: the governance
 * path impersonates the Safe, and the report says so.
 */
import type { Abi, Address } from 'viem';
import { findContract } from '../build/find.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { abiOf } from '../chain/deploy.js';
import { type Controller, introspectProxy } from '../chain/proxy.js';
import type { Config } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import type { DeployedContract, DeployedSystem } from './model.js';

/** The PatchGate between the proxy's admin and the timelock, when there is one. */
function gateOf(upgrader: Controller | undefined): Controller | undefined {
  if (!upgrader) return undefined;
  if (upgrader.role === 'gate') return upgrader;
  return gateOf(upgrader.controlledBy);
}

/** The gate and its deployed policy, as a live contract carries them. */
function gateFields(gate: Controller | undefined): Pick<DeployedContract, 'gate' | 'gatePolicy'> {
  if (!gate) return {};
  return { gate: gate.address, ...(gate.policy ? { gatePolicy: gate.policy } : {}) };
}

function timelockOf(upgrader: Controller | undefined): Controller | undefined {
  if (!upgrader) return undefined;
  if (upgrader.role === 'timelock') return upgrader;
  return timelockOf(upgrader.controlledBy);
}

export async function attachSystem(
  clients: Clients,
  project: Project,
  config: Config,
): Promise<DeployedSystem> {
  const live = config.live;
  if (!live || Object.keys(live).length === 0) {
    throw inputError(
      'no-live-addresses',
      'the config has no "live" section: a fork, the lifecycle commands and the watcher need the live addresses',
      'add "live": { "vault": { "address": "0x…" }, … }',
    );
  }
  const contracts = new Map<string, DeployedContract>();
  let governance: DeployedSystem['governance'] | undefined;
  let threshold = 0;
  for (const [name, entry] of Object.entries(live)) {
    const address = entry.address as Address;
    const code = await clients.public.getCode({ address });
    if (!code || code === '0x') {
      throw inputError(
        'no-code',
        `live.${name} ${address} has no code on the forked chain`,
        'check the address and --fork-block',
      );
    }
    const proxied = config.contracts[name];
    const ref = proxied?.reference ?? entry.contract;
    if (!ref)
      throw inputError(
        'missing-contract',
        `live.${name} needs "contract" (it is not a proxy in "contracts")`,
        'name its contract so patchgate knows its ABI',
      );
    const abi: Abi = abiOf(findContract(project, ref));
    if (!proxied) {
      contracts.set(name, { name, address, abi });
      continue;
    }
    const info = await introspectProxy(clients.public, address);
    if (info.kind === 'beacon')
      throw inputError(
        'beacon-unsupported',
        `live.${name} is a beacon proxy`,
        'simulate supports transparent and UUPS proxies for now',
      );
    if (info.kind === 'none' || info.kind === 'erc1967')
      throw inputError(
        'live-not-upgradeable',
        info.kind === 'none'
          ? `live.${name} (${address}) is not an ERC-1967 proxy: its implementation and beacon slots are empty`
          : `live.${name} (${address}) is an ERC-1967 proxy with no admin slot and an implementation without UUPS's proxiableUUID`,
        `point live.${name} at the transparent or UUPS proxy users call`,
      );
    contracts.set(name, {
      name,
      address,
      abi,
      implementation: info.implementation,
      proxyKind: info.kind,
      ...(info.admin ? { proxyAdmin: info.admin } : {}),
      ...gateFields(gateOf(info.upgrader)),
    });
    const timelock = timelockOf(info.upgrader);
    // The proposer is impersonated on a fork: a Safe, or any other proposer (a Governor, an EOA).
    const proposer = timelock?.proposers?.find((p) => p.role === 'safe') ?? timelock?.proposers?.[0];
    if (!timelock || !proposer) {
      throw inputError(
        'governance-not-found',
        `cannot resolve the governance of live.${name}: expected proxy → ProxyAdmin/owner → TimelockController → proposer`,
        'patchgate simulates the proposer → timelock path; check the addresses',
      );
    }
    governance ??= { safe: proposer.address, timelock: timelock.address };
    threshold = Number(proposer.threshold ?? 0n);
  }
  if (!governance)
    throw inputError(
      'no-proxy',
      'none of the live addresses is a proxy named in "contracts"',
      'list the patched proxy under "live"',
    );
  return { governance, owners: [], threshold, contracts };
}
