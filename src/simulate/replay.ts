/**
 * Differential replay: the same user transactions on the system before and after the upgrade. Per
 * transaction: status, return data, events, the token balances of the sender and the target, gas used.
 * A flow that worked and now reverts, or moves different amounts, breaks users; other differences are
 * listed for review.
 */
import { type Abi, type AbiFunction, type Address, decodeFunctionResult, erc20Abi, type Hex } from 'viem';
import type { Clients } from '../chain/clients.js';
import type { SystemConfig } from '../config/schema.js';
import { inputError } from '../errors.js';
import { accountFor, type DeployedSystem, encodeCall } from './deploy-system.js';
import { describeRevert, revertData } from './revert.js';

export interface TxOutcome {
  label: string;
  status: 'success' | 'reverted';
  /** Decoded return value (JSON) or the revert reason. */
  result: string;
  /** `address:topic0` of each log, in order. */
  events: string[];
  /** `token:holder` → delta (decimal). */
  balances: Record<string, string>;
  gasUsed?: string;
}

export type ReplayStep = SystemConfig['setup'][number];

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

/** Replay `steps` from the current state (inside a snapshot the caller reverts), calling `after` after each. */
export async function replay(
  clients: Clients,
  system: DeployedSystem,
  steps: readonly ReplayStep[],
  abiFor: (name: string) => Abi,
  errorsAbi: Abi,
  after?: (i: number) => Promise<void>,
): Promise<TxOutcome[]> {
  const tokens = [...system.contracts.values()].filter((c) =>
    c.abi.some((x) => x.type === 'function' && x.name === 'balanceOf' && x.inputs.length === 1),
  );
  const outcomes: TxOutcome[] = [];
  let lastRead: Record<string, bigint> = {};
  for (const [i, step] of steps.entries()) {
    const target = system.contracts.get(step.to);
    if (!target)
      throw inputError(
        'unknown-contract',
        `replay[${i}].to "${step.to}" is not deployed`,
        `deployed: ${[...system.contracts.keys()].join(', ')}`,
      );
    const abi = abiFor(step.to);
    const from = accountFor(step.from);
    const data = encodeCall(
      system,
      abi,
      { function: step.function, args: step.args },
      `replay[${i}] ${step.to}`,
    );
    const holders: Address[] = [from.address, target.address];
    const keys = tokens.flatMap((t) =>
      holders.map((h) => ({
        key: `${t.name}:${h === from.address ? step.from : step.to}`,
        token: t.address,
        holder: h,
      })),
    );
    // All reads of one moment go out together (one JSON-RPC batch).
    const read = async () => {
      const values = await Promise.all(
        keys.map((k) =>
          clients.public.readContract({
            address: k.token,
            abi: erc20Abi,
            functionName: 'balanceOf',
            args: [k.holder],
          }),
        ),
      );
      return Object.fromEntries(keys.map((k, j) => [k.key, values[j] as bigint])) as Record<string, bigint>;
    };
    const label = `${step.from} → ${step.to}.${step.function}(${step.args.join(', ')})`;
    // Nothing changed since the previous transaction's after-read: reuse it when it covers these balances.
    const before = keys.every((k) => k.key in lastRead) ? lastRead : await read();
    let result: string;
    try {
      const { data: ret } = await clients.public.call({ account: from, to: target.address, data });
      const fn = abi.find((x): x is AbiFunction => x.type === 'function' && x.name === step.function);
      result =
        fn && ret
          ? json(decodeFunctionResult({ abi: [fn], functionName: fn.name, data: ret as Hex }))
          : (ret ?? '0x');
    } catch (e) {
      outcomes.push({
        label,
        status: 'reverted',
        result: describeRevert(revertData(e), [...abi, ...errorsAbi]),
        events: [],
        balances: {},
      });
      await after?.(i);
      continue;
    }
    const hash = await clients.wallet(from).sendTransaction({ to: target.address, data });
    const receipt = await clients.public.waitForTransactionReceipt({ hash });
    const afterBalances = await read();
    lastRead = afterBalances;
    const balances: Record<string, string> = {};
    for (const [k, v] of Object.entries(afterBalances)) {
      const delta = v - (before[k] ?? 0n);
      if (delta !== 0n) balances[k] = delta.toString();
    }
    outcomes.push({
      label,
      status: receipt.status === 'success' ? 'success' : 'reverted',
      result,
      events: receipt.logs.map((l) => `${nameOf(system, l.address)}:${l.topics[0] ?? ''}`),
      balances,
      gasUsed: receipt.gasUsed.toString(),
    });
    await after?.(i);
    if (after) lastRead = {};
  }
  return outcomes;
}

function nameOf(system: DeployedSystem, address: Address): string {
  for (const c of system.contracts.values())
    if (c.address.toLowerCase() === address.toLowerCase()) return c.name;
  return address;
}

export interface ReplayDifference {
  index: number;
  label: string;
  kind: 'status' | 'balances' | 'result' | 'events';
  before: string;
  after: string;
}

export function compareReplays(before: TxOutcome[], after: TxOutcome[]): ReplayDifference[] {
  const diffs: ReplayDifference[] = [];
  before.forEach((b, index) => {
    const a = after[index];
    if (!a) return;
    const add = (kind: ReplayDifference['kind'], x: string, y: string) => {
      if (x !== y) diffs.push({ index, label: b.label, kind, before: x, after: y });
    };
    add(
      'status',
      b.status === 'success' ? 'success' : `reverted: ${b.result}`,
      a.status === 'success' ? 'success' : `reverted: ${a.result}`,
    );
    if (b.status === 'success' && a.status === 'success') {
      add('balances', json(b.balances), json(a.balances));
      add('result', b.result, a.result);
      add('events', b.events.join(' '), a.events.join(' '));
    }
  });
  return diffs;
}
