/**
 * Rule: the config's invariants, read at every block (`vault.totalAssets() >= 59000000000`), alerting
 * `watch-invariant-broken` when one goes from held (or not yet read) to broken — once, not on every block while it
 * stays broken; after it holds again it may break again and alert again. The comparison is the simulate stage's
 * own (system/invariants.ts compareInvariant), so an invariant means the same before and after a patch ships.
 *
 * One request per block: every view call goes in one `eth_call` through viem's `multicall` with `deployless: true`
 * (Multicall3's bytecode runs as the call's init code, `batchSize: 0` so viem never splits the batch). Deployless
 * and not a Multicall3 at its canonical address: it needs nothing deployed, so it reads the same on anvil (which has
 * no Multicall3), on a fork, on a chain where Multicall3 was deployed after the block being read, and on one where
 * something else sits at that address.
 *
 * Fail closed: a view that reverts (or returns nothing to decode: the function or the code is gone) is a broken
 * invariant; a call the node did not answer is the environment's failure (raised, never a verdict either way).
 *
 * "Was it held before?" is kept per block hash (the state after the block's parent), so a block handed out again
 * after a reorg is judged against its own parent, not against the abandoned branch.
 *
 * `evaluatePending`: the pending transaction is simulated on the head (../simulate-pending.ts), the view calls see
 * its post-state; an invariant that holds at the head and would not after it alerts, keyed
 * `pending:<tx hash>:<name>`.
 */
import { type Abi, decodeFunctionResult, encodeFunctionData, type Hex, type PublicClient } from 'viem';
import { makeFinding } from '../../analyze/catalog.js';
import { isRevert, rpcFailure } from '../../chain/rpc.js';
import { describeRevert, revertData } from '../../core/revert.js';
import { compareInvariant, type ResolvedInvariant } from '../../system/invariants.js';
import type { BlockRef } from '../follow.js';
import type { BlockRule, WatchFinding } from '../rule.js';
import { type PendingSimulator, pendingSimulator, type SimulatedCall } from '../simulate-pending.js';

/** An invariant resolved by the caller: the target's address, the function, its arguments, the expected value. */
export interface WatchedInvariant extends ResolvedInvariant {
  /** The target's ABI (or the project's errors), to name a revert by its custom error in the alert. */
  errors?: Abi;
}

export interface InvariantRuleOptions {
  client: PublicClient;
  invariants: readonly WatchedInvariant[];
  /** Shared with the other rules that judge pending transactions (one simulation each); default: its own. */
  simulator?: PendingSimulator;
}

/** What one read of an invariant showed. */
interface Reading {
  held: boolean;
  /** The value read (decimal for integers), or why there is none. */
  actual: string;
}

/** How many blocks' "which invariants were broken" are kept for reorgs (more than any follower keeps). */
const KEPT_BLOCKS = 256;

const shown = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : String(v));

function judge(inv: WatchedInvariant, value: unknown): Reading {
  return { held: compareInvariant(inv.op, value, inv.expected), actual: shown(value) };
}

/** Why a call gave no value: its revert (`Error("…")`, `Panic(17)`, a selector) or no data at all. */
const noValue = (inv: WatchedInvariant, data: Hex | undefined): Reading => ({
  held: false,
  actual:
    !data || data === '0x'
      ? 'no value (reverted without a reason, or no such function)'
      : `reverted: ${describeRevert(data, inv.errors ?? [])}`,
});

/** A call that failed: a revert (or nothing to decode) is a broken invariant; anything else is raised. */
function failed(inv: WatchedInvariant, e: unknown): Reading {
  if (!isRevert(e)) throw rpcFailure(e) ?? e;
  return noValue(inv, revertData(e));
}

/** Every invariant read at `blockNumber`, in one eth_call. */
async function readAt(options: InvariantRuleOptions, blockNumber: bigint): Promise<Reading[]> {
  const { client, invariants } = options;
  if (invariants.length === 0) return [];
  const results = await client.multicall({
    deployless: true,
    batchSize: 0,
    blockNumber,
    contracts: invariants.map((inv) => ({
      address: inv.address,
      abi: [inv.fn],
      functionName: inv.fn.name,
      args: inv.args,
    })),
  });
  return results.map((r, i) => {
    const inv = invariants[i] as WatchedInvariant;
    return r.status === 'success' ? judge(inv, r.result) : failed(inv, r.error);
  });
}

