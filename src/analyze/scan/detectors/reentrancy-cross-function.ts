/**
 * `scan-reentrancy-cross-function`: a function A makes a call that can re-enter (trace.ts) before it has
 * finished with its state, and another function B anyone can call depends on that state — the callee calls B
 * in the middle of A. Two shapes:
 * - A writes a state variable after the call that B writes, or reads for a check or a payout (Cream/Fei:
 *   `borrow` sends the loan before it records the debt, the callback calls `exitMarket` whose solvency check
 *   reads the debt not yet recorded);
 * - A checks its own token or ether balance after the call (flash-loan repayment "the balance went back up")
 *   and B moves that balance (a `deposit` that pulls tokens in mints shares for the same tokens that count as
 *   repayment — the example vault's bug).
 * Re-entry is blocked only when A and B both run under the reentrancy lock. Access-guarded functions are
 * neither A nor B (the attacker cannot start or call them). State A read before the call and writes after it
 * is `scan-reentrancy`'s finding and is left to it. The hit is on A's call (or the team's call that leads to
 * it, when the call is in dependency code).
 */
import { functionLabel } from '../../ast.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { ETHER, type Key, keyName, openEntries, TOKENS, type Trace, traceOf } from '../trace.js';

const isBalance = (k: Key) => k === TOKENS || k === ETHER;

/**
 * What B does that a pending update of A matters to: reads a state variable for a check or a payout (it
 * decides from the value A has not written yet), or moves a balance A checks after its call (ether in, by
 * being payable, or out; tokens in or out).
 */
function touches(trace: Trace, payable: boolean): Set<Key> {
  const out = new Set<Key>();
  if (payable) out.add(ETHER);
  for (const e of trace.events) {
    if (e.kind === 'write' && isBalance(e.key)) out.add(e.key);
    if (e.kind === 'read' && e.use !== 'value') for (const k of e.keys) if (!isBalance(k)) out.add(k);
  }
  return out;
}

export const reentrancyCrossFunction: ScanDetector = {
  id: 'scan-reentrancy-cross-function',
  confidence: 'medium',
  run({ view, isOwn }) {
    const hits: ScanHit[] = [];
    const entries = openEntries(view).filter((e) => !e.readOnly);
    const others = entries.map(({ fn }) => ({
      fn,
      trace: traceOf(view, fn, isOwn),
      touched: touches(traceOf(view, fn, isOwn), fn.stateMutability === 'payable'),
    }));
    const seen = new Set<number>();
    for (const { fn, trace } of others) {
      const read = new Set<Key>();
      trace.events.forEach((call, i) => {
        if (call.kind === 'read') for (const k of call.keys) read.add(k);
        if (call.kind !== 'call' || !call.at || seen.has(call.at.node.id)) return;
        const pending = new Map<Key, 'written' | 'checked'>();
        for (const e of trace.events.slice(i + 1)) {
          if (e.kind === 'write' && !isBalance(e.key) && !(read.has(e.key) && !trace.locked))
            pending.set(e.key, 'written');
          if (e.kind === 'read' && e.use === 'check')
            for (const k of e.keys) if (isBalance(k)) pending.set(k, 'checked');
        }
        const victims: string[] = [];
        const shared = new Set<Key>();
        for (const b of others) {
          if (b.fn.id === fn.id || (trace.locked && b.trace.locked)) continue;
          const common = [...pending.keys()].filter((k) => b.touched.has(k));
          if (common.length === 0) continue;
          victims.push(functionLabel(b.fn));
          for (const k of common) shared.add(k);
        }
        if (victims.length === 0) return;
        seen.add(call.at.node.id);
        const what = [...shared]
          .map(
            (k) =>
              `${keyName(view, k)} (${pending.get(k) === 'checked' ? 'checked' : 'written'} after the call)`,
          )
          .join(', ');
        const shown =
          victims.slice(0, 4).join(', ') + (victims.length > 4 ? ` and ${victims.length - 4} more` : '');
        hits.push({
          node: call.at.node,
          within: call.at.within,
          message: `${functionLabel(fn)} makes ${call.label} (line ${view.lineOf(call.node)}) before it is done with ${what}; during the call the callee can enter ${shown}, which ${victims.length > 1 ? 'change or rely on' : 'changes or relies on'} the same state with no lock shared between them (Cream/Fei cross-function reentrancy; a flash loan repaid by a deposit).`,
        });
      });
    }
    return hits;
  },
};
