/** What the timelock says happened to an operation: the last transaction that scheduled, executed or cancelled it. */

import type { Address, Hex } from 'viem';
import { TIMELOCK_ABI } from '../core/abis.js';
import type { Lifecycle } from './lifecycle.js';

export async function lastOperationTx(
  lc: Lifecycle,
  timelock: Address,
  eventName: 'CallScheduled' | 'CallExecuted' | 'Cancelled',
  id: Hex,
): Promise<Hex | undefined> {
  const logs = await lc.clients.public.getContractEvents({
    address: timelock,
    abi: TIMELOCK_ABI,
    eventName,
    args: { id },
    fromBlock: 0n,
  });
  return logs.at(-1)?.transactionHash ?? undefined;
}

export function operationDone(lc: Lifecycle, timelock: Address, id: Hex): Promise<boolean> {
  return lc.clients.public.readContract({
    address: timelock,
    abi: TIMELOCK_ABI,
    functionName: 'isOperationDone',
    args: [id],
  });
}
