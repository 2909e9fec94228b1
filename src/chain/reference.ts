/**
 * `check --reference-address ADDR`: the reference is what runs on chain. The proxy's implementation is read from
 * its ERC-1967 slots (a beacon's implementation for a beacon proxy; ADDR itself when it is no proxy), and the
 * local build whose runtime bytecode is that code — metadata and immutables masked, libraries linked
 * consistently — is the reference. Code that matches no build fails closed, naming the closest build and the
 * first byte that differs.
 */
import type { Address, Hex, PublicClient } from 'viem';
import { compiled } from '../build/artifact.js';
import { allContracts } from '../build/find.js';
import type { ContractHandle, Project } from '../build/types.js';
import { blockedError, inputError } from '../core/errors.js';
import type { ProxyKindOnChain } from '../core/proxy-kinds.js';
import { matchRuntime, type RuntimeMatch } from './bytecode.js';
import { classifyProxy } from './proxy.js';
import { rpcFailure } from './rpc.js';

export interface LiveImplementation {
  address: Address;
  /** How ADDR holds its code: a proxy kind, or `implementation` when ADDR is no proxy. */
  kind: ProxyKindOnChain | 'implementation';
  implementation: Address;
  code: Hex;
}

/** The code a proxy (or a bare implementation) runs now. No code there is exit 2; a node failure exit 3. */
export async function liveImplementation(
  client: PublicClient,
  address: Address,
): Promise<LiveImplementation> {
  try {
    const state = await classifyProxy(client, address);
    const implementation = state?.implementation ?? address;
    const code = (await client.getCode({ address: implementation })) ?? '0x';
    if (code === '0x') {
      throw inputError(
        'no-code',
        state
          ? `--reference-address ${address}: its implementation ${implementation} has no code`
          : `--reference-address ${address} has no code on this chain`,
        'pass the proxy (or implementation) address on the chain --rpc points at',
      );
    }
    return { address, kind: state?.kind ?? 'implementation', implementation, code };
  } catch (e) {
    throw rpcFailure(e) ?? e;
  }
}

export interface BuildMatch {
  project: Project;
  handle: ContractHandle;
  result: RuntimeMatch;
}

function candidates(projects: readonly Project[], code: Hex): BuildMatch[] {
  const out: BuildMatch[] = [];
  for (const project of projects) {
    for (const handle of allContracts(project)) {
      const runtime = compiled(handle).evm.deployedBytecode;
      if (!runtime.object) continue;
      out.push({ project, handle, result: matchRuntime(code, runtime) });
    }
  }
  return out;
}

/**
 * The contract among `projects` whose runtime code is `live.code`. Several matches (a constructor-only change
 * leaves the runtime code equal) are narrowed by `preferred` (a name or path:Name), then by equal metadata (the
 * very same sources); still several is exit 2 naming them. None is exit 1 (`reference-code-mismatch`), naming the
 * closest build and the first byte that differs.
 */
export function matchLiveCode(
  projects: readonly Project[],
  live: LiveImplementation,
  preferred?: string,
): BuildMatch {
  const all = candidates(projects, live.code);
  let matches = all.filter((c) => c.result.match);
  if (preferred !== undefined) {
    const named = matches.filter(
      (m) => m.handle.name === preferred || m.handle.fullyQualifiedName === preferred,
    );
    if (named.length === 0 && matches.length > 0) {
      throw inputError(
        'reference-not-live',
        `--reference ${preferred} is not the code at ${live.address} (implementation ${live.implementation})`,
        `the code there is ${matches.map((m) => m.handle.fullyQualifiedName).join(', ')}: drop --reference`,
      );
    }
    matches = named;
  }
  const exact = matches.filter((m) => m.result.exact);
  if (exact.length > 0) matches = exact;
  const distinct = [...new Map(matches.map((m) => [m.handle.fullyQualifiedName, m])).values()];
  if (distinct.length === 1) return distinct[0] as BuildMatch;
  if (distinct.length > 1) {
    throw inputError(
      'ambiguous-contract',
      `the code at ${live.implementation} is, byte for byte, each of ${distinct.map((m) => m.handle.fullyQualifiedName).join(', ')}`,
      'name the one that was deployed with --reference NAME',
    );
  }
  const closest = [...all].sort((a, b) => b.result.sameBytes - a.result.sameBytes)[0];
  const where = `${live.address}${live.kind === 'implementation' ? '' : ` (implementation ${live.implementation})`}`;
  throw blockedError(
    'reference-code-mismatch',
    closest
      ? `the code at ${where} matches no contract of the build: closest is ${closest.handle.fullyQualifiedName} in ${closest.project.label ?? closest.project.dir} (${closest.result.sameBytes} of ${closest.result.onChainLength} bytes equal, first difference at byte ${closest.result.firstDifference})`
      : `the code at ${where} matches no contract: the build has no deployable contract`,
    'the reference cannot be established, so nothing passes: build the sources that were deployed (--reference-git, --reference-sources) with the settings used to deploy them',
  );
}
