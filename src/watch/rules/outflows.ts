/**
 * Rule: value leaving the protected contracts. For each block, the ERC-20 `Transfer` logs of the watched tokens
 * from and to the protected contracts, summed per (contract, token) **net** — what came back in the same block is
 * subtracted, so a flash loan repaid within its transaction is no outflow while a drain counts in full however many
 * transfers it is split into. Two judgements per (contract, token):
 *
 * - `watch-outflow-over-cap` (critical): the block's net outflow is over the asset's `cap`.
 * - `watch-outflow-abnormal` (high): it is over `factor × max(mean, floor)`, where `mean` is the average net outflow
 *   per block over the `window` blocks before this one (blocks with none count as zero). The mean, not a high
 *   quantile: most blocks move nothing from a vault, so any quantile below the top is zero and the top one is the
 *   single largest past withdrawal — which an attacker can stage to lift the bar for `window` blocks; one large
 *   withdrawal moves the mean by only its 1/window. `floor` keeps a quiet contract (mean near zero) from alerting
 *   on its first ordinary withdrawal. Integer arithmetic throughout (factor to 1/1000).
 *
 * Warm-up: the first block judged (after a start, a restart, a reorg, or a gap) reads the `window` blocks before it
 * from the chain in one range query, so a restarted watcher is never blind. A block over the cap raises both.
 *
 * What it cannot see (docs/findings.md): tokens not in its list, native ETH, value that leaves without a `Transfer`
 * from the contract's own address, and a drain spread over blocks each under the bars.
 *
 * `evaluatePending`: the pending transaction's simulated logs (../simulate-pending.ts) judged the same way against
 * the baseline at the head, keyed `pending:<tx hash>:<contract>:<token>`.
 */
import {
  type Address,
  getAddress,
  type Hex,
  type Log,
  type PublicClient,
  parseAbiItem,
  parseEventLogs,
} from 'viem';
import { makeFinding } from '../../analyze/catalog.js';
import { inputError } from '../../core/errors.js';
import type { BlockRef } from '../follow.js';
import type { BlockRule, PendingTx, WatchFinding } from '../rule.js';
import { type PendingSimulator, pendingSimulator } from '../simulate-pending.js';

/** A token watched for outflows, with its bars (base units of the token). */
export interface WatchedAsset {
  token: Address;
  /** How the alert names the token (its address otherwise). */
  symbol?: string;
  /** Over this much leaving one contract in one block: `watch-outflow-over-cap`. */
  cap?: bigint;
  /** Over this many times the baseline: `watch-outflow-abnormal` (no baseline check without it). */
  factor?: number;
  /** Blocks in the baseline (default 100). */
  window?: number;
  /** The least the baseline is taken to be (default 0). */
  floor?: bigint;
}

export interface OutflowRuleOptions {
  client: PublicClient;
  contracts: readonly Address[];
  assets: readonly WatchedAsset[];
  /** Shared with the other rules that judge pending transactions (one simulation each); default: its own. */
  simulator?: PendingSimulator;
}

const DEFAULT_WINDOW = 100;
const TRANSFER = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
/** `factor` is applied in thousandths, so the comparison stays in integers. */
const FACTOR_SCALE = 1000n;

/** A (contract, token) pair, lowercased. */
type PairKey = `${string}:${string}`;
const pairKey = (contract: Address, token: Address): PairKey =>
  `${contract.toLowerCase()}:${token.toLowerCase()}`;

/** What moved for one (contract, token) in one block, or one pending transaction. */
interface Flow {
  contract: Address;
  token: Address;
  out: bigint;
  in: bigint;
  /** The transaction of the biggest single transfer out. */
  biggest?: { tx: Hex; amount: bigint };
}

/** A Transfer of a watched token that touches a protected contract. */
interface Transfer {
  token: Address;
  from: Address;
  to: Address;
  value: bigint;
  tx: Hex;
  block: bigint;
}

const netOf = (f: Flow): bigint => (f.out > f.in ? f.out - f.in : 0n);

