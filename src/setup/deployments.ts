/**
 * Where a project's proxies are live, as its deploy tool recorded them: Foundry's `broadcast/<Script>.s.sol/
 * <chainId>/run-latest.json` (each CREATE with its contract name and constructor arguments) and hardhat-deploy's
 * `deployments/<network>/*.json` (each with its address and, for a proxied deployment, its `implementation`).
 * Only proxies are taken: they are what patches upgrade and what `live` names.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { inputError } from '../core/errors.js';
import type { ProxyKind } from '../core/proxy-kinds.js';

export interface RecordedProxy {
  /** The name proposed for `live` and `contracts` (`vault` for a VaultV1 behind a proxy). */
  name: string;
  address: string;
  /** The implementation's address, when the record has it. */
  implementation?: string;
  /** The implementation's contract name, as the tool recorded it. */
  contractName?: string;
  /** The kind the proxy contract's name tells (TransparentUpgradeableProxy → transparent …). */
  kind?: ProxyKind;
  chainId?: number;
  /** The file it came from, relative to the project. */
  file: string;
}

/** The proxy contracts deploy tools use, and the kind each makes. */
const PROXY_CONTRACTS: Record<string, ProxyKind | undefined> = {
  ERC1967Proxy: undefined,
  TransparentUpgradeableProxy: 'transparent',
  OptimizedTransparentUpgradeableProxy: 'transparent',
  EIP173Proxy: 'transparent',
  EIP173ProxyWithReceive: 'transparent',
  BeaconProxy: 'beacon',
};

const isAddress = (v: unknown): v is string => typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v);

/** `VaultV1` → `vault`, `ERC20Token` → `erc20Token`: the name a proxy of that implementation goes by. */
function liveNameOf(contractName: string): string {
  const base = contractName.replace(/_?V\d+$/, '') || contractName;
  const lead = /^[A-Z]+(?=[A-Z][a-z]|\d|$)/.exec(base)?.[0];
  if (lead && lead.length > 1) return lead.toLowerCase() + base.slice(lead.length);
  return base.charAt(0).toLowerCase() + base.slice(1);
}

function readJson(file: string, project: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw inputError(
      'deployments-invalid',
      `${relative(project, file) || file} is not readable JSON: ${(e as Error).message.split('\n')[0]}`,
      'pass the folder your deploy tool wrote (broadcast/ or deployments/<network>/), unedited',
    );
  }
}

/** The folders in `dir`; an entry that cannot be read (a dangling symlink) is not one. */
/**
 * A Solidity identifier: what a deploy record names a contract (or a hardhat-deploy file its deployment) must be
 * one before it becomes a name in the config or on the terminal — these files are input, edited or not.
 */
const isIdentifier = (name: unknown): name is string =>
  typeof name === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);

const dirs = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir).filter(
        (d) => statSync(join(dir, d), { throwIfNoEntry: false })?.isDirectory() === true,
      )
    : [];

/** Names unique among `taken`: `vault`, `vault2`, … */
function unique(name: string, taken: Set<string>): string {
  let out = name;
  for (let i = 2; taken.has(out); i++) out = `${name}${i}`;
  taken.add(out);
  return out;
}

interface BroadcastTx {
  transactionType?: string;
  contractName?: string | null;
  contractAddress?: string | null;
  arguments?: unknown[] | null;
}

/**
 * The proxies of every `run-latest.json` under a Foundry `broadcast/` folder (or one script's folder in it), for
 * the chains in `chainIds` (all when undefined). A proxy's implementation is its first constructor argument; its
 * contract name is what the same broadcasts created at that address.
 */
