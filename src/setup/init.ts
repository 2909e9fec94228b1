/**
 * `initConfig`: a project's upgradeable contracts and, when given, where they are live, turned into the text of
 * `patchgate.config.json` — a new commented file, or the team's file with only what is new merged in. Nothing is
 * written here: the caller shows what was found, asks if it must, and writes `text` when `outcome` is not
 * `unchanged`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { PublicClient } from 'viem';
import { loadProject } from '../build/load.js';
import type { ProjectLayout } from '../build/types.js';
import { parseConfig } from '../config/load.js';
import { inputError } from '../core/errors.js';
import type { ProxyKind } from '../core/proxy-kinds.js';
import { type Difference, type Entry, mergeInto, renderNew } from './config-text.js';
import { type RecordedProxy, readBroadcast, readHardhatDeployments } from './deployments.js';
import { type DiscoveredContract, discoverUpgradeable } from './discover.js';
import { describeRecorded, type LiveFound, type LiveTarget, readLive } from './live.js';

export interface InitOptions {
  projectDir: string;
  stateDir: string;
  /** Where the config goes (its `project` is written relative to it). */
  configFile: string;
  /** A node to read the live addresses from (proxy kind, admin chain, governance, which build runs). */
  client?: PublicClient;
  /** Addresses given by name (`--address vault=0x…`). */
  addresses?: { name: string; address: string }[];
  /** A Foundry broadcast/ folder; default: the project's, when it has one. */
  broadcast?: string;
  /** A hardhat-deploy deployments/ folder (or one network's); default: the project's, when it has one. */
  deployments?: string;
  /** Replace values of the existing file that differ from what init found. */
  force?: boolean;
}

export interface InitResult {
  project: { dir: string; layout: ProjectLayout };
  configFile: string;
  contracts: DiscoveredContract[];
  live: LiveFound[];
  chainId?: number;
  /** `created` a new file, `updated` an existing one, `unchanged`: nothing new to add. */
  outcome: 'created' | 'updated' | 'unchanged';
  /** The config's text after init (the file's text as it was, when unchanged). */
  text: string;
  added: string[];
  differences: Difference[];
  /** Whether the differences were replaced with what init found (`force`), or kept. */
  forced: boolean;
  /** What init could not settle and a person should look at. */
  notes: string[];
}

const CODE_CONFIGS = ['patchgate.config.ts', 'patchgate.config.mjs', 'patchgate.config.js'];

/** The deploy records to read, with where they came from; an explicit folder that does not exist is exit 2. */
function recorded(opts: InitOptions, chainIds: number[] | undefined): RecordedProxy[] {
  const out: RecordedProxy[] = [];
  const sources = [
    {
      flag: '--broadcast',
      given: opts.broadcast,
      auto: join(opts.projectDir, 'broadcast'),
      read: readBroadcast,
    },
    {
      flag: '--deployments',
      given: opts.deployments,
      auto: join(opts.projectDir, 'deployments'),
      read: readHardhatDeployments,
    },
  ];
  for (const { flag, given, auto, read } of sources) {
    if (given !== undefined && !existsSync(given))
      throw inputError('unreadable-file', `${flag} ${given} does not exist`, 'check the path');
    const dir = given ?? (existsSync(auto) ? auto : undefined);
    if (dir) out.push(...read(dir, opts.projectDir, chainIds));
  }
  const chains = [...new Set(out.flatMap((r) => (r.chainId !== undefined ? [r.chainId] : [])))];
  if (chains.length > 1) {
    throw inputError(
      'deployments-ambiguous',
      `the deploy records name proxies on several chains (${chains.join(', ')})`,
      'pass --rpc with the node of the chain to describe (its chain id picks the records)',
    );
  }
  return out;
}

/** `--address` first (its name wins), then the records, one per address. */
function targetsOf(opts: InitOptions, records: RecordedProxy[]): LiveTarget[] {
  const out = new Map<string, LiveTarget>();
  for (const a of opts.addresses ?? [])
    out.set(a.address.toLowerCase(), { name: a.name, address: a.address, from: '--address' });
  for (const r of records) {
    const key = r.address.toLowerCase();
    const given = out.get(key);
    out.set(key, {
      ...(given ?? { name: r.name, from: r.file }),
      address: r.address,
      ...(r.implementation ? { implementation: r.implementation } : {}),
      ...(r.contractName ? { contractName: r.contractName } : {}),
      ...(r.kind ? { kind: r.kind } : {}),
    });
  }
  return [...out.values()];
}

const isProxyKind = (k: string | undefined): k is ProxyKind =>
  k === 'transparent' || k === 'uups' || k === 'beacon';

