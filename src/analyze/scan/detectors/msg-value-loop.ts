/**
 * `scan-msg-value-loop`: `msg.value` read inside a loop of code a payable entry point runs — in the loop
 * itself, in a function the loop calls, or through a batch that delegatecalls the contract itself in a loop
 * (`multicall`/`batch` payable, each sub-call sees the whole `msg.value` again). The ether sent once is counted
 * once per iteration: Opyn's `exercise` (2020) checked every vault against the same `msg.value`; SushiSwap
 * MISO's `batch` (2021) let `commitEth` credit the same ether many times.
 *
 * Not reported: `msg.value` read once before or after the loop (a total compared once), loops in functions no
 * payable entry point runs (`msg.value` is zero there), OpenZeppelin's `Multicall` (not payable), a batch whose
 * sub-calls cannot reach a `msg.value` read.
 */
import type { AnyNode, ContractView } from '../../ast.js';
import { entryPoints, walk } from '../../ast.js';
import { type Callable, codeOf, reachable } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { isMsg } from './privileged-state.js';
import { argsOf, calleeOf } from './token-math.js';

const LOOPS = new Set(['ForStatement', 'WhileStatement', 'DoWhileStatement']);

function isThisAddress(n: AnyNode | undefined): boolean {
  if (!n) return false;
  if (n.nodeType === 'Identifier') return (n as { name?: string }).name === 'this';
  if (n.nodeType === 'FunctionCall' && n.kind === 'typeConversion') return isThisAddress(argsOf(n)[0]);
  return false;
}

/** The first `msg.value` in a callable's own code. */
function valueRead(c: Callable): AnyNode | undefined {
  let found: AnyNode | undefined;
  walk(codeOf(c), (n) => {
    if (found) return 'skip';
    if (isMsg(n, 'value')) found = n;
    return undefined;
  });
  return found;
}

/** `msg.value` read somewhere in what `c` runs: the callable that reads it, or undefined. */
function readerIn(view: ContractView, c: Callable): Callable | undefined {
  return reachable(view, [c]).find((x) => valueRead(x) !== undefined);
}

/** A delegatecall into the contract itself: `address(this).delegatecall(d)`, `Address.functionDelegateCall(address(this), d)`. */
function selfDelegatecall(view: ContractView, n: AnyNode, from: Callable): boolean {
  const t = callTarget(view, n, from);
  const callee = calleeOf(n);
  if (t.kind === 'address') return t.member === 'delegatecall' && isThisAddress(callee.expression as AnyNode);
  if (t.kind === 'internal' || t.kind === 'library')
    return t.callee.name === 'functionDelegateCall' && isThisAddress(argsOf(n)[0]);
  return false;
}

export const msgValueLoop: ScanDetector = {
  id: 'scan-msg-value-loop',
  confidence: 'high',
  run({ view, isOwn }) {
    const payable = [...new Set(entryPoints(view).values())].filter(
      (fn) => fn.body && fn.stateMutability === 'payable',
    );
    if (payable.length === 0) return [];
    // Payable entry points that read msg.value: what a self-delegatecall in a batch can run.
    const batchable = payable.filter((fn) => readerIn(view, fn)).map((fn) => fn.name || fn.kind);
    const hits: ScanHit[] = [];
    const seen = new Set<number>();
    const report = (node: AnyNode, within: Callable, message: string, detail: string) => {
      if (seen.has(node.id as number)) return;
      seen.add(node.id as number);
      hits.push({ node, within, message, detail });
    };
    for (const fn of payable) {
      for (const c of reachable(view, [fn])) {
        if (!isOwn(c) || !c.body) continue;
        const name = c.name || 'the fallback';
        walk(c.body, (loop) => {
          if (!LOOPS.has(loop.nodeType)) return undefined;
          walk([loop.condition, loop.body, loop.loopExpression], (n) => {
            if (isMsg(n, 'value')) {
              report(
                n,
                c,
                `${name} reads msg.value inside a loop (line ${view.lineOf(loop)}): every iteration sees the whole amount sent once, so one payment is counted once per iteration (Opyn 2020).`,
                'loop',
              );
              return 'skip';
            }
            if (n.nodeType !== 'FunctionCall') return undefined;
            if (selfDelegatecall(view, n, c) && batchable.length > 0) {
              report(
                n,
                c,
                `${name} delegatecalls the contract itself in a loop while it is payable: each sub-call runs with the same msg.value, so ${batchable.slice(0, 3).join(', ')} ${batchable.length > 1 ? 'credit' : 'credits'} the ether sent once as many times as the batch repeats it (SushiSwap MISO 2021).`,
                'batch',
              );
              return undefined;
            }
            const t = callTarget(view, n, c);
            if (t.kind !== 'internal' && t.kind !== 'library') return undefined;
            const reader = readerIn(view, t.callee);
            if (reader)
              report(
                n,
                c,
                `${name} calls ${t.callee.name} inside a loop (line ${view.lineOf(loop)}) and ${reader.name === t.callee.name ? 'it' : `through it ${reader.name}`} reads msg.value: every iteration sees the whole amount sent once, so one payment is counted once per iteration (Opyn 2020).`,
                t.callee.name,
              );
            return undefined;
          });
          return 'skip';
        });
      }
    }
    return hits;
  },
};
