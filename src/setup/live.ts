/**
 * What the chain says about each live address init was given: the proxy kind from the ERC-1967 slots, the admin
 * chain up to the Safe (chain/proxy.ts, the one reader every stage uses), and which build of the project the
 * implementation runs — its runtime bytecode compared with each build's, immutables and metadata masked
 * (chain/bytecode.ts). Without a node, the name the deploy tool recorded is all there is.
 */
import { type Address, getAddress, type Hex, type PublicClient } from 'viem';
import { compiled } from '../build/artifact.js';
import { allContracts } from '../build/find.js';
import type { ContractHandle, Project } from '../build/types.js';
import { matchRuntime } from '../chain/bytecode.js';
import { type Controller, describeChain, introspectProxy } from '../chain/proxy.js';
import { inputError } from '../core/errors.js';
import type { ProxyKind, ProxyKindOnChain } from '../core/proxy-kinds.js';
import { isOwnSource } from './discover.js';

/** An address to describe: given with `--address name=0x…`, or recorded by a deploy tool. */
export interface LiveTarget {
  name: string;
  address: string;
  /** `--address`, or the file that recorded it. */
  from: string;
  implementation?: string;
  contractName?: string;
  kind?: ProxyKind;
}

export interface Governance {
  proxyAdmin?: Address;
  timelock?: { address: Address; minDelay: string };
  safe?: { address: Address; owners: Address[]; threshold: number };
}

export interface LiveFound {
  name: string;
  address: Address;
  from: string;
  /** Read from the chain (`none`: not a proxy), or told by the deploy record; undefined when neither says. */
  kind?: ProxyKindOnChain | 'none';
  /** Whether `kind` and the rest were read from the chain. */
  onChain: boolean;
  implementation?: Address;
  admin?: Address;
  beacon?: Address;
  /** Who can upgrade, in one line (chain/proxy.ts's describeChain). */
  upgrade?: string;
  governance?: Governance;
  /** The build it runs: its runtime bytecode matches (`bytecode`), or the deploy record names it (`name`). */
  contract?: { reference: string; matchedBy: 'bytecode' | 'name' };
}

/** The ProxyAdmin, timelock and Safe on an admin chain. */
function governanceOf(upgrader: Controller | undefined): Governance {
  const out: Governance = {};
  const visit = (c: Controller | undefined, depth: number) => {
    if (!c || depth > 6) return;
    if (c.role === 'proxy-admin') out.proxyAdmin ??= c.address;
    if (c.role === 'timelock' && !out.timelock)
      out.timelock = { address: c.address, minDelay: String(c.minDelay ?? 0n) };
    if (c.role === 'safe' && !out.safe)
      out.safe = { address: c.address, owners: c.owners ?? [], threshold: Number(c.threshold ?? 0n) };
    visit(c.controlledBy, depth + 1);
    const proposer = c.proposers?.find((p) => p.role === 'safe') ?? c.proposers?.[0];
    visit(proposer, depth + 1);
  };
  visit(upgrader, 0);
  return out;
}

/** The project's own deployable builds (what live code can be). */
function builds(project: Project): ContractHandle[] {
  return allContracts(project).filter((h) => {
    const object = compiled(h).evm.deployedBytecode.object;
    return isOwnSource(h.sourceName) && object.length > 0;
  });
}

/**
 * The build whose runtime bytecode is the code on chain (metadata, immutables and consistently linked libraries
 * masked, as `check --reference-address` matches); of builds with the same code, the one whose metadata is equal too.
 */
function matchBuild(code: Hex, candidates: ContractHandle[]): ContractHandle | undefined {
  const matches = candidates
    .map((h) => ({ h, m: matchRuntime(code, compiled(h).evm.deployedBytecode) }))
    .filter(({ m }) => m.match);
  return (matches.find(({ m }) => m.exact) ?? matches[0])?.h;
}

/** A build by the bare name a deploy tool recorded, when exactly one has it. */
function byName(project: Project, name: string | undefined): ContractHandle | undefined {
  if (!name) return undefined;
  const found = allContracts(project).filter((h) => h.name === name && isOwnSource(h.sourceName));
  return found.length === 1 ? found[0] : undefined;
}

/** What the records alone tell, without a node. */
export function describeRecorded(project: Project, target: LiveTarget): LiveFound {
  const handle = byName(project, target.contractName);
  return {
    name: target.name,
    address: getAddress(target.address),
    from: target.from,
    onChain: false,
    ...(target.kind ? { kind: target.kind } : {}),
    ...(target.implementation ? { implementation: getAddress(target.implementation) } : {}),
    ...(handle ? { contract: { reference: handle.fullyQualifiedName, matchedBy: 'name' as const } } : {}),
  };
}

/**
 * Each target read from the chain: proxy kind, implementation, admin chain and governance, and the build its code
 * is. An address without code is exit 2 naming it; a node that fails is exit 3 (chain/rpc.ts).
 */
export async function readLive(
  client: PublicClient,
  project: Project,
  targets: LiveTarget[],
): Promise<LiveFound[]> {
  const candidates = builds(project);
  const out: LiveFound[] = [];
  for (const target of targets) {
    const address = getAddress(target.address);
    const code = await client.getCode({ address });
    if (!code || code === '0x') {
      throw inputError(
        'no-code',
        `${target.name} ${address} (from ${target.from}) has no code on this chain`,
        'check the address and that --rpc is the chain it was deployed on',
      );
    }
    const info = await introspectProxy(client, address);
    const runs = info.kind === 'none' ? code : await client.getCode({ address: info.implementation });
    const matched = runs && runs !== '0x' ? matchBuild(runs, candidates) : undefined;
    const named = matched ? undefined : byName(project, target.contractName);
    const handle = matched ?? named;
    out.push({
      name: target.name,
      address,
      from: target.from,
      kind: info.kind,
      onChain: true,
      ...(info.kind !== 'none' ? { implementation: info.implementation } : {}),
      ...(info.admin ? { admin: info.admin } : {}),
      ...(info.beacon ? { beacon: info.beacon } : {}),
      ...(info.kind !== 'none'
        ? { upgrade: describeChain(info.upgrader), governance: governanceOf(info.upgrader) }
        : {}),
      ...(handle
        ? { contract: { reference: handle.fullyQualifiedName, matchedBy: matched ? 'bytecode' : 'name' } }
        : {}),
    });
  }
  return out;
}
