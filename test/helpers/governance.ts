/**
 * Driving the live example's governance by hand, as its owners could behind patchgate's back: a SafeTx signed by
 * owners 1 and 2 (the real Safe 1.4.1 checks the signatures), timelock operations scheduled and executed through
 * it (single calls or batches), the clock warped past the delay; and the block and log positions a watch rule
 * reports on.
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Account,
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddressEqual,
  parseAbi,
  parseEventLogs,
  type TransactionReceipt,
  toEventSelector,
  zeroHash,
} from 'viem';
import { expect } from 'vitest';
import { collectSources, compileStandardJson, sourcesInput } from '../../src/build/index.js';
import { localAccount } from '../../src/chain/clients.js';
import { SAFE_ABI, TIMELOCK_ABI } from '../../src/core/abis.js';
import { packSignatures, safeTx, safeTxFields, signSafeTx } from '../../src/govern/safe.js';
import {
  executeCall,
  operation,
  operationBatchId,
  operationId,
  scheduleCall,
} from '../../src/govern/timelock.js';
import type { BlockRef } from '../../src/watch/follow.js';
import type { LiveExample } from './live.js';

const BATCH_ABI = [
  {
    type: 'function',
    name: 'scheduleBatch',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'targets', type: 'address[]' },
      { name: 'values', type: 'uint256[]' },
      { name: 'payloads', type: 'bytes[]' },
      { name: 'predecessor', type: 'bytes32' },
      { name: 'salt', type: 'bytes32' },
      { name: 'delay', type: 'uint256' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'executeBatch',
    stateMutability: 'payable',
    inputs: [
      { name: 'targets', type: 'address[]' },
      { name: 'values', type: 'uint256[]' },
      { name: 'payloads', type: 'bytes[]' },
      { name: 'predecessor', type: 'bytes32' },
      { name: 'salt', type: 'bytes32' },
    ],
    outputs: [],
  },
] as const;

/** A SafeTx from the live Safe, signed by owners 1 and 2, sent by the deployer; it must succeed. */
export async function safeExec(live: LiveExample, to: Address, data: Hex): Promise<TransactionReceipt> {
  const { clients } = live;
  const safe = live.system.governance.safe;
  const nonce = await clients.public.readContract({ address: safe, abi: SAFE_ABI, functionName: 'nonce' });
  const tx = safeTx(to, data, nonce);
  const signers = [localAccount(1), localAccount(2)];
  const signatures = packSignatures(
    await Promise.all(signers.map((s) => signSafeTx(s, clients.chain.id, safe, tx))),
  );
  const hash = await clients.wallet(localAccount(0)).writeContract({
    address: safe,
    abi: SAFE_ABI,
    functionName: 'execTransaction',
    args: [...safeTxFields(tx), signatures],
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  expect(parseEventLogs({ abi: SAFE_ABI, logs: receipt.logs, eventName: 'ExecutionSuccess' })).toHaveLength(
    1,
  );
  return receipt;
}

export interface Call {
  target: Address;
  data: Hex;
}

export interface Scheduled {
  id: Hex;
  receipt: TransactionReceipt;
  /** Waits out the delay and has the Safe execute it. */
  execute(): Promise<TransactionReceipt>;
}

async function warp(live: LiveExample, seconds: bigint): Promise<void> {
  await live.clients.test.increaseTime({ seconds: Number(seconds) + 1 });
  await live.clients.test.mine({ blocks: 1 });
}

/** The Safe schedules one call (`schedule`) or several (`scheduleBatch`) on the timelock with its minimum delay. */
export async function scheduleThroughSafe(
  live: LiveExample,
  calls: readonly Call[],
  salt: Hex,
  predecessor: Hex = zeroHash,
): Promise<Scheduled> {
  const timelock = live.system.governance.timelock;
  const delay = await live.clients.public.readContract({
    address: timelock,
    abi: TIMELOCK_ABI,
    functionName: 'getMinDelay',
  });
  const [single] = calls;
  if (calls.length === 1 && single) {
    const op = operation(single.target, single.data, { salt, predecessor });
    const receipt = await safeExec(live, timelock, scheduleCall(op, delay));
    return {
      id: operationId(op),
      receipt,
      execute: async () => {
        await warp(live, delay);
        return safeExec(live, timelock, executeCall(op));
      },
    };
  }
  const ops = calls.map((c) => ({ target: c.target, value: 0n, data: c.data }));
  const args = [
    ops.map((o) => o.target),
    ops.map((o) => o.value),
    ops.map((o) => o.data),
    predecessor,
    salt,
  ] as const;
  const receipt = await safeExec(
    live,
    timelock,
    encodeFunctionData({ abi: BATCH_ABI, functionName: 'scheduleBatch', args: [...args, delay] }),
  );
  return {
    id: operationBatchId(ops, predecessor, salt),
    receipt,
    execute: async () => {
      await warp(live, delay);
      return safeExec(
        live,
        timelock,
        encodeFunctionData({ abi: BATCH_ABI, functionName: 'executeBatch', args }),
      );
    },
  };
}

/**
 * test/fixtures/watch/RoleAdminHarness.sol (OpenZeppelin AccessControl, `admin` its DEFAULT_ADMIN_ROLE), compiled
 * with the pinned solc and deployed by `admin`.
 */
export async function deployRoleAdminHarness(live: LiveExample, admin: Account): Promise<Address> {
  const dir = fileURLToPath(new URL('../fixtures/watch/', import.meta.url));
  const { sources, remappings } = collectSources(dir, [join(dir, 'RoleAdminHarness.sol')]);
  const { output } = await compileStandardJson(sourcesInput(sources, remappings));
  const bytecode = output.contracts['RoleAdminHarness.sol']?.RoleAdminHarness?.evm.bytecode.object;
  if (!bytecode) throw new Error('RoleAdminHarness did not compile');
  const hash = await live.clients.wallet(admin).deployContract({
    abi: parseAbi(['constructor(address admin)']),
    bytecode: `0x${bytecode}`,
    args: [admin.address],
  });
  const { contractAddress } = await live.clients.public.waitForTransactionReceipt({ hash });
  if (!contractAddress) throw new Error('RoleAdminHarness was not deployed');
  return getAddress(contractAddress);
}

/** The block a transaction landed in, as the follower hands it to a rule. */
export async function blockOf(live: LiveExample, receipt: TransactionReceipt): Promise<BlockRef> {
  const block = await live.clients.public.getBlock({ blockNumber: receipt.blockNumber });
  return { number: block.number, hash: block.hash, parentHash: block.parentHash };
}

/** The log indexes of the events `signature` (e.g. `RoleGranted(bytes32,address,address)`) `emitter` logged in a receipt. */
export function logIndexes(receipt: TransactionReceipt, emitter: Address, signature: string): number[] {
  const topic = toEventSelector(signature);
  return receipt.logs
    .filter((l) => isAddressEqual(l.address, emitter) && l.topics[0] === topic)
    .map((l) => l.logIndex);
}
