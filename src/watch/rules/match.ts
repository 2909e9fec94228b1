/**
 * Rule: a team's own match (config `watch.match`, or imported from OpenZeppelin Monitor by `watch-import`). For a
 * list of addresses it alerts on
 *
 * - events: every log of the block from one of the addresses whose topic0 is a listed event's and whose decoded
 *   parameters satisfy its expression (expression.ts); key `${txHash}:${logIndex}`;
 * - functions: every transaction of the block whose `to` is one of the addresses, whose selector is a listed
 *   function's and whose decoded arguments satisfy its expression; key `${txHash}:call`. Top-level calls only (the
 *   transaction's own calldata, as OpenZeppelin Monitor does): a call made from inside another contract is not
 *   seen. A call matches whether or not it reverted.
 *
 * A signature is `Name(type,…)` (OpenZeppelin Monitor's form) or the full form with names (`Transfer(address indexed
 * from,address indexed to,uint256 value)`). A bare signature takes its names and `indexed` flags from the ABIs given
 * (the live contracts'); an event known only by its bare form can be matched, but not given an expression (which
 * parameters are indexed is unknown), and a bare function's parameters are named `$0`, `$1`… only. Everything is
 * checked when the rule is made: a bad signature or expression stops the watcher before it starts (exit 2).
 *
 * Arguments that do not decode under a matched selector (calldata an attacker shaped) alert, with the expression
 * unevaluated, rather than pass in silence.
 */
import {
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type Address,
  decodeEventLog,
  decodeFunctionData,
  getAddress,
  type Hex,
  type PublicClient,
  parseAbiItem,
  toEventSelector,
  toEventSignature,
  toFunctionSelector,
  toFunctionSignature,
} from 'viem';
import { makeFinding } from '../../analyze/catalog.js';
import { inputError } from '../../core/errors.js';
import type { Severity } from '../../core/finding.js';
import { checkExpression, type Expr, evaluate, parseExpression } from '../expression.js';
import type { BlockRule, WatchFinding } from '../rule.js';

/** One event or function of a match, as the config writes it. */
export interface MatchCondition {
  signature: string;
  expression?: string | undefined;
}

export interface MatchRuleOptions {
  client: PublicClient;
  /** The match's name (any text): the rule is named after it, kebab-case. */
  name: string;
  addresses: readonly Address[];
  events?: readonly MatchCondition[];
  functions?: readonly MatchCondition[];
  /** ABIs that give a bare signature its parameter names and indexed flags (the live contracts'). */
  abis?: readonly Abi[];
  severity?: Severity;
}

interface Resolved<T extends AbiEvent | AbiFunction> {
  item: T;
  signature: string;
  expression?: { source: string; tree: Expr };
}

/** `Large USDC transfer!` → `large-usdc-transfer`. */
function kebabName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const named = (item: AbiEvent | AbiFunction) => item.inputs.every((p) => p.name);

function resolveItem<K extends 'event' | 'function'>(
  kind: K,
  signature: string,
  abis: readonly Abi[],
): { item: K extends 'event' ? AbiEvent : AbiFunction; bare: boolean } {
  type Item = K extends 'event' ? AbiEvent : AbiFunction;
  let parsed: AbiEvent | AbiFunction;
  try {
    const item = parseAbiItem(`${kind} ${signature.trim()}`) as AbiEvent | AbiFunction;
    if (item.type !== kind) throw new Error(kind);
    parsed = item;
  } catch {
    throw inputError(
      'watch-signature-invalid',
      `${kind} signature "${signature}" is not a Solidity ${kind} signature`,
      kind === 'event'
        ? 'e.g. Transfer(address,address,uint256) or Transfer(address indexed from,address indexed to,uint256 value)'
        : 'e.g. transfer(address,uint256) or transfer(address to,uint256 amount)',
    );
  }
  const canonical = (i: AbiEvent | AbiFunction) =>
    i.type === 'event' ? toEventSignature(i) : toFunctionSignature(i);
  if (parsed.inputs.length > 0 && named(parsed)) return { item: parsed as Item, bare: false };
  const want = canonical(parsed);
  for (const abi of abis) {
    const known = abi.find(
      (i): i is AbiEvent | AbiFunction => i.type === kind && canonical(i as AbiEvent | AbiFunction) === want,
    );
    if (known) return { item: known as Item, bare: false };
  }
  return { item: parsed as Item, bare: parsed.inputs.length > 0 };
}

function resolve<K extends 'event' | 'function'>(
  kind: K,
  c: MatchCondition,
  abis: readonly Abi[],
): Resolved<K extends 'event' ? AbiEvent : AbiFunction> {
  const { item, bare } = resolveItem(kind, c.signature, abis);
  const signature = item.type === 'event' ? toEventSignature(item) : toFunctionSignature(item);
  if (c.expression === undefined || c.expression.trim() === '') return { item, signature };
  if (kind === 'event' && bare) {
    throw inputError(
      'watch-signature-invalid',
      `event ${signature} has an expression but no ABI says which of its parameters are indexed`,
      `write it in full, e.g. ${item.name}(address indexed from, …), or watch a live contract whose ABI has it`,
    );
  }
  const tree = parseExpression(c.expression);
  checkExpression(c.expression, tree, item.inputs, `${kind} ${signature}`);
  return { item, signature, expression: { source: c.expression, tree } };
}

