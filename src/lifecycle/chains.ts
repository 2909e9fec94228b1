/**
 * One patch, many chains: the config's `chains` (docs/rollout.md), each opened as a Lifecycle of its own — the
 * same config with that chain's `live` addresses, the same store, its own node. Every per-chain step (propose,
 * approve, queue, execute, verify) then runs unchanged on it.
 */
import { connect } from '../chain/clients.js';
import type { Config } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import type { Lifecycle } from './lifecycle.js';

/** A Lifecycle on one of the config's chains, with its name. */
export type ChainLifecycle = Lifecycle & { chain: string };

/** What a chain is opened on: the config and project, and the store when the step needs one. */
type Base = Pick<Lifecycle, 'config' | 'projectDir' | 'stateDir'>;

type ChainEntry = NonNullable<Config['chains']>[string];

/** The chains named (all of the config's when `names` is empty), each checked to be declared. */
export function chainEntries(config: Config, names: readonly string[] = []): [string, ChainEntry][] {
  const chains = config.chains ?? {};
  const declared = Object.keys(chains);
  if (declared.length === 0) {
    throw inputError(
      'no-chains',
      'the config declares no chains',
      'list each deployment under "chains" (chainId, rpc, live) — docs/rollout.md',
    );
  }
  const wanted = names.length > 0 ? names : declared;
  return wanted.map((name) => {
    const entry = chains[name];
    if (!entry) {
      throw inputError(
        'unknown-chain',
        `no chain "${name}" in the config`,
        `declared: ${declared.join(', ')}`,
      );
    }
    return [name, entry];
  });
}

/** A chain's node: its `rpc` URL, or the value of the environment variable `env:NAME` names. */
function chainRpc(name: string, entry: ChainEntry, env: NodeJS.ProcessEnv = process.env): string {
  if (!entry.rpc.startsWith('env:')) return entry.rpc;
  const variable = entry.rpc.slice(4);
  const value = env[variable];
  if (!value) {
    throw inputError(
      'missing-rpc',
      `chains.${name}.rpc names the environment variable ${variable}, which is not set`,
      `export ${variable}=<the JSON-RPC URL of ${name}>`,
    );
  }
  return value;
}

/**
 * Each chain as a Lifecycle (on the shared store, when `base` has one): connected (a dead node is exit 3 naming it) and checked to be
 * the chain id the config says (exit 2 otherwise: a URL pointed at the wrong network).
 *
 * @example
 * ```ts
 * for (const lc of await chainLifecycles(base, ['mainnet', 'base'])) console.log(lc.chain, lc.clients.chain.id);
 * ```
 */
export async function chainLifecycles<B extends Base>(
  base: B,
  names: readonly string[] = [],
): Promise<(B & Pick<Lifecycle, 'clients' | 'rpcUrl'> & { chain: string })[]> {
  return Promise.all(
    chainEntries(base.config, names).map(async ([name, entry]) => {
      const rpcUrl = chainRpc(name, entry);
      const clients = await connect(rpcUrl, { option: `chains.${name}.rpc` });
      if (clients.chain.id !== entry.chainId) {
        throw inputError(
          'wrong-chain',
          `chains.${name}.rpc is chain ${clients.chain.id}, the config says ${entry.chainId}`,
          `point chains.${name}.rpc at chain ${entry.chainId}, or fix its chainId`,
        );
      }
      return { ...base, config: { ...base.config, live: entry.live }, clients, rpcUrl, chain: name };
    }),
  );
}
