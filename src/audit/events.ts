/**
 * The events an upgrade history is made of, and how they are read from the chain: ERC-1967's `Upgraded`,
 * `AdminChanged` and `BeaconUpgraded` on the proxy (and `Upgraded` on its beacon), Ownable's
 * `OwnershipTransferred` on whoever holds upgrade rights (the ProxyAdmin, the beacon, a UUPS proxy), and
 * PatchGate's `PatchExecuted`. Each event comes with its block, transaction and the transaction's sender.
 */
import { type Address, getAddress, type Hex, type Log, type PublicClient, parseAbi } from 'viem';
import type { Lane } from '../govern/digest.js';
import { laneOfGate } from '../govern/patchgate-calls.js';

const HISTORY_ABI = parseAbi([
  'event Upgraded(address indexed implementation)',
  'event AdminChanged(address previousAdmin, address newAdmin)',
  'event BeaconUpgraded(address indexed beacon)',
  'event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)',
]);

const GATE_ABI = parseAbi([
  'event PatchExecuted(address indexed proxy, address indexed implementation, bytes32 codehash, bytes32 indexed digest, uint8 lane)',
]);

export type EventName =
  | 'Upgraded'
  | 'AdminChanged'
  | 'BeaconUpgraded'
  | 'OwnershipTransferred'
  | 'PatchExecuted';

/** Who emitted the event, relative to the audited proxy. */
export type Emitter = 'proxy' | 'proxy-admin' | 'beacon' | 'gate';

export interface ChainEvent {
  event: EventName;
  emitter: Emitter;
  /** The emitting contract. */
  address: Address;
  blockNumber: bigint;
  logIndex: number;
  txHash: Hex;
  /** Upgraded, PatchExecuted: the implementation; BeaconUpgraded: the new beacon. */
  implementation?: Address;
  beacon?: Address;
  /** AdminChanged / OwnershipTransferred: the old and new holder. */
  previous?: Address;
  next?: Address;
  /** PatchExecuted only. */
  digest?: Hex;
  codehash?: Hex;
  /** PatchExecuted only: the lane PatchGate let the patch through in. */
  lane?: Lane;
}

/** A decoded log as getLogs returns it for these events: only what `fromLog` reads. */
type Decoded = Pick<
  Log<bigint, number, false>,
  'address' | 'blockNumber' | 'logIndex' | 'transactionHash'
> & {
  eventName: string;
  args: object;
};

const addr = (v: unknown) => getAddress(v as string);

function fromLog(log: Decoded, emitter: Emitter): ChainEvent {
  const args = log.args as Record<string, unknown>;
  const base = {
    event: log.eventName as EventName,
    emitter,
    address: getAddress(log.address),
    blockNumber: log.blockNumber as bigint,
    logIndex: log.logIndex as number,
    txHash: log.transactionHash as Hex,
  };
  switch (log.eventName) {
    case 'Upgraded':
      return { ...base, implementation: addr(args.implementation) };
    case 'BeaconUpgraded':
      return { ...base, beacon: addr(args.beacon) };
    case 'AdminChanged':
      return { ...base, previous: addr(args.previousAdmin), next: addr(args.newAdmin) };
    case 'OwnershipTransferred':
      return { ...base, previous: addr(args.previousOwner), next: addr(args.newOwner) };
    default: {
      const lane = laneOfGate(Number(args.lane));
      return {
        ...base,
        implementation: addr(args.implementation),
        digest: args.digest as Hex,
        codehash: args.codehash as Hex,
        ...(lane ? { lane } : {}),
      };
    }
  }
}

/** Chain order: block, then position in the block. */
export const byPosition = (a: ChainEvent, b: ChainEvent) =>
  a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;

export interface Range {
  fromBlock: bigint;
  toBlock: bigint;
}

/** The proxy's own events: upgrades, admin changes, beacon changes and (UUPS) ownership changes. */
export async function proxyEvents(client: PublicClient, proxy: Address, range: Range): Promise<ChainEvent[]> {
  // strict: a log that only looks like one of these events (the right topic, data that does not decode — anyone's
  // code running in the proxy can emit one) is left out instead of failing the whole read.
  const logs = await client.getLogs({ address: proxy, events: HISTORY_ABI, ...range, strict: true });
  return logs.map((l) => fromLog(l, 'proxy'));
}

/**
 * Events of the contracts that hold upgrade rights over the proxy: each ProxyAdmin's ownership changes, each
 * beacon's upgrades and ownership changes. Other events of those contracts are not part of the history.
 */
export async function controllerEvents(
  client: PublicClient,
  controllers: ReadonlyMap<Address, 'proxy-admin' | 'beacon'>,
  range: Range,
): Promise<ChainEvent[]> {
  if (controllers.size === 0) return [];
  const logs = await client.getLogs({
    address: [...controllers.keys()],
    events: HISTORY_ABI,
    ...range,
    strict: true,
  });
  return logs.flatMap((l) => {
    const role = controllers.get(getAddress(l.address));
    if (!role) return [];
    const e = fromLog(l, role);
    const relevant = e.event === 'OwnershipTransferred' || (role === 'beacon' && e.event === 'Upgraded');
    return relevant ? [e] : [];
  });
}

/** PatchGate's `PatchExecuted` events for this proxy. */
export async function gateEvents(
  client: PublicClient,
  gate: Address,
  proxy: Address,
  range: Range,
): Promise<ChainEvent[]> {
  const logs = await client.getLogs({
    address: gate,
    event: GATE_ABI[0],
    args: { proxy },
    ...range,
  });
  return logs.map((l) => fromLog(l, 'gate'));
}

/** The sender (`from`) of each transaction, read once per transaction. */
export async function senders(client: PublicClient, txs: Iterable<Hex>): Promise<Map<Hex, Address>> {
  const unique = [...new Set(txs)];
  const found = await Promise.all(unique.map((hash) => client.getTransaction({ hash })));
  return new Map(found.map((tx, i) => [unique[i] as Hex, getAddress(tx.from)]));
}

/** Block timestamps (ISO 8601 UTC), read once per block. */
export async function timestamps(
  client: PublicClient,
  blocks: Iterable<bigint>,
): Promise<Map<bigint, string>> {
  const unique = [...new Set(blocks)];
  const found = await Promise.all(unique.map((blockNumber) => client.getBlock({ blockNumber })));
  return new Map(
    found.map((b, i) => [unique[i] as bigint, new Date(Number(b.timestamp) * 1000).toISOString()]),
  );
}
