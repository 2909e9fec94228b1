/**
 * Differential replay: the same user transactions on the system before and after the upgrade. Per
 * transaction: status, return data, events, the token balances of the sender and the target, gas used.
 * A flow that worked and now reverts, or moves different amounts, breaks users; other differences are
 * listed for review.
 */

import {
  type Abi,
  type AbiFunction,
  type Account,
  type Address,
  decodeFunctionResult,
  erc20Abi,
  type Hex,
  type PublicClient,
} from 'viem';
import type { Clients } from '../chain/clients.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import type { SystemConfig } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { encodeCall } from '../system/encode.js';
import { accountFor, type DeployedSystem } from '../system/model.js';

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

/** One transaction to replay: who sends it, to what, with which calldata. */
export interface ReplayCall {
  label: string;
  /** A local account, or an address to impersonate (historical transactions on a fork). */
  from: Account | Address;
  fromName: string;
  to: Address;
  toName: string;
  data: Hex;
  value?: bigint;
  /** Decodes the return value when known. */
  fn?: AbiFunction;
}

/** Config steps (`from`/`to` names, function and args) as calls, encoded with the live ABI. */
export function callsFromSteps(
  system: DeployedSystem,
  steps: readonly ReplayStep[],
  abiFor: (name: string) => Abi,
): ReplayCall[] {
  return steps.map((step, i) => {
    const target = system.contracts.get(step.to);
    if (!target) {
      throw inputError(
        'unknown-contract',
        `replay[${i}].to "${step.to}" is not deployed`,
        `deployed: ${[...system.contracts.keys()].join(', ')}`,
      );
    }
    const abi = abiFor(step.to);
    return {
      label: `${step.from} → ${step.to}.${step.function}(${step.args.join(', ')})`,
      from: accountFor(step.from),
      fromName: step.from,
      to: target.address,
      toName: step.to,
      data: encodeCall(system, abi, { function: step.function, args: step.args }, `replay[${i}] ${step.to}`),
      fn: abi.find((x): x is AbiFunction => x.type === 'function' && x.name === step.function),
    };
  });
}

/** Replay config `steps` from the current state (inside a snapshot the caller reverts). */
export function replay(
  clients: Clients,
  system: DeployedSystem,
  steps: readonly ReplayStep[],
  abiFor: (name: string) => Abi,
  errorsAbi: Abi,
  after?: (i: number) => Promise<void>,
): Promise<TxOutcome[]> {
  return replayCalls(clients, system, callsFromSteps(system, steps, abiFor), errorsAbi, after);
}

/** Replay calls from the current state, calling `after` after each. */
export async function replayCalls(
  clients: Clients,
  system: DeployedSystem,
  calls: readonly ReplayCall[],
  errorsAbi: Abi,
  after?: (i: number) => Promise<void>,
): Promise<TxOutcome[]> {
  const tokens = [...system.contracts.values()].filter((c) =>
    c.abi.some((x) => x.type === 'function' && x.name === 'balanceOf' && x.inputs.length === 1),
  );
  const outcomes: TxOutcome[] = [];
  let lastRead: Record<string, bigint> = {};
  for (const [i, call] of calls.entries()) {
    const fromAddress = typeof call.from === 'string' ? call.from : call.from.address;
    const holders: Address[] = [fromAddress, call.to];
    const keys = tokens.flatMap((t) =>
      holders.map((h) => ({
        key: `${t.name}:${h === fromAddress ? call.fromName : call.toName}`,
        token: t.address,
        holder: h,
      })),
    );
    // All reads of one moment go out together.
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
    // Nothing changed since the previous transaction's after-read: reuse it when it covers these balances.
    const before = keys.every((k) => k.key in lastRead) ? lastRead : await read();
    let result: string;
    try {
      const { data: ret } = await clients.public.call({
        account: fromAddress,
        to: call.to,
        data: call.data,
        value: call.value,
      });
      result =
        call.fn && ret
          ? json(decodeFunctionResult({ abi: [call.fn], functionName: call.fn.name, data: ret as Hex }))
          : (ret ?? '0x');
    } catch (e) {
      rethrowTransportFailure(e);
      outcomes.push({
        label: call.label,
        status: 'reverted',
        result: describeRevert(revertData(e), errorsAbi),
        events: [],
        balances: {},
      });
      await after?.(i);
      lastRead = {};
      continue;
    }
    const impersonate = typeof call.from === 'string';
    if (impersonate) await clients.test.impersonateAccount({ address: fromAddress });
    let hash: Hex;
    try {
      const account =
        typeof call.from === 'string' ? { address: call.from, type: 'json-rpc' as const } : call.from;
      hash = await clients
        .wallet(account)
        .sendTransaction({ to: call.to, data: call.data, value: call.value });
    } finally {
      if (impersonate) await clients.test.stopImpersonatingAccount({ address: fromAddress });
    }
    const receipt = await clients.public.waitForTransactionReceipt({ hash });
    const afterBalances = await read();
    lastRead = afterBalances;
    const balances: Record<string, string> = {};
    for (const [k, v] of Object.entries(afterBalances)) {
      const delta = v - (before[k] ?? 0n);
      if (delta !== 0n) balances[k] = delta.toString();
    }
    outcomes.push({
      label: call.label,
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

/**
 * The transactions of a block range on the forked network, to replay by impersonating their senders
 * (contract creations are skipped). Read from the fork source, so they are the real history.
 */
export async function blockRangeCalls(
  source: PublicClient,
  system: DeployedSystem,
  from: bigint,
  to: bigint,
): Promise<ReplayCall[]> {
  const calls: ReplayCall[] = [];
  for (let b = from; b <= to; b++) {
    const block = await source.getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      if (typeof tx === 'string' || !tx.to) continue;
      const toName = nameOf(system, tx.to);
      calls.push({
        label: `block ${b} tx ${tx.hash.slice(0, 10)}… ${tx.from.slice(0, 8)}… → ${toName === tx.to ? `${tx.to.slice(0, 10)}…` : toName}`,
        from: tx.from,
        fromName: tx.from,
        to: tx.to,
        toName,
        data: tx.input,
        value: tx.value,
      });
    }
  }
  return calls;
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
