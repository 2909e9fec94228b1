/**
 * From the config to a running watcher's parts: the protected contracts (by their `live` names, attached on chain
 * the way simulate attaches to a fork), each rule the config turns on with what it responds, and what a pause
 * response pauses. Everything is resolved here, once: rules get addresses, never names.
 */
import { type Address, getAddress, type PublicClient } from 'viem';
import { storeLog } from '../audit/log.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import type { Config, WatchConfig } from '../config/schema.js';
import { PAUSABLE_ABI } from '../core/abis.js';
import { inputError } from '../core/errors.js';
import type { Ledger } from '../store/ledger-store.js';
import { attachSystem } from '../system/attach.js';
import type { DeployedSystem } from '../system/model.js';
import type { BlockRule } from './rule.js';
import { upgradeRule } from './rules/upgrades.js';

export type Respond = 'pause' | 'cancel' | 'alert';

export interface WatchedRule {
  rule: BlockRule;
  respond: Respond;
}

export interface WatchSetup {
  system: DeployedSystem;
  /** The protected contracts: name → address. */
  protectedContracts: Map<string, Address>;
  rules: WatchedRule[];
  /** What a pause response pauses. */
  pauseTargets: Address[];
}

/** The config's `watch` with every default applied (a config without the section watches with the defaults). */
export function watchConfigOf(config: Config): WatchConfig {
  return (
    config.watch ?? {
      name: 'default',
      pollMs: 1000,
      reorgDepth: 64,
      pending: true,
      rules: {
        upgrades: { enabled: true, respond: 'pause' },
        governance: { enabled: true, respond: 'cancel' },
        invariants: { enabled: true, respond: 'pause' },
        outflows: { enabled: true, respond: 'pause', assets: [] },
      },
      custom: [],
      pause: { replaceAfter: 3 },
      webhooks: [],
      leaseTtl: 15,
    }
  );
}

function pick(
  system: DeployedSystem,
  names: readonly string[] | undefined,
  what: string,
): Map<string, Address> {
  const out = new Map<string, Address>();
  for (const name of names ?? [...system.contracts.keys()]) {
    const c = system.contracts.get(name);
    if (!c) {
      throw inputError(
        'unknown-contract',
        `${what} names "${name}", which is not under "live" in the config`,
        `live: ${[...system.contracts.keys()].join(', ') || 'none'}`,
      );
    }
    out.set(name, getAddress(c.address));
  }
  return out;
}

async function hasPaused(client: PublicClient, address: Address): Promise<boolean> {
  try {
    await client.readContract({ address, abi: PAUSABLE_ABI, functionName: 'paused' });
    return true;
  } catch (e) {
    rethrowTransportFailure(e);
    return false;
  }
}

export async function setUpWatch(params: {
  clients: Clients;
  project: Project;
  config: Config;
  ledger: Pick<Ledger, 'entries' | 'head'>;
}): Promise<WatchSetup> {
  const { clients, config } = params;
  const watch = watchConfigOf(config);
  const system = await attachSystem(clients, params.project, config);
  const protectedContracts = pick(system, watch.contracts, 'watch.contracts');
  const rules: WatchedRule[] = [];
  if (watch.rules.upgrades.enabled) {
    const proxies = [...protectedContracts].filter(([name]) => system.contracts.get(name)?.proxyKind);
    rules.push({
      respond: watch.rules.upgrades.respond,
      rule: upgradeRule({
        client: clients.public,
        chainId: clients.chain.id,
        proxies: proxies.map(([, a]) => a),
        log: cachedStoreLog(params.ledger),
      }),
    });
  }
  let pauseTargets: Address[];
  if (watch.pause.contracts) {
    pauseTargets = [...pick(system, watch.pause.contracts, 'watch.pause.contracts').values()];
    for (const target of pauseTargets) {
      if (!(await hasPaused(clients.public, target))) {
        throw inputError(
          'not-pausable',
          `watch.pause.contracts names ${target}, which has no paused() view: it cannot be paused`,
          'list only contracts that inherit Pausable',
        );
      }
    }
  } else {
    pauseTargets = [];
    for (const address of protectedContracts.values()) {
      if (await hasPaused(clients.public, address)) pauseTargets.push(address);
    }
  }
  return { system, protectedContracts, rules, pauseTargets };
}

/** The store's log as the upgrades rule reads it, re-read only when it grew. */
function cachedStoreLog(ledger: Pick<Ledger, 'entries' | 'head'>) {
  let cached: { size: number; log: ReturnType<typeof storeLog> } | undefined;
  return async () => {
    const head = await ledger.head();
    if (cached?.size !== head.size)
      cached = { size: head.size, log: storeLog(await ledger.entries(), head.root) };
    return cached.log;
  };
}
