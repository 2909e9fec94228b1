/**
 * Chain times for people. An expiry, a deadline or an ETA is any uint256 a signer, a store or a contract
 * chose: JavaScript's Date holds ±8.64e15 ms (year 275760) and throws "Invalid time value" beyond, so a
 * time no calendar holds is shown as its number instead of crashing the command that shows it.
 */
const MAX_MS = 8_640_000_000_000_000n;

/** Unix seconds as ISO 8601 UTC (`2026-11-02T10:00:00.000Z`), or `unix <n>` beyond the calendar. */
export function unixTime(seconds: bigint | number | string): string {
  let n: bigint;
  try {
    n = BigInt(seconds);
  } catch {
    return `unix ${String(seconds)}`;
  }
  const ms = n * 1000n;
  if (ms > MAX_MS || ms < -MAX_MS) return `unix ${n}`;
  return new Date(Number(ms)).toISOString();
}
