/**
 * Revert reasons: the revert data inside a viem error, decoded with an ABI's custom errors (the project's own, from
 * `build/errors-abi.ts`, so that a revert deep inside Safe → timelock → ProxyAdmin → proxy → implementation surfaces
 * as the implementation's own error).
 */
import { type Abi, BaseError, decodeErrorResult, type Hex, RawContractError } from 'viem';

/** Revert data found anywhere in a viem error chain. */
export function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const raw = error.walk(
    (e) =>
      e instanceof RawContractError ||
      (typeof (e as { data?: unknown }).data === 'string' &&
        String((e as { data: string }).data).startsWith('0x')),
  ) as { data?: Hex | { data?: Hex } } | null;
  const data = raw?.data;
  return typeof data === 'string' ? data : data?.data;
}

/** `InvalidBps(5000)`, `Error("GS013")`, `Panic(17)` or the raw data when no ABI knows it. */
export function describeRevert(data: Hex | undefined, abi: Abi): string {
  if (!data || data === '0x') return 'reverted without a reason';
  try {
    const decoded = decodeErrorResult({ abi, data });
    const args = (decoded.args ?? [])
      .map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a)))
      .join(', ');
    return `${decoded.errorName}(${args})`;
  } catch {
    return `unknown error ${data.slice(0, 10)}${data.length > 10 ? '…' : ''}`;
  }
}
