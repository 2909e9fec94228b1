/**
 * What the proxy is now (its ERC-1967 slots, its beacon's implementation) and where its history starts: the
 * transaction that created it. Changes in that transaction (and the set-up of its controllers before it) are
 * the deployment — *initial* — and everything after has to be explained.
 */
import { type Address, getAddress, type Hex, type PublicClient, zeroAddress } from 'viem';
import { classifyProxy, type ProxyState } from '../chain/proxy.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import { inputError } from '../core/errors.js';
import type { ChainEvent } from './events.js';

/** The proxy's current slots. An address without code, or without any ERC-1967 slot set, is bad input. */
export async function readProxyState(client: PublicClient, proxy: Address): Promise<ProxyState> {
  const [code, state] = await Promise.all([client.getCode({ address: proxy }), classifyProxy(client, proxy)]);
  if (!code || code === '0x') {
    throw inputError(
      'audit-not-a-proxy',
      `${proxy} has no code on this chain`,
      'check the address and --rpc',
    );
  }
  if (!state) {
    throw inputError(
      'audit-not-a-proxy',
      `${proxy} is not an ERC-1967 proxy: its implementation and beacon slots are empty`,
      'pass the proxy users call, not its implementation or ProxyAdmin',
    );
  }
  return state;
}

export interface Deployment {
  txHash: Hex;
  blockNumber: bigint;
  /** How it was told: the receipt created the proxy, the proxy had no code the block before, or assumed. */
  how: 'created-by-tx' | 'created-in-block' | 'assumed-first-event';
}

/**
 * The transaction that created the proxy, judged from its first event: that transaction's receipt created the
 * proxy, or (created by a factory) the proxy had no code the block before. When that cannot be read (a pruned
 * node) the first event counts as the deployment only when the history starts at block 0. Undefined when the
 * proxy existed before the first event seen (a --from-block after the deployment): nothing is initial then.
 */
export async function findDeployment(
  client: PublicClient,
  proxy: Address,
  proxyEvents: readonly ChainEvent[],
  fromBlock: bigint,
): Promise<Deployment | undefined> {
  const first = proxyEvents[0];
  if (!first) return undefined;
  const at = { txHash: first.txHash, blockNumber: first.blockNumber };
  const receipt = await client.getTransactionReceipt({ hash: first.txHash });
  if (receipt.contractAddress && getAddress(receipt.contractAddress) === proxy) {
    return { ...at, how: 'created-by-tx' };
  }
  if (first.blockNumber === 0n) return { ...at, how: 'created-in-block' };
  let before: Hex | undefined;
  try {
    before = (await client.getCode({ address: proxy, blockNumber: first.blockNumber - 1n })) ?? '0x';
  } catch (e) {
    // A node without the history (not an archive node) cannot say; a node that did not answer is not saying.
    rethrowTransportFailure(e);
    return fromBlock === 0n ? { ...at, how: 'assumed-first-event' } : undefined;
  }
  return before === '0x' ? { ...at, how: 'created-in-block' } : undefined;
}

/**
 * The contracts that hold (or held) upgrade rights over the proxy and whose events belong to its history:
 * every admin and beacon the proxy's events name, and the ones in its slots now.
 */
export function controllersOf(
  state: ProxyState,
  events: readonly ChainEvent[],
): Map<Address, 'proxy-admin' | 'beacon'> {
  const out = new Map<Address, 'proxy-admin' | 'beacon'>();
  const add = (a: Address | undefined, role: 'proxy-admin' | 'beacon') => {
    if (a && a !== zeroAddress) out.set(a, role);
  };
  for (const e of events) {
    if (e.event === 'AdminChanged') {
      add(e.previous, 'proxy-admin');
      add(e.next, 'proxy-admin');
    }
    if (e.event === 'BeaconUpgraded') add(e.beacon, 'beacon');
  }
  add(state.admin, 'proxy-admin');
  add(state.beacon, 'beacon');
  return out;
}
