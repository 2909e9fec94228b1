/**
 * fast-check arbitraries shaped by ABI types and by the values the system already uses: addresses come from the
 * system (its contracts, governance and accounts — nothing else can hold a role or a balance), integers from the
 * boundaries of their type and from the amounts of the setup and the replayed flows, 32-byte words from the
 * values seen (role ids). Generated values are biased towards those; fast-check's own integers (biased to small
 * values and the bounds) fill the rest; every integer shrinks towards zero, so a reproducing call comes out minimal.
 */
import fc from 'fast-check';
import { type AbiParameter, type Address, bytesToHex, type Hex, hexToBytes, isHex } from 'viem';

export interface ValuePools {
  /** The system's addresses, the one to shrink towards first. */
  addresses: readonly Address[];
  /** Integers seen in the setup and the replay. */
  integers: readonly bigint[];
  /** 32-byte words seen (role ids, the zero word). */
  words: readonly Hex[];
}

const MAX_ARRAY = 3;

function hexBytes(min: number, max: number): fc.Arbitrary<Hex> {
  return fc.uint8Array({ minLength: min, maxLength: max }).map(
    (b) => bytesToHex(b),
    (v) => {
      if (typeof v !== 'string' || !isHex(v) || v.length % 2 !== 0) throw new Error('not hex');
      return Uint8Array.from(hexToBytes(v));
    },
  );
}

/**
 * Integers in [min, max]: a value seen (boundaries, the config's amounts) one time in three, else fast-check's own
 * biased integer. Every value shrinks as an integer towards zero, whichever way it was drawn — so a difference found
 * with a seen amount still shrinks to the smallest amount that shows it.
 */
class SeededInteger extends fc.Arbitrary<bigint> {
  private readonly plain: fc.Arbitrary<bigint>;
  constructor(
    min: bigint,
    max: bigint,
    private readonly seen: readonly bigint[],
  ) {
    super();
    this.plain = fc.bigInt({ min, max });
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<bigint> {
    if (this.seen.length > 0 && mrng.nextInt(0, 2) === 0) {
      return new fc.Value(this.seen[mrng.nextInt(0, this.seen.length - 1)] as bigint, undefined);
    }
    return this.plain.generate(mrng, biasFactor);
  }
  canShrinkWithoutContext(value: unknown): value is bigint {
    return this.plain.canShrinkWithoutContext(value);
  }
  shrink(value: bigint, context: unknown): fc.Stream<fc.Value<bigint>> {
    return this.plain.shrink(value, context);
  }
}

function integer(min: bigint, max: bigint, pools: ValuePools): fc.Arbitrary<bigint> {
  const seen = [...new Set([0n, 1n, 2n, min, max, max - 1n, ...pools.integers])].filter(
    (v) => v >= min && v <= max,
  );
  return new SeededInteger(min, max, seen);
}

/** An arbitrary for one ABI parameter; undefined for a type the fuzzer does not generate (function pointers). */
export function arbitraryOf(param: AbiParameter, pools: ValuePools): fc.Arbitrary<unknown> | undefined {
  const { type } = param;
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    const inner = arbitraryOf({ ...param, type: array[1] as string }, pools);
    if (!inner) return undefined;
    const fixed = array[2] ? Number(array[2]) : undefined;
    return fc.array(inner, { minLength: fixed ?? 0, maxLength: fixed ?? MAX_ARRAY });
  }
  if (type === 'tuple') {
    const components = (param as { components?: readonly AbiParameter[] }).components ?? [];
    const arbs = components.map((c) => arbitraryOf(c, pools));
    if (arbs.some((a) => !a)) return undefined;
    return fc.tuple(...(arbs as fc.Arbitrary<unknown>[]));
  }
  if (type === 'address') return fc.constantFrom(...pools.addresses);
  if (type === 'bool') return fc.boolean();
  if (type === 'string') return fc.string({ maxLength: 24 });
  if (type === 'bytes') return hexBytes(0, 68);
  const uint = /^uint(\d*)$/.exec(type);
  if (uint) return integer(0n, 2n ** BigInt(uint[1] || 256) - 1n, pools);
  const int = /^int(\d*)$/.exec(type);
  if (int) {
    const bits = BigInt(int[1] || 256);
    return integer(-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n, pools);
  }
  const fixedBytes = /^bytes(\d+)$/.exec(type);
  if (fixedBytes) {
    const n = Number(fixedBytes[1]);
    const seen = pools.words.map((w) => w.slice(0, 2 + 2 * n) as Hex);
    return fc.oneof(fc.constantFrom(...new Set([`0x${'00'.repeat(n)}` as Hex, ...seen])), hexBytes(n, n));
  }
  return undefined;
}
