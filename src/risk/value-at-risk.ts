/**
 * Value at risk: what the patched contract and the contracts it controls hold, read from the chain at one
 * block and priced. It counts the assets the config lists and nothing else; with none listed it is unknown
 * (not zero), and every rule that needs it refuses.
 */
import { type Address, erc20Abi } from 'viem';
import { rethrowTransportFailure } from '../chain/rpc.js';
import type { RiskConfig } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import { formatUnits, formatUsd, usdValue } from './money.js';
import { addressOf, type ChainReader, type PricedAsset } from './prices.js';

export interface Holding {
  holder: Address;
  /** The holder's name in the config, when it has one. */
  holderName?: string;
  asset: string;
  /** Base units (decimal string). */
  balance: string;
  /** Whole tokens, for people. */
  amount: string;
  usd: string;
}

export interface ValueAtRisk {
  /** Unknown (absent) when the config lists no assets. */
  usd?: string;
  /** Micro-dollars: what rules compare (not written to reports). */
  micro?: bigint;
  block: string;
  holdings: Holding[];
  /** The assets it counted: name, price in dollars and where the price came from. */
  prices: { asset: string; usd: string; source: 'config' | 'oracle'; oracle?: Address }[];
}

async function balanceOf(reader: ChainReader, asset: PricedAsset, holder: Address): Promise<bigint> {
  if (asset.address === 'native')
    return reader.client.getBalance({ address: holder, blockNumber: reader.block });
  const token = asset.address;
  try {
    return await reader.client.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [holder],
      blockNumber: reader.block,
    });
  } catch (e) {
    rethrowTransportFailure(e);
    throw inputError(
      'risk-asset-invalid',
      `risk.assets "${asset.name}" (${token}) has no balanceOf()`,
      'name an ERC-20 token, or "eth" for the native coin',
    );
  }
}

/**
 * The holders of one patched contract: its proxy and what `risk.holders.<contract>` adds, deduplicated.
 */
export function holdersOf(
  reader: ChainReader,
  risk: RiskConfig,
  contract: string,
  proxy: Address,
): { address: Address; name?: string }[] {
  const extra = (risk.holders[contract] ?? []).map((n, i) => ({
    address: addressOf(reader, n, `risk.holders.${contract}[${i}]`),
    name: n.startsWith('0x') ? undefined : n,
  }));
  const all = [{ address: proxy, name: contract }, ...extra];
  return all.filter((h, i) => all.findIndex((x) => x.address === h.address) === i);
}

/**
 * The priced balances of every holder in every asset.
 *
 * @example
 * ```ts
 * const var = await valueAtRisk(reader, assets, holdersOf(reader, config.risk, 'vault', proxy));
 * console.log(var.usd); // "60000.00"
 * ```
 */
export async function valueAtRisk(
  reader: ChainReader,
  assets: readonly PricedAsset[],
  holders: readonly { address: Address; name?: string }[],
): Promise<ValueAtRisk> {
  const holdings = await Promise.all(
    holders.flatMap((h) =>
      assets.map(async (a): Promise<Holding & { micro: bigint }> => {
        const balance = await balanceOf(reader, a, h.address);
        const micro = usdValue(balance, a.decimals, a.priceMicro);
        return {
          holder: h.address,
          ...(h.name ? { holderName: h.name } : {}),
          asset: a.name,
          balance: balance.toString(),
          amount: formatUnits(balance, a.decimals),
          usd: formatUsd(micro),
          micro,
        };
      }),
    ),
  );
  const micro = holdings.reduce((s, h) => s + h.micro, 0n);
  return {
    ...(assets.length > 0 ? { usd: formatUsd(micro), micro } : {}),
    block: reader.block.toString(),
    holdings: holdings.filter((h) => h.micro > 0n || BigInt(h.balance) > 0n).map(({ micro: _, ...h }) => h),
    prices: assets.map((a) => ({
      asset: a.name,
      usd: formatUsd(a.priceMicro),
      source: a.source,
      ...(a.oracle ? { oracle: a.oracle } : {}),
    })),
  };
}
