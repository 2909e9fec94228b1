/**
 * From the config to a running watcher's parts: the protected contracts (by their `live` names, attached on chain
 * the way simulate attaches to a fork), each rule the config turns on with what it responds, and what a pause
 * response pauses. Everything is resolved here, once: rules get addresses, never names.
 */

import { isAbsolute, resolve } from 'node:path';
import { type Address, getAddress, type Hex, type PublicClient } from 'viem';
import { storeLog } from '../audit/log.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import { importUserModule } from '../config/load.js';
import type { Config, WatchConfig } from '../config/schema.js';
import { PAUSABLE_ABI } from '../core/abis.js';
import { inputError } from '../core/errors.js';
import type { Ledger } from '../store/ledger-store.js';
import { attachSystem } from '../system/attach.js';
import { resolveInvariant } from '../system/invariants.js';
import type { DeployedSystem } from '../system/model.js';
import type { BlockRule, RuleModule } from './rule.js';
import { governanceRule } from './rules/governance.js';
import { invariantRule, type WatchedInvariant } from './rules/invariants.js';
import { matchRule } from './rules/match.js';
import { outflowRule } from './rules/outflows.js';
import { upgradeRule } from './rules/upgrades.js';
import { pendingSimulator } from './simulate-pending.js';

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
      match: [],
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
  /** Where custom rule modules' relative paths start (the project directory). */
  baseDir: string;
  /** The timelock operations patches planned (the store's): any other one scheduled is an alert. */
  knownOperations: () => Promise<ReadonlySet<Hex>>;
  ledger: Pick<Ledger, 'entries' | 'head'>;
}): Promise<WatchSetup> {
  const { clients, config } = params;
  const watch = watchConfigOf(config);
  const system = await attachSystem(clients, params.project, config);
  const protectedContracts = pick(system, watch.contracts, 'watch.contracts');
  const rules: WatchedRule[] = [];
  /** The rules that judge pending transactions share one simulation of each. */
  const simulator = pendingSimulator(clients.public);
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
  if (watch.rules.governance.enabled) {
    const proxyAdmins = [...system.contracts.values()].flatMap((c) => (c.proxyAdmin ? [c.proxyAdmin] : []));
    rules.push({
      respond: watch.rules.governance.respond,
      rule: governanceRule({
        client: clients.public,
        timelock: system.governance.timelock,
        safe: system.governance.safe,
        proxyAdmins,
        contracts: [...protectedContracts].map(([name, address]) => ({
          name,
          address,
          abi: system.contracts.get(name)?.abi ?? [],
        })),
        knownOperations: params.knownOperations,
      }),
    });
  }
  if (watch.rules.invariants.enabled && config.invariants.length > 0) {
    rules.push({
      respond: watch.rules.invariants.respond,
      rule: invariantRule({ client: clients.public, invariants: liveInvariants(system, config), simulator }),
    });
  }
  if (watch.rules.outflows.enabled && watch.rules.outflows.assets.length > 0) {
    rules.push({
      respond: watch.rules.outflows.respond,
      rule: outflowRule({
        client: clients.public,
        simulator,
        contracts: [...protectedContracts.values()],
        assets: watch.rules.outflows.assets.map((a, i) => ({
          token: tokenAddress(system, a.token, `watch.rules.outflows.assets[${i}].token`),
          ...(a.cap !== undefined ? { cap: BigInt(a.cap) } : {}),
          ...(a.factor !== undefined ? { factor: a.factor } : {}),
          ...(a.window !== undefined ? { window: a.window } : {}),
          ...(a.floor !== undefined ? { floor: BigInt(a.floor) } : {}),
          symbol: a.token,
        })),
      }),
    });
  }
  for (const custom of watch.custom) {
    const path = isAbsolute(custom.module) ? custom.module : resolve(params.baseDir, custom.module);
    const rule = await customRule(path, {
      client: clients.public,
      chainId: clients.chain.id,
      contracts: protectedContracts,
      options: custom.options,
    });
    rules.push({ rule, respond: custom.respond });
  }
  for (const [i, m] of watch.match.entries()) {
    const addresses = m.addresses.map((a, j) => tokenAddress(system, a, `watch.match[${i}].addresses[${j}]`));
    // A bare signature takes its names from the watched contracts' own ABIs first, then any live contract's.
    const own = (c: { address: string }) => addresses.includes(getAddress(c.address));
    const live = [...system.contracts.values()];
    const rule = matchRule({
      client: clients.public,
      name: m.name,
      addresses,
      ...(m.events ? { events: m.events } : {}),
      ...(m.functions ? { functions: m.functions } : {}),
      abis: [...live.filter(own), ...live.filter((c) => !own(c))].map((c) => c.abi),
      ...(m.severity ? { severity: m.severity } : {}),
    });
    rules.push({ rule, respond: m.respond });
  }
  const names = rules.map((r) => r.rule.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) {
    throw inputError(
      'watch-rule-invalid',
      `two watch rules are named "${twice}"`,
      'give each custom rule its own name',
    );
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

const isRule = (v: unknown): v is BlockRule =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { name?: unknown }).name === 'string' &&
  /^[a-z0-9]+(-[a-z0-9]+)*$/.test((v as { name: string }).name) &&
  typeof (v as { evaluate?: unknown }).evaluate === 'function';

/** A team's rule module: its default export is a rule or a factory of one (rule.ts RuleModule). */
async function customRule(
  path: string,
  ctx: Parameters<Exclude<RuleModule, BlockRule>>[0],
): Promise<BlockRule> {
  const exported = await importUserModule(path, `the watch rule module ${path}`);
  const rule =
    typeof exported === 'function' ? await (exported as Exclude<RuleModule, BlockRule>)(ctx) : exported;
  if (!isRule(rule)) {
    throw inputError(
      'watch-rule-invalid',
      `${path} does not export a watch rule: its default export must be { name (kebab-case), evaluate(block) } or a function returning one`,
      'export default defineRule({ name: "my-rule", async evaluate(block) { return []; } })',
    );
  }
  return rule;
}

/** The config's invariants against the live system: each must name a function the live contract has. */
function liveInvariants(system: DeployedSystem, config: Config): WatchedInvariant[] {
  return config.invariants.map((inv) => {
    const target = system.contracts.get(inv.target);
    const resolved = target ? resolveInvariant(system, inv, target.abi) : undefined;
    if (!target || !resolved) {
      throw inputError(
        'bad-invariant',
        `invariant ${inv.name}: ${target ? `${inv.target} has no function ${inv.function}()` : `"${inv.target}" is not under "live"`}`,
        'name a live contract and one of its view functions',
      );
    }
    return { ...resolved, errors: target.abi };
  });
}

/** A token by its `live` name or its address. */
function tokenAddress(system: DeployedSystem, token: string, where: string): Address {
  if (/^0x[0-9a-fA-F]{40}$/.test(token)) return getAddress(token);
  const c = system.contracts.get(token);
  if (!c) {
    throw inputError(
      'unknown-contract',
      `${where} "${token}" is neither an address nor a name under "live"`,
      `live: ${[...system.contracts.keys()].join(', ') || 'none'}`,
    );
  }
  return getAddress(c.address);
}
