/**
 * Dollar amounts as exact integers: micro-dollars (1e-6 USD) in a bigint. Prices, balances and exposures are
 * multiplied and compared without a float anywhere, and written back as decimal strings.
 */

/** Micro-dollars per dollar. */
export const MICRO = 1_000_000n;

/** `"1234.5"` → 1_234_500_000n (micro-dollars); digits past the sixth decimal are dropped. */
export function parseUsd(text: string): bigint {
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * MICRO + BigInt(`${frac}000000`.slice(0, 6));
}

/** 1_234_500_000n → `"1234.50"`: cents, rounded down (micro-dollars below a cent are not shown). */
export function formatUsd(micro: bigint): string {
  const sign = micro < 0n ? '-' : '';
  const abs = micro < 0n ? -micro : micro;
  const cents = abs / 10_000n;
  return `${sign}${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** The dollar value of `amount` base units of a token with `decimals`, at `priceMicro` micro-dollars per whole token. */
export function usdValue(amount: bigint, decimals: number, priceMicro: bigint): bigint {
  return (amount * priceMicro) / 10n ** BigInt(decimals);
}

/** A base-unit amount as whole tokens (`"60000.0"`), for people. */
export function formatUnits(amount: bigint, decimals: number): string {
  const sign = amount < 0n ? '-' : '';
  const abs = amount < 0n ? -amount : amount;
  const base = 10n ** BigInt(decimals);
  const frac = (abs % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${sign}${abs / base}${frac ? `.${frac}` : ''}`;
}