function checkAssets(assets: readonly WatchedAsset[]): void {
  for (const a of assets) {
    const bad =
      (a.factor !== undefined && !(Number.isFinite(a.factor) && a.factor > 0)) ||
      (a.window !== undefined && !(Number.isInteger(a.window) && a.window > 0));
    if (bad) {
      throw inputError(
        'config-invalid',
        `outflow asset ${a.symbol ?? a.token}: factor must be a positive number and window a positive whole number of blocks (got factor ${a.factor}, window ${a.window})`,
        'e.g. factor 5, window 100',
      );
    }
  }
}

/** The decoded Transfers among `logs` that are of a watched token. */
function transfersIn(logs: readonly Log[], tokens: ReadonlySet<string>): Transfer[] {
  return parseEventLogs({ abi: [TRANSFER], eventName: 'Transfer', logs: [...logs], strict: true })
    .filter((l) => tokens.has(l.address.toLowerCase()))
    .map((l) => ({
      token: getAddress(l.address),
      from: getAddress(l.args.from),
      to: getAddress(l.args.to),
      value: l.args.value,
      tx: l.transactionHash ?? '0x',
      block: l.blockNumber ?? 0n,
    }));
}

/** The flows of `transfers` per (contract, token): out from a protected contract, in to one. */
function flowsOf(transfers: readonly Transfer[], contracts: ReadonlySet<string>): Map<PairKey, Flow> {
  const flows = new Map<PairKey, Flow>();
  const flow = (contract: Address, token: Address) => {
    const key = pairKey(contract, token);
    let f = flows.get(key);
    if (!f) {
      f = { contract, token, out: 0n, in: 0n };
      flows.set(key, f);
    }
    return f;
  };
  for (const t of transfers) {
    if (contracts.has(t.from.toLowerCase())) {
      const f = flow(t.from, t.token);
      f.out += t.value;
      if (!f.biggest || t.value > f.biggest.amount) f.biggest = { tx: t.tx, amount: t.value };
    }
    if (contracts.has(t.to.toLowerCase())) flow(t.to, t.token).in += t.value;
  }
  return flows;
}

/** The net outflows of past blocks, newest last, ending at `tip` (the block whose hash they were read up to). */
interface History {
  tip: { number: bigint; hash: Hex };
  /** Block number → (contract, token) → net outflow; blocks and pairs with none are absent. */
  nets: Map<bigint, Map<PairKey, bigint>>;
}

const netsOf = (flows: Map<PairKey, Flow>): Map<PairKey, bigint> =>
  new Map([...flows].map(([k, f]) => [k, netOf(f)] as const).filter(([, n]) => n > 0n));

/** Each block's net outflows among `transfers` (read over a range of blocks). */
function netsByBlock(transfers: readonly Transfer[], contracts: ReadonlySet<string>): History['nets'] {
  const byBlock = new Map<bigint, Transfer[]>();
  for (const t of transfers) byBlock.set(t.block, [...(byBlock.get(t.block) ?? []), t]);
  return new Map([...byBlock].map(([n, ts]) => [n, netsOf(flowsOf(ts, contracts))] as const));
}

/** The baseline of a pair: its summed net outflow over the `window` blocks ending at the history's tip. */
function windowSum(history: History, key: PairKey, window: number): bigint {
  let sum = 0n;
  const after = history.tip.number - BigInt(window);
  for (const [n, nets] of history.nets) if (n > after) sum += nets.get(key) ?? 0n;
  return sum;
}

/**
 * The `outflows` rule.
 *
 * @example
 * ```ts
 * const rule = outflowRule({ client, contracts: [vault], assets: [{ token: usdc, symbol: 'USDC',
 *   cap: 1_000_000_000_000n, factor: 5, window: 300, floor: 50_000_000_000n }] });
 * ```
 */
