/**
 * `drift`: one patch, many chains — which chains still run the vulnerable code, or code nobody can name. For each
 * of the config's chains and each patched contract, the proxy's implementation is read from the chain (ERC-1967
 * slots, chain/proxy.ts) and its runtime code compared with the builds (metadata and immutables masked,
 * chain/bytecode.ts): the contract's `reference` (the live, vulnerable version) and each patch's `candidate`.
 * Read-only: nothing is sent, nothing stored.
 */

import { type Address, type Hex, keccak256, type PublicClient } from 'viem';
import { compiled } from '../build/artifact.js';
import { findContract } from '../build/find.js';
import { loadProject } from '../build/index.js';
import type { ContractHandle } from '../build/types.js';
import { matchRuntime } from '../chain/bytecode.js';
import { classifyProxy } from '../chain/proxy.js';
import { isRevert, rpcFailure } from '../chain/rpc.js';
import type { Config } from '../config/schema.js';
import { inputError, isPatchgateError, PatchgateError } from '../core/errors.js';
import type { ProxyKindOnChain } from '../core/proxy-kinds.js';
import { chainEntries, chainLifecycles } from './chains.js';
import type { Lifecycle } from './lifecycle.js';

/** `patched`: a patch's candidate runs there; `vulnerable`: the reference does; `unknown`: neither (or nothing). */
export type DriftStatus = 'patched' | 'vulnerable' | 'unknown';

/** One contract on one chain. */
export interface DriftEntry {
  chain: string;
  chainId: number;
  /** The contract's name in `contracts` (and in the chain's `live`). */
  contract: string;
  /** The proxy (`chains.<chain>.live.<contract>`); absent when that chain lists no such contract. */
  proxy?: Address;
  /** How the proxy holds its implementation; absent when it is no ERC-1967 proxy. */
  kind?: ProxyKindOnChain;
  /** The implementation the proxy runs now. */
  implementation?: Address;
  /** keccak256 of the implementation's runtime code (of the address's own code when it is no proxy). */
  codehash?: Hex;
  status: DriftStatus;
  /** `patched`: the patch whose candidate runs there. */
  patch?: string;
  /** The build the code is (`path:Name`), when it is one of them. */
  build?: string;
  /** Why the status is `unknown` (or what else is worth knowing about it). */
  reason?: string;
}

export interface DriftResult {
  /** `pass` when every chain runs a patch's candidate for every contract; `fail` otherwise (exit 1). */
  verdict: 'pass' | 'fail';
  entries: DriftEntry[];
}

/** What drift reads with: the config and project (its compiler cache under the state dir); no store. */
type Base = Pick<Lifecycle, 'config' | 'projectDir' | 'stateDir'>;

export interface DriftParameters {
  /** Only this patch: its contract, and only its candidate counts as patched. Default: every patched contract. */
  patch?: string;
  /** The chains to read (names under `chains`). Default: all of them. */
  chains?: readonly string[];
}

/** A patched contract and the builds its code is compared with. */
interface Target<B> {
  contract: string;
  reference: B;
  candidates: { patch: string; build: B }[];
}

/** The contracts to check, by name, with their reference and candidates as config references (`path:Name`). */
function targetsOf(config: Config, patchName?: string): Target<string>[] {
  if (config.patches.length === 0) {
    throw inputError(
      'no-patches',
      'the config declares no patches: drift has no fix to look for',
      'declare the patch under "patches" (name, contract, candidate)',
    );
  }
  let contracts = [...new Set(config.patches.map((p) => p.contract))];
  if (patchName !== undefined) {
    const patch = config.patches.find((p) => p.name === patchName);
    if (!patch) {
      throw inputError(
        'unknown-patch',
        `patch "${patchName}" is not declared in the config`,
        `declared patches: ${config.patches.map((p) => p.name).join(', ')}`,
      );
    }
    contracts = [patch.contract];
  }
  return contracts.map((contract) => ({
    contract,
    reference: config.contracts[contract]?.reference as string,
    candidates: config.patches
      .filter((p) => p.contract === contract)
      .map((p) => ({ patch: p.name, build: p.candidate })),
  }));
}

/** The builds' runtime code, looked up in the project (an unknown name is exit 2 with suggestions). */
function withBuilds(
  project: Awaited<ReturnType<typeof loadProject>>,
  t: Target<string>,
): Target<ContractHandle> {
  return {
    contract: t.contract,
    reference: findContract(project, t.reference),
    candidates: t.candidates.map((c) => ({ patch: c.patch, build: findContract(project, c.build) })),
  };
}

/** What a proxy runs, as far as the chain tells: the implementation and its code, or why there is none. */
type Live = Pick<DriftEntry, 'kind' | 'implementation' | 'codehash' | 'reason'> & { code?: Hex };