export function readBroadcast(dir: string, project: string, chainIds?: number[]): RecordedProxy[] {
  const runs: { file: string; chainId: number }[] = [];
  const scripts = existsSync(join(dir, 'run-latest.json')) ? [''] : dirs(dir);
  for (const script of scripts) {
    const scriptDir = join(dir, script);
    for (const chain of dirs(scriptDir).filter((d) => /^\d+$/.test(d))) {
      const file = join(scriptDir, chain, 'run-latest.json');
      if (existsSync(file)) runs.push({ file, chainId: Number(chain) });
    }
    if (existsSync(join(scriptDir, 'run-latest.json')))
      runs.push({ file: join(scriptDir, 'run-latest.json'), chainId: Number(basename(scriptDir)) });
  }
  const created = new Map<string, string>();
  const proxies: { tx: BroadcastTx; file: string; chainId: number }[] = [];
  for (const run of runs) {
    const json = readJson(run.file, project) as { transactions?: BroadcastTx[]; chain?: number };
    const chainId = typeof json.chain === 'number' ? json.chain : run.chainId;
    if (chainIds && !chainIds.includes(chainId)) continue;
    for (const tx of json.transactions ?? []) {
      if (
        !tx.transactionType?.startsWith('CREATE') ||
        !isAddress(tx.contractAddress) ||
        !isIdentifier(tx.contractName)
      )
        continue;
      created.set(`${chainId}:${tx.contractAddress.toLowerCase()}`, tx.contractName);
      if (Object.hasOwn(PROXY_CONTRACTS, tx.contractName)) proxies.push({ tx, file: run.file, chainId });
    }
  }
  const taken = new Set<string>();
  return proxies.map(({ tx, file, chainId }) => {
    const proxyName = tx.contractName as string;
    const first = tx.arguments?.[0];
    const kind = PROXY_CONTRACTS[proxyName];
    // A BeaconProxy's first argument is the beacon, not an implementation.
    const implementation = kind !== 'beacon' && isAddress(first) ? first : undefined;
    const contractName = implementation
      ? created.get(`${chainId}:${implementation.toLowerCase()}`)
      : undefined;
    return {
      name: unique(liveNameOf(contractName ?? proxyName), taken),
      address: tx.contractAddress as string,
      ...(implementation ? { implementation } : {}),
      ...(contractName ? { contractName } : {}),
      ...(kind ? { kind } : {}),
      chainId,
      file: relative(project, file),
    };
  });
}

interface HardhatDeployment {
  address?: unknown;
  implementation?: unknown;
  metadata?: unknown;
}

/** The contract a hardhat-deploy record is a build of: its metadata's compilation target. */
function compilationTarget(d: HardhatDeployment | undefined): string | undefined {
  if (typeof d?.metadata !== 'string') return undefined;
  try {
    const target = (JSON.parse(d.metadata) as { settings?: { compilationTarget?: Record<string, string> } })
      .settings?.compilationTarget;
    const name = target ? Object.values(target)[0] : undefined;
    return isIdentifier(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** One network folder of hardhat-deploy: `Name.json` with `implementation` is a proxy (`Name_Proxy.json` beside it). */
function readNetwork(dir: string, project: string): RecordedProxy[] {
  const chainFile = join(dir, '.chainId');
  const chainId = existsSync(chainFile) ? Number(readFileSync(chainFile, 'utf8').trim()) : undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .sort();
  const records = new Map(
    files.map((f) => [f.slice(0, -5), readJson(join(dir, f), project) as HardhatDeployment]),
  );
  const taken = new Set<string>();
  const out: RecordedProxy[] = [];
  for (const [name, d] of records) {
    if (
      !isIdentifier(name) ||
      /_(Implementation|Proxy)$/.test(name) ||
      !isAddress(d.address) ||
      !isAddress(d.implementation)
    )
      continue;
    const contractName = compilationTarget(records.get(`${name}_Implementation`));
    const proxyContract = compilationTarget(records.get(`${name}_Proxy`));
    const kind =
      proxyContract && Object.hasOwn(PROXY_CONTRACTS, proxyContract)
        ? PROXY_CONTRACTS[proxyContract]
        : undefined;
    out.push({
      name: unique(liveNameOf(name), taken),
      address: d.address,
      implementation: d.implementation,
      ...(contractName ? { contractName } : {}),
      ...(kind ? { kind } : {}),
      ...(chainId !== undefined && Number.isInteger(chainId) ? { chainId } : {}),
      file: relative(project, join(dir, `${name}.json`)),
    });
  }
  return out;
}

/**
 * The proxies of a hardhat-deploy `deployments/` folder: one network folder, or the folder of networks (then only
 * the networks whose `.chainId` is in `chainIds`, when given).
 */
export function readHardhatDeployments(dir: string, project: string, chainIds?: number[]): RecordedProxy[] {
  if (readdirSync(dir).some((f) => f.endsWith('.json'))) return readNetwork(dir, project);
  return dirs(dir).flatMap((network) =>
    readNetwork(join(dir, network), project).filter(
      (p) => !chainIds || p.chainId === undefined || chainIds.includes(p.chainId),
    ),
  );
}
