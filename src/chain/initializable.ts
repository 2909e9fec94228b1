/**
 * Is an implementation contract itself still initializable? OpenZeppelin v5 `Initializable` keeps its state in
 * the ERC-7201 namespace `openzeppelin.storage.Initializable`: `_initialized` (uint64) in the low bytes of the
 * slot. An implementation whose constructor ran `_disableInitializers()` holds type(uint64).max there; anything
 * else lets whoever calls its initializer first take it over (and, for UUPS, upgrade or destroy it). The runtime
 * code cannot tell: the constructor is not part of it — two builds that differ only there deploy identical code.
 */
import { type Abi, type Address, hexToBigInt, type PublicClient } from 'viem';

export const INITIALIZABLE_SLOT = '0xf0c57e16840df040f15088dc2f81fe391c3923bec73e23a9662efc9c229c6a00';
const DISABLED = 2n ** 64n - 1n;

/** OpenZeppelin v5 Initializable announces itself with `event Initialized(uint64 version)`. */
export function usesInitializableV5(abi: Abi): boolean {
  return abi.some(
    (x) =>
      x.type === 'event' &&
      x.name === 'Initialized' &&
      x.inputs.length === 1 &&
      x.inputs[0]?.type === 'uint64',
  );
}

/** The `_initialized` version of a contract's own storage (not a proxy's). */
export async function initializedVersion(client: PublicClient, address: Address): Promise<bigint> {
  const word = await client.getStorageAt({ address, slot: INITIALIZABLE_SLOT });
  return word ? hexToBigInt(word) & DISABLED : 0n;
}

export function initializersDisabled(version: bigint): boolean {
  return version === DISABLED;
}