async function readLive(client: PublicClient, proxy: Address): Promise<Live> {
  const own = await client.getCode({ address: proxy });
  if (!own || own === '0x') return { reason: `no code at ${proxy} on this chain` };
  let state: Awaited<ReturnType<typeof classifyProxy>>;
  try {
    state = await classifyProxy(client, proxy);
  } catch (e) {
    if (!isRevert(e)) throw e;
    return { reason: `${proxy} is a beacon proxy whose beacon answers no implementation()` };
  }
  if (!state) {
    return {
      codehash: keccak256(own),
      reason: `${proxy} is not an ERC-1967 proxy (its implementation and beacon slots are empty); codehash is its own code's`,
    };
  }
  const { kind, implementation } = state;
  const code = await client.getCode({ address: implementation });
  if (!code || code === '0x')
    return { kind, implementation, reason: `its implementation ${implementation} has no code` };
  return { kind, implementation, codehash: keccak256(code), code };
}

/** The status of code that runs there: the reference first (fail closed), then the wanted candidates. */
function judge(
  code: Hex,
  target: Target<ContractHandle>,
  wanted?: string,
): Pick<DriftEntry, 'status' | 'patch' | 'build' | 'reason'> {
  const is = (h: ContractHandle) => matchRuntime(code, compiled(h).evm.deployedBytecode).match;
  const patches = target.candidates.filter((c) => is(c.build));
  if (is(target.reference)) {
    return {
      status: 'vulnerable',
      build: target.reference.fullyQualifiedName,
      ...(patches.length > 0
        ? {
            reason: `the code is also the candidate of ${patches.map((p) => p.patch).join(', ')}: that patch leaves the runtime code as it was`,
          }
        : {}),
    };
  }
  const match = patches.find((p) => wanted === undefined || p.patch === wanted);
  if (match) return { status: 'patched', patch: match.patch, build: match.build.fullyQualifiedName };
  const other = patches[0];
  if (other) {
    return {
      status: 'unknown',
      build: other.build.fullyQualifiedName,
      reason: `runs the candidate of patch ${other.patch}, not of ${wanted}`,
    };
  }
  return {
    status: 'unknown',
    reason: `the code is neither the reference ${target.reference.fullyQualifiedName} nor a patch's candidate`,
  };
}

/**
 * A failure of one chain's node, said with the chain's name (`chain "base": the RPC endpoint … did not answer`):
 * with several nodes, a URL alone does not tell which deployment is blind. Input errors already name the chain.
 */
function onChain(name: string, e: unknown): unknown {
  const known = isPatchgateError(e) ? e : rpcFailure(e);
  if (known?.exitCode !== 3) return e;
  return new PatchgateError(`chain "${name}" (chains.${name}.rpc): ${known.shortMessage}`, {
    code: known.code,
    ...(known.hint ? { hint: known.hint } : {}),
    details: known.details,
    cause: e,
  });
}

async function named<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw onChain(name, e);
  }
}

/**
 * For each chain of the config (or those named) and each patched contract: is the patch live there? Bad input
 * (an unknown patch or chain, an `env:` node whose variable is unset, a node on another chain id) is exit 2; a
 * dead node is exit 3 naming the chain. A proxy without code, an address that is no proxy, an implementation
 * without code is `unknown` with the reason — never a crash, never a pass.
 *
 * @example
 * ```ts
 * const { verdict, entries } = await drift({ config, projectDir, stateDir }, { patch: 'fix-flash-deposit' });
 * for (const e of entries) console.log(e.chain, e.contract, e.status, e.codehash);
 * ```
 */
export async function drift(base: Base, params: DriftParameters = {}): Promise<DriftResult> {
  const names = chainEntries(base.config, params.chains ?? []).map(([name]) => name);
  const wanted = targetsOf(base.config, params.patch);
  const chains = await Promise.all(
    names.map((name) => named(name, async () => (await chainLifecycles(base, [name]))[0] as ChainOf)),
  );
  const project = await loadProject({ dir: base.projectDir, stateDir: base.stateDir });
  const targets = wanted.map((t) => withBuilds(project, t));
  const perChain = await Promise.all(
    chains.map((lc) => named(lc.chain, () => Promise.all(targets.map((t) => entryOf(lc, t, params.patch))))),
  );
  const entries = perChain.flat();
  return { verdict: entries.every((e) => e.status === 'patched') ? 'pass' : 'fail', entries };
}

/** A chain opened for reading: its name, its config (its own `live`), its node. */
type ChainOf = Base & Pick<Lifecycle, 'clients'> & { chain: string };

async function entryOf(lc: ChainOf, target: Target<ContractHandle>, wanted?: string): Promise<DriftEntry> {
  const where = { chain: lc.chain, chainId: lc.clients.chain.id, contract: target.contract };
  const proxy = lc.config.live?.[target.contract]?.address as Address | undefined;
  if (!proxy) {
    return {
      ...where,
      status: 'unknown',
      reason: `chains.${lc.chain}.live lists no "${target.contract}": where it runs on this chain is not known`,
    };
  }
  const { code, ...live } = await readLive(lc.clients.public, proxy);
  if (!code) return { ...where, proxy, ...live, status: 'unknown' };
  return { ...where, proxy, ...live, ...judge(code, target, wanted) };
}