const describeCall = (inv: WatchedInvariant) =>
  `${inv.fn.name}(${inv.args.map(shown).join(', ')}) on ${inv.address}`;

function brokenFinding(
  inv: WatchedInvariant,
  reading: Reading,
  where: string,
  key: string,
  tx?: Hex,
): WatchFinding {
  return {
    ...makeFinding('watch-invariant-broken', {
      message: `invariant ${inv.name} ${where}: ${describeCall(inv)} is ${reading.actual}, expected ${inv.op} ${shown(inv.expected)}`,
      key,
    }),
    contract: inv.address,
    ...(tx ? { tx } : {}),
  };
}

/** The view calls after a simulated pending transaction, decoded and judged like a block's. */
function readAfter(options: InvariantRuleOptions, results: readonly SimulatedCall[]): Reading[] {
  return results.map((r, i) => {
    const inv = options.invariants[i] as WatchedInvariant;
    if (!r.ok) return noValue(inv, r.data);
    let value: unknown;
    try {
      value = decodeFunctionResult({ abi: [inv.fn], functionName: inv.fn.name, data: r.data });
    } catch {
      // Nothing (or too little) to decode: the function or the code is gone — broken, as in a block.
      return noValue(inv, undefined);
    }
    return judge(inv, value);
  });
}

/**
 * The `invariants` rule.
 *
 * @example
 * ```ts
 * const rule = invariantRule({ client, invariants: [{ name: 'no-assets-lost', address: vault, fn, args: [],
 *   op: '>=', expected: 59_000_000_000n }] });
 * ```
 */
export function invariantRule(options: InvariantRuleOptions): BlockRule {
  const simulator = options.simulator ?? pendingSimulator(options.client);
  const after = simulator.withCalls(
    options.invariants.map((inv) => ({
      to: inv.address,
      data: encodeFunctionData({ abi: [inv.fn], functionName: inv.fn.name, args: inv.args }),
    })),
  );
  // Block hash → names of the invariants broken after that block.
  const brokenAfter = new Map<Hex, ReadonlySet<string>>();
  const remember = (hash: Hex, broken: ReadonlySet<string>) => {
    brokenAfter.delete(hash);
    brokenAfter.set(hash, broken);
    for (const old of brokenAfter.keys()) {
      if (brokenAfter.size <= KEPT_BLOCKS) break;
      brokenAfter.delete(old);
    }
  };
  const brokenAt = async (block: BlockRef): Promise<ReadonlySet<string>> => {
    const readings = await readAt(options, block.number);
    return new Set(options.invariants.filter((_, i) => !readings[i]?.held).map((inv) => inv.name));
  };
  return {
    name: 'invariants',
    async evaluate(block) {
      const readings = await readAt(options, block.number);
      const before = brokenAfter.get(block.parentHash) ?? new Set<string>();
      const out: WatchFinding[] = [];
      const broken = new Set<string>();
      options.invariants.forEach((inv, i) => {
        const reading = readings[i] as Reading;
        if (reading.held) return;
        broken.add(inv.name);
        if (!before.has(inv.name))
          out.push(brokenFinding(inv, reading, `broken at block ${block.number}`, inv.name));
      });
      remember(block.hash, broken);
      return out;
    },
    async evaluatePending(tx, head) {
      const [before, simulated] = await Promise.all([
        brokenAfter.get(head.hash) ?? brokenAt(head),
        simulator.run(tx, head),
      ]);
      const readings = readAfter(options, after(simulated));
      return options.invariants.flatMap((inv, i) => {
        const reading = readings[i] as Reading;
        if (reading.held || before.has(inv.name)) return [];
        const where = `would break if pending transaction ${tx.hash} is mined`;
        return [brokenFinding(inv, reading, where, `pending:${tx.hash}:${inv.name}`, tx.hash)];
      });
    },
  };
}