export function outflowRule(options: OutflowRuleOptions): BlockRule {
  checkAssets(options.assets);
  const { client } = options;
  const simulator = options.simulator ?? pendingSimulator(client);
  const contracts = new Set(options.contracts.map((c) => c.toLowerCase()));
  const assets = new Map(options.assets.map((a) => [a.token.toLowerCase(), a]));
  const tokens = new Set(assets.keys());
  const kept = Math.max(1, ...options.assets.map((a) => a.window ?? DEFAULT_WINDOW));
  let history: History | undefined;

  /** Transfers of watched tokens from or to a protected contract, in one block (by hash) or a range. */
  const read = async (range: { blockHash: Hex } | { fromBlock: bigint; toBlock: bigint }) => {
    if (tokens.size === 0 || contracts.size === 0) return [];
    const filter = { address: options.assets.map((a) => a.token), event: TRANSFER, ...range };
    const [out, into] = await Promise.all([
      client.getLogs({ ...filter, args: { from: [...options.contracts] } }),
      client.getLogs({ ...filter, args: { to: [...options.contracts] } }),
    ]);
    // A transfer between two protected contracts is in both answers: once is enough.
    const seen = new Map<string, Log>();
    for (const l of [...out, ...into]) seen.set(`${l.blockHash}:${l.logIndex}`, l);
    return transfersIn([...seen.values()], tokens);
  };

  /** The history, read from the chain unless it already ends at `tip`. */
  const historyAt = async (tip: { number: bigint; hash: Hex }): Promise<History> => {
    if (history && history.tip.hash === tip.hash) return history;
    const from = tip.number - BigInt(kept) + 1n;
    const transfers =
      tip.number < 0n ? [] : await read({ fromBlock: from > 0n ? from : 0n, toBlock: tip.number });
    const nets = netsByBlock(transfers, contracts);
    history = { tip, nets };
    return history;
  };

  const judge = (
    flows: Map<PairKey, Flow>,
    base: History,
    where: string,
    keyOf: (f: Flow) => string,
    tx?: Hex,
  ) => [...flows.values()].flatMap((f) => judgeFlow(f, base, where, keyOf(f), tx));

  function judgeFlow(f: Flow, base: History, where: string, key: string, tx?: Hex): WatchFinding[] {
    const asset = assets.get(f.token.toLowerCase());
    const net = netOf(f);
    if (!asset || net === 0n) return [];
    // A pending transaction is named in `where`; a block's alert names the transaction of its biggest transfer out.
    const culprit = tx ?? f.biggest?.tx;
    const named = !tx && culprit ? ` (tx ${culprit})` : '';
    const what = `${f.contract} ${tx ? 'would send' : 'sent'} out ${net} ${asset.symbol ?? f.token} net ${where}${named}`;
    const carried = {
      contract: f.contract,
      outflow: { token: f.token, amount: net },
      ...(culprit ? { tx: culprit } : {}),
    };
    const out: WatchFinding[] = [];
    if (asset.cap !== undefined && net > asset.cap) {
      out.push({
        ...makeFinding('watch-outflow-over-cap', { message: `${what}, over the cap of ${asset.cap}`, key }),
        ...carried,
      });
    }
    if (asset.factor !== undefined) {
      const window = asset.window ?? DEFAULT_WINDOW;
      const floor = asset.floor ?? 0n;
      const sum = windowSum(base, pairKey(f.contract, f.token), window);
      const w = BigInt(window);
      const bar = sum > floor * w ? sum : floor * w;
      if (net * w * FACTOR_SCALE > BigInt(Math.round(asset.factor * Number(FACTOR_SCALE))) * bar) {
        const message = `${what}, over ${asset.factor} × max(mean ${sum / w} over ${window} blocks, floor ${floor})`;
        out.push({ ...makeFinding('watch-outflow-abnormal', { message, key }), ...carried });
      }
    }
    return out;
  }

  return {
    name: 'outflows',
    async evaluate(block: BlockRef) {
      const base = await historyAt({ number: block.number - 1n, hash: block.parentHash });
      const flows = flowsOf(await read({ blockHash: block.hash }), contracts);
      const found = judge(flows, base, `in block ${block.number}`, (f) => `${f.contract}:${f.token}`);
      // This block joins the baseline of the next; blocks older than the longest window are dropped.
      base.nets.set(block.number, netsOf(flows));
      for (const n of base.nets.keys()) if (n <= block.number - BigInt(kept)) base.nets.delete(n);
      base.tip = { number: block.number, hash: block.hash };
      return found;
    },
    async evaluatePending(tx: PendingTx, head: BlockRef) {
      const [base, { tx: run }] = await Promise.all([historyAt(head), simulator.run(tx, head)]);
      if (!run.ok) return [];
      const flows = flowsOf(transfersIn(run.logs, tokens), contracts);
      const where = `if pending transaction ${tx.hash} is mined`;
      return judge(flows, base, where, (f) => `pending:${tx.hash}:${f.contract}:${f.token}`, tx.hash);
    },
  };
}