function liveComment(l: LiveFound): string[] {
  const what = l.kind === 'none' ? 'not a proxy' : l.kind ? `${l.kind} proxy` : 'proxy';
  const impl = l.implementation ? `, implementation ${l.implementation}` : '';
  const build = l.contract
    ? l.contract.matchedBy === 'bytecode'
      ? ` (its bytecode is ${l.contract.reference})`
      : ` (${l.from} names ${l.contract.reference}${l.onChain ? '; the code on chain is not this build' : ''})`
    : ' (no build of this project matches it)';
  return [
    `${what}${impl}${build}`,
    ...(l.upgrade
      ? [`upgraded by: ${l.upgrade}`]
      : l.onChain
        ? []
        : [`from ${l.from}; not read from a chain`]),
  ];
}

/** Entries for the config: live proxies paired with their build first, then the other upgradeable contracts. */
function entriesOf(found: DiscoveredContract[], live: LiveFound[], notes: string[]): Entry[] {
  const contracts: Entry[] = [];
  const liveEntries: Entry[] = [];
  const taken = new Set<string>();
  const paired = new Set<string>();
  const discovered = new Map(found.map((c) => [c.reference, c]));
  for (const l of live) {
    taken.add(l.name);
    const isProxy = l.kind !== 'none';
    const ref = l.contract?.reference;
    if (isProxy && ref) {
      const kind = isProxyKind(l.kind) ? l.kind : (discovered.get(ref)?.kind ?? 'transparent');
      paired.add(ref);
      contracts.push({
        section: 'contracts',
        key: l.name,
        value: { kind, reference: ref },
        comment: [[...(discovered.get(ref)?.reasons ?? []), `live at live.${l.name}`].join('; ')],
      });
      liveEntries.push({
        section: 'live',
        key: l.name,
        value: { address: l.address },
        comment: liveComment(l),
      });
      continue;
    }
    liveEntries.push({
      section: 'live',
      key: l.name,
      value: { address: l.address, ...(!isProxy && ref ? { contract: ref } : {}) },
      comment: liveComment(l),
    });
    if (!ref)
      notes.push(
        `live.${l.name} (${l.address}) matches no build of this project: add contracts.${l.name} (or live.${l.name}.contract) by hand`,
      );
  }
  for (const c of found) {
    if (paired.has(c.reference)) continue;
    let key = c.name;
    for (let i = 2; taken.has(key); i++) key = `${c.name}${i}`;
    taken.add(key);
    contracts.push({
      section: 'contracts',
      key,
      value: { kind: c.kind, reference: c.reference },
      comment: [c.reasons.join('; ')],
    });
  }
  return [...contracts, ...liveEntries];
}

/**
 * Find the project's upgradeable contracts (and their live proxies, when told where) and produce the config text.
 *
 * @example
 * ```ts
 * const r = await initConfig({ projectDir: '.', stateDir: '.patchgate', configFile: 'patchgate.config.json' });
 * if (r.outcome !== 'unchanged') writeFileSync(r.configFile, r.text);
 * ```
 */
export async function initConfig(opts: InitOptions): Promise<InitResult> {
  const configDir = dirname(opts.configFile);
  const codeConfig = CODE_CONFIGS.map((f) => join(configDir, f)).find((f) => existsSync(f));
  if (codeConfig && !existsSync(opts.configFile)) {
    throw inputError(
      'config-not-json',
      `${codeConfig} exists: init writes patchgate.config.json and will not shadow a config module`,
      'run `patchgate init --format json` with --config pointing elsewhere and copy the entries into your module',
    );
  }
  // A broken config is reported before any work (and never overwritten).
  const previous = existsSync(opts.configFile) ? readFileSync(opts.configFile, 'utf8') : undefined;
  if (previous !== undefined) await parseConfig(previous, opts.configFile);

  const project = await loadProject({ dir: opts.projectDir, stateDir: opts.stateDir });
  const contracts = discoverUpgradeable(project);
  const chainId = opts.client ? await opts.client.getChainId() : undefined;
  const targets = targetsOf(opts, recorded(opts, chainId !== undefined ? [chainId] : undefined));
  const live = opts.client
    ? await readLive(opts.client, project, targets)
    : targets.map((t) => describeRecorded(project, t));
  const notes: string[] = [];
  const entries = entriesOf(contracts, live, notes);

  const projectRel = relative(configDir, project.dir).split(sep).join('/') || '.';
  let text: string;
  let added: string[];
  let differences: Difference[] = [];
  if (previous === undefined) {
    text = renderNew({
      project: projectRel,
      layout: project.layout,
      entries,
      ...(chainId ? { chainId } : {}),
    });
    added = entries.map((e) => `${e.section}.${e.key}`);
  } else {
    ({ text, added, differences } = mergeInto(previous, entries, { force: opts.force ?? false }));
  }
  // What init writes must load: checked with the real loader, so a bad file is never left behind.
  await parseConfig(text, opts.configFile);
  return {
    project: { dir: project.dir, layout: project.layout },
    configFile: opts.configFile,
    contracts,
    live,
    ...(chainId !== undefined ? { chainId } : {}),
    outcome: previous === undefined ? 'created' : text === previous ? 'unchanged' : 'updated',
    text,
    added,
    differences,
    forced: opts.force === true,
    notes,
  };
}