/** `from=0xab…, value=12` — the decoded arguments as the alert shows them. */
function showArgs(item: AbiEvent | AbiFunction, args: readonly unknown[]): string {
  return item.inputs.map((p, i) => `${p.name || `$${i}`}=${String(args[i])}`).join(', ');
}

/** Decoded arguments in declaration order (viem gives an object for named event parameters). */
function argList(item: AbiEvent | AbiFunction, args: unknown): unknown[] {
  if (Array.isArray(args)) return args;
  const record = (args ?? {}) as Record<string, unknown>;
  return item.inputs.map((p, i) => record[p.name ?? String(i)] ?? record[String(i)]);
}

export function matchRule(options: MatchRuleOptions): BlockRule {
  const name = kebabName(options.name);
  if (name === '') {
    throw inputError(
      'watch-rule-invalid',
      `watch.match name "${options.name}" has no letters or digits`,
      'name the match, e.g. "large-transfers"',
    );
  }
  const abis = options.abis ?? [];
  const events = (options.events ?? []).map((c) => resolve('event', c, abis));
  const functions = (options.functions ?? []).map((c) => resolve('function', c, abis));
  if (events.length === 0 && functions.length === 0) {
    throw inputError(
      'watch-rule-invalid',
      `watch.match "${options.name}" lists no events and no functions`,
      'add events or functions to it',
    );
  }
  const addresses = new Set(options.addresses.map((a) => a.toLowerCase()));
  const byTopic = group(events, (e) => toEventSelector(e.item));
  const bySelector = group(functions, (f) => toFunctionSelector(f.item));
  const finding = (message: string, key: string, contract: Address, tx: Hex): WatchFinding => ({
    ...makeFinding('watch-match', { message, key, severity: options.severity ?? 'high' }),
    contract,
    tx,
  });

  const eventFindings = async (blockHash: Hex, number: bigint): Promise<WatchFinding[]> => {
    if (events.length === 0) return [];
    const logs = await options.client.getLogs({ address: [...options.addresses], blockHash });
    const out: WatchFinding[] = [];
    for (const log of logs) {
      const candidates = byTopic.get((log.topics[0] ?? '').toLowerCase()) ?? [];
      for (const e of candidates) {
        let args: unknown[];
        try {
          args = argList(e.item, decodeEventLog({ abi: [e.item], data: log.data, topics: log.topics }).args);
        } catch {
          continue; // the same topic0 with another layout (ERC-721's Transfer): not the event listed
        }
        if (e.expression && !evaluate(e.expression.tree, e.item.inputs, args)) continue;
        const where = `${e.item.name} on ${getAddress(log.address)} in block ${number} (tx ${log.transactionHash})`;
        out.push(
          finding(
            `${options.name}: ${where}: ${showArgs(e.item, args)}${e.expression ? ` matches ${e.expression.source}` : ''}`,
            `${log.transactionHash}:${log.logIndex}`,
            getAddress(log.address),
            log.transactionHash as Hex,
          ),
        );
        break;
      }
    }
    return out;
  };

  const callFindings = async (blockHash: Hex, number: bigint): Promise<WatchFinding[]> => {
    if (functions.length === 0) return [];
    const block = await options.client.getBlock({ blockHash, includeTransactions: true });
    const out: WatchFinding[] = [];
    for (const tx of block.transactions) {
      if (!tx.to || !addresses.has(tx.to.toLowerCase())) continue;
      const to = getAddress(tx.to);
      const candidates = bySelector.get(tx.input.slice(0, 10).toLowerCase()) ?? [];
      for (const f of candidates) {
        const where = `${f.item.name}() called on ${to} in block ${number} (tx ${tx.hash})`;
        let args: unknown[] | undefined;
        try {
          args = argList(f.item, decodeFunctionData({ abi: [f.item], data: tx.input }).args);
        } catch {
          args = undefined;
        }
        if (args && f.expression && !evaluate(f.expression.tree, f.item.inputs, args)) continue;
        const what = args
          ? `${showArgs(f.item, args)}${f.expression ? ` matches ${f.expression.source}` : ''}`
          : `its arguments do not decode as ${f.signature}`;
        out.push(finding(`${options.name}: ${where}: ${what}`, `${tx.hash}:call`, to, tx.hash));
        break;
      }
    }
    return out;
  };

  return {
    name,
    async evaluate(block) {
      return [
        ...(await eventFindings(block.hash, block.number)),
        ...(await callFindings(block.hash, block.number)),
      ];
    },
  };
}

function group<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item).toLowerCase();
    out.set(key, [...(out.get(key) ?? []), item]);
  }
  return out;
}
