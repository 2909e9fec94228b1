/**
 * `scan-unchecked-call`: a low-level `call`, `delegatecall` or `send` whose success flag is dropped — the
 * call is a statement of its own, or its `bool` is bound to a variable nothing reads. A failed call then looks
 * like a successful one: the payment that never arrived is booked as paid (King of the Ether), the module that
 * reverted is taken as run. `transfer` reverts by itself and is not reported, nor are OpenZeppelin's `Address`
 * helpers (they check), nor a flag that is read at all (`require(ok)`, `if (!ok)`, `emit Paid(to, ok)`, returned).
 */
import type { AnyNode } from '../../ast.js';
import { walk } from '../../ast.js';
import { type Callable, codeOf } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';

const CHECKED_MEMBERS = new Set(['call', 'delegatecall', 'send', 'callcode']);

function lowLevel(view: Parameters<typeof callTarget>[0], n: AnyNode | undefined, from: Callable) {
  if (n?.nodeType !== 'FunctionCall') return undefined;
  const target = callTarget(view, n, from);
  return target.kind === 'address' && CHECKED_MEMBERS.has(target.member) ? target.member : undefined;
}

/** Identifiers in the callable's code that refer to a declaration, except `except` itself. */
function readsOf(code: unknown, id: number, except: AnyNode): boolean {
  let found = false;
  walk(code, (n) => {
    if (found || n === except) return 'skip';
    if (n.nodeType === 'Identifier' && n.referencedDeclaration === id) found = true;
    return undefined;
  });
  return found;
}

export const uncheckedCall: ScanDetector = {
  id: 'scan-unchecked-call',
  confidence: 'high',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    for (const fn of own) {
      const code = codeOf(fn);
      const name = fn.name || 'the fallback';
      const report = (call: AnyNode, member: string, why: string) =>
        hits.push({
          node: call,
          within: fn,
          severity: member === 'delegatecall' ? 'high' : undefined,
          message: `${name} ${why} the result of a low-level ${member}: when it fails (the receiver reverts, runs out of gas, or is not a contract that can take it) ${name} carries on as if it had succeeded.`,
        });
      walk(code, (n) => {
        if (n.nodeType === 'ExpressionStatement') {
          const member = lowLevel(view, n.expression as AnyNode, fn);
          if (member) report(n.expression as AnyNode, member, 'ignores');
        }
        if (n.nodeType === 'VariableDeclarationStatement') {
          const member = lowLevel(view, n.initialValue as AnyNode, fn);
          const ok = (n.declarations as ({ id: number } | null)[])[0];
          if (member && (!ok || !readsOf(code, ok.id, n)))
            report(n.initialValue as AnyNode, member, ok ? 'stores and never reads' : 'drops');
        }
        if (n.nodeType === 'Assignment') {
          const member = lowLevel(view, n.rightHandSide as AnyNode, fn);
          const lhs = n.leftHandSide as AnyNode;
          const first = lhs.nodeType === 'TupleExpression' ? (lhs.components as (AnyNode | null)[])[0] : lhs;
          const id = first?.nodeType === 'Identifier' ? (first.referencedDeclaration as number) : undefined;
          // A flag kept in storage is read elsewhere (a later call, a getter): only locals are judged.
          const local =
            id !== undefined &&
            !(view.byId.get(id) as { stateVariable?: boolean } | undefined)?.stateVariable;
          if (member && (!first || (local && !readsOf(code, id, n))))
            report(n.rightHandSide as AnyNode, member, first ? 'stores and never reads' : 'drops');
        }
        return undefined;
      });
    }
    return hits;
  },
};
