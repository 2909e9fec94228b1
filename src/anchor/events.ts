/**
 * Reading PatchGate's record back from the chain: the anchored log heads, and every upgrade it performed with
 * the patch digest that links it to its log entry. On a live chain pass `fromBlock` (the deployment block):
 * RPC providers limit how many blocks one `eth_getLogs` may span.
 */
import type { Address, Hex, PublicClient } from 'viem';
import type { Lane } from '../govern/digest.js';
import { PATCHGATE_ABI } from '../govern/patchgate-abi.js';
import { laneOfGate } from '../govern/patchgate-calls.js';

export interface BlockRange {
  /** Default 0 (the whole chain: fine locally, too wide for most live RPC providers). */
  fromBlock?: bigint;
  /** Default: the latest block. */
  toBlock?: bigint;
}

interface Located {
  blockNumber: bigint;
  txHash: Hex;
  logIndex: number;
}

export interface AnchoredHead extends Located {
  size: bigint;
  root: Hex;
  /** Who anchored it (the PatchGate anchorer). */
  by: Address;
}

export interface PatchExecution extends Located {
  proxy: Address;
  implementation: Address;
  codehash: Hex;
  digest: Hex;
  /** The patch's lane as the gate let it through (PatchGate emits no other than standard and emergency). */
  lane?: Lane;
}

function located(log: { blockNumber: bigint | null; transactionHash: Hex | null; logIndex: number | null }) {
  return {
    blockNumber: log.blockNumber ?? 0n,
    txHash: log.transactionHash ?? '0x',
    logIndex: log.logIndex ?? 0,
  };
}

/**
 * Every `HeadAnchored` event of `gate`, in chain order (so sizes increase).
 *
 * @example
 * ```ts
 * const client = createPublicClient({ transport: http('http://127.0.0.1:8545') });
 * for (const a of await readAnchors(client, gate, { fromBlock: 0n })) console.log(a.size, a.root);
 * ```
 */
export async function readAnchors(
  client: PublicClient,
  gate: Address,
  range: BlockRange = {},
): Promise<AnchoredHead[]> {
  const logs = await client.getContractEvents({
    address: gate,
    abi: PATCHGATE_ABI,
    eventName: 'HeadAnchored',
    fromBlock: range.fromBlock ?? 0n,
    toBlock: range.toBlock ?? 'latest',
    strict: true,
  });
  return logs.map((log) => ({ ...located(log), size: log.args.size, root: log.args.root, by: log.args.by }));
}

/**
 * Every `PatchExecuted` event of `gate` (only those for `proxy` when given), in chain order.
 *
 * @example
 * ```ts
 * const executed = await readPatchExecuted(client, gate, { proxy, fromBlock: 0n });
 * ```
 */
export async function readPatchExecuted(
  client: PublicClient,
  gate: Address,
  filter: BlockRange & { proxy?: Address } = {},
): Promise<PatchExecution[]> {
  const logs = await client.getContractEvents({
    address: gate,
    abi: PATCHGATE_ABI,
    eventName: 'PatchExecuted',
    args: filter.proxy ? { proxy: filter.proxy } : undefined,
    fromBlock: filter.fromBlock ?? 0n,
    toBlock: filter.toBlock ?? 'latest',
    strict: true,
  });
  return logs.map((log) => {
    const lane = laneOfGate(log.args.lane);
    return {
      ...located(log),
      proxy: log.args.proxy,
      implementation: log.args.implementation,
      codehash: log.args.codehash,
      digest: log.args.digest,
      ...(lane ? { lane } : {}),
    };
  });
}
