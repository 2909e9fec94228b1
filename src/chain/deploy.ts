/** Deploying compiled contracts with viem: the bytecode and ABI come straight from the compiler output. */
import { type Abi, type Address, getAddress, type PublicClient } from 'viem';
import { compiled } from '../build/artifact.js';
import type { ContractHandle } from '../build/types.js';
import { environmentError } from '../core/errors.js';
import type { Wallet } from './clients.js';

export type { Wallet } from './clients.js';

export function abiOf(handle: ContractHandle): Abi {
  return compiled(handle).abi as Abi;
}

export async function deploy(
  wallet: Wallet,
  client: PublicClient,
  handle: ContractHandle,
  args: readonly unknown[] = [],
): Promise<Address> {
  const bytecode = compiled(handle).evm.bytecode.object;
  if (!bytecode) {
    throw environmentError(
      'not-deployable',
      `${handle.fullyQualifiedName} has no creation bytecode (abstract or interface?)`,
    );
  }
  const hash = await wallet.deployContract({
    abi: abiOf(handle),
    bytecode: `0x${bytecode}`,
    args: args as unknown[],
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw environmentError('deploy-reverted', `deploying ${handle.name} reverted (tx ${hash})`);
  }
  return getAddress(receipt.contractAddress);
}
