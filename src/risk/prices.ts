/**
 * What an asset is worth: the config's price table, or a Chainlink-style aggregator read at the same block as
 * the balances. An oracle that answers nothing, a non-positive price or a stale round is refused, never used.
 */
import { type Address, getAddress, isAddress, type PublicClient } from 'viem';
import { rethrowTransportFailure } from '../chain/rpc.js';
import type { RiskConfig } from '../config/schema.js';
import { environmentError, inputError } from '../core/errors.js';
import { MICRO, parseUsd } from './money.js';

const AGGREGATOR_ABI = [
  {
    type: 'function',
    name: 'latestRoundData',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      { name: 'roundId', type: 'uint80' },
      { name: 'answer', type: 'int256' },
      { name: 'startedAt', type: 'uint256' },
      { name: 'updatedAt', type: 'uint256' },
      { name: 'answeredInRound', type: 'uint80' },
    ],
  },
  { type: 'function', name: 'decimals', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint8' }] },
] as const;

const ERC20_DECIMALS_ABI = [
  { type: 'function', name: 'decimals', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint8' }] },
] as const;

export type RiskAsset = RiskConfig['assets'][number];

/** An asset as assess uses it: its address (`native` for the chain's coin), decimals and price. */
export interface PricedAsset {
  /** The name in the config (`token`, `eth`). */
  name: string;
  address: Address | 'native';
  decimals: number;
  /** Micro-dollars per whole token. */
  priceMicro: bigint;
  source: 'config' | 'oracle';
  /** The oracle read, when the price came from one. */
  oracle?: Address;
}

/** How the chain is read at one block: `block` pins every read of one assessment. */
export interface ChainReader {
  client: PublicClient;
  block: bigint;
  /** The block's timestamp (seconds). */
  now: bigint;
  /** A name under `live`/`system.deploy` → its address. */
  resolve(name: string): Address | undefined;
}

/** A name in the config (`token`) or an address, as an address; `where` names the config key for the error. */
export function addressOf(reader: ChainReader, name: string, where: string): Address {
  if (isAddress(name)) return getAddress(name);
  const found = reader.resolve(name);
  if (!found) {
    throw inputError(
      'unknown-contract',
      `${where}: "${name}" is neither an address nor a contract under live`,
      'name a contract listed under "live", or give its address',
    );
  }
  return found;
}

async function read<T>(fn: () => Promise<T>, onRevert: () => never): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    rethrowTransportFailure(e);
    return onRevert();
  }
}

async function decimalsOf(
  reader: ChainReader,
  asset: RiskAsset,
  address: Address | 'native',
): Promise<number> {
  let chain = 18;
  if (address !== 'native') {
    try {
      chain = Number(
        await reader.client.readContract({
          address,
          abi: ERC20_DECIMALS_ABI,
          functionName: 'decimals',
          blockNumber: reader.block,
        }),
      );
    } catch (e) {
      rethrowTransportFailure(e);
      if (asset.decimals !== undefined) return asset.decimals;
      throw inputError(
        'risk-asset-invalid',
        `risk.assets "${asset.token}" (${address}) has no decimals()`,
        'give the asset "decimals" in the config, or name an ERC-20 token',
      );
    }
  }
  // The config's decimals are for a token without decimals(): one that contradicts the token's own would scale
  // every balance by a power of ten (decimals 36 on an 18-decimal token turns $1M at risk into $0.00).
  if (asset.decimals !== undefined && chain !== asset.decimals) {
    throw inputError(
      'risk-asset-invalid',
      `risk.assets "${asset.token}": decimals ${asset.decimals} in the config, but ${address === 'native' ? 'the native coin has 18' : `the token ${address} says decimals() = ${chain}`}`,
      'remove "decimals" from the asset (it is read from the chain), or correct it',
    );
  }
  return chain;
}

async function oraclePrice(
  reader: ChainReader,
  asset: RiskAsset,
  oracle: Address,
  maxAge: number,
): Promise<bigint> {
  const refused = (why: string): never => {
    throw environmentError(
      'price-unavailable',
      `risk.assets "${asset.token}": the oracle ${oracle} ${why}`,
      'point "oracle" at a live USD aggregator, or give a "price" instead',
    );
  };
  const at = { address: oracle, abi: AGGREGATOR_ABI, blockNumber: reader.block } as const;
  const [round, decimals] = await read(
    () =>
      Promise.all([
        reader.client.readContract({ ...at, functionName: 'latestRoundData' }),
        reader.client.readContract({ ...at, functionName: 'decimals' }),
      ]),
    () => refused('does not answer latestRoundData() and decimals()'),
  );
  const [, answer, , updatedAt] = round;
  if (answer <= 0n) refused(`answers a price of ${answer}`);
  const age = reader.now - updatedAt;
  if (age > BigInt(maxAge)) refused(`last updated ${age} s ago (risk.maxPriceAge is ${maxAge} s)`);
  const micro = (answer * MICRO) / 10n ** BigInt(decimals);
  // A price that rounds to nothing would value every balance at $0.00 and pass any cap: refused like a price ≤ 0.
  if (micro === 0n) refused(`answers ${answer} with ${decimals} decimals: less than $0.000001`);
  return micro;
}

/**
 * Every configured asset with its address, decimals and price, read at the reader's block.
 *
 * @example
 * ```ts
 * const assets = await priceAssets(reader, config.risk);
 * ```
 */
export async function priceAssets(reader: ChainReader, risk: RiskConfig): Promise<PricedAsset[]> {
  return Promise.all(
    risk.assets.map(async (asset, i): Promise<PricedAsset> => {
      const address =
        asset.token.toLowerCase() === 'eth'
          ? 'native'
          : addressOf(reader, asset.token, `risk.assets[${i}].token`);
      const decimals = await decimalsOf(reader, asset, address);
      if (asset.oracle) {
        const oracle = getAddress(asset.oracle);
        const priceMicro = await oraclePrice(reader, asset, oracle, risk.maxPriceAge);
        return { name: asset.token, address, decimals, priceMicro, source: 'oracle', oracle };
      }
      const priceMicro = parseUsd(asset.price ?? '0');
      if (priceMicro === 0n) {
        // A price of zero counts the funds as worthless: the value at risk would pass any cap.
        throw inputError(
          'risk-asset-invalid',
          `risk.assets "${asset.token}": price "${asset.price}" is $0.00 (prices count to the micro-dollar)`,
          'give the price in US dollars per whole token (at least "0.000001"), or an oracle',
        );
      }
      return { name: asset.token, address, decimals, priceMicro, source: 'config' };
    }),
  );
}
