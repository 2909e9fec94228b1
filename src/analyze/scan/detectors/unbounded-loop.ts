/**
 * `scan-unbounded-loop`: a loop, in code a state-changing public function runs, that walks a whole storage array
 * (`for (i = 0; i < holders.length; i++)`, or up to a local set to `holders.length`) which anyone can grow — a
 * `push` on it is reachable from a public function without an access guard and without a cap on its length.
 * Once the array is long enough the loop needs more gas than a block holds and the function can never run again
 * (GovernMental's creditor payout, distribute-to-all-holders). Not reported: loops with another bound (a page:
 * `i < end` with `end` capped, `i < count && i < max`), arrays only guarded functions grow, pushes behind a length
 * cap (`require(players.length < MAX_PLAYERS)`), loops only view functions run.
 */
import type { AnyNode, ContractView } from '../../ast.js';
import { entryPoints, walk } from '../../ast.js';
import { type Callable, callerGuard, codeOf, reachable } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { conditionsIn } from './signature-sites.js';

/** `a.b[i].c` → `a.b.c` (the state variable and the members, indexes dropped), or undefined if not storage. */
function arrayPath(view: ContractView, expr: AnyNode): string | undefined {
  const members: string[] = [];
  let e = expr;
  while (e.nodeType === 'MemberAccess' || e.nodeType === 'IndexAccess') {
    if (e.nodeType === 'MemberAccess') members.unshift(e.memberName as string);
    e = (e.nodeType === 'MemberAccess' ? e.expression : e.baseExpression) as AnyNode;
  }
  if (e.nodeType !== 'Identifier') return undefined;
  const decl = view.byId.get(e.referencedDeclaration as number) as { stateVariable?: boolean } | undefined;
  return decl?.stateVariable ? [e.referencedDeclaration, ...members].join('.') : undefined;
}

/** `arr.length` on a storage array: the array's path. */
function lengthOf(view: ContractView, n: AnyNode): string | undefined {
  if (n.nodeType !== 'MemberAccess' || n.memberName !== 'length') return undefined;
  const base = n.expression as AnyNode;
  const t = (base.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '';
  return / storage\b/.test(t) && t.endsWith('[] storage ref') ? arrayPath(view, base) : undefined;
}

function lengthsIn(view: ContractView, expr: unknown): Set<string> {
  const out = new Set<string>();
  walk(expr, (n) => {
    const p = lengthOf(view, n);
    if (p) out.add(p);
    return undefined;
  });
  return out;
}

/** Arrays anyone can grow: pushed from an unguarded public function that does not cap their length. */
function growable(view: ContractView): Map<string, string> {
  const out = new Map<string, string>();
  for (const fn of entryPoints(view).values()) {
    if (!fn.body || fn.stateMutability === 'view' || fn.stateMutability === 'pure') continue;
    if (callerGuard(view, fn).guarded) continue;
    const code = reachable(view, [fn]);
    const capped = new Set<string>();
    for (const c of code)
      for (const cond of conditionsIn(codeOf(c))) for (const p of lengthsIn(view, cond)) capped.add(p);
    for (const c of code)
      walk(codeOf(c), (n) => {
        if (n.nodeType !== 'FunctionCall') return undefined;
        const t = callTarget(view, n, c);
        if (t.kind !== 'storage-array' || (n.expression as { memberName?: string }).memberName !== 'push')
          return undefined;
        const p = arrayPath(view, t.base);
        if (p && !capped.has(p) && !out.has(p)) out.set(p, fn.name);
        return undefined;
      });
  }
  return out;
}

/** The array a loop condition walks to its end: `i < arr.length`, or `i < n` with `n` a local set to `arr.length`. */
function walkedArray(view: ContractView, loop: AnyNode, within: Callable): string | undefined {
  const cond = loop.condition as AnyNode | undefined;
  if (cond?.nodeType !== 'BinaryOperation' || !['<', '<=', '!='].includes(cond.operator as string))
    return undefined;
  const bound = cond.rightExpression as AnyNode;
  const direct = lengthOf(view, bound);
  if (direct) return direct;
  if (bound.nodeType !== 'Identifier') return undefined;
  const id = bound.referencedDeclaration as number;
  let init: AnyNode | undefined;
  let reassigned = false;
  walk(within.body, (n) => {
    if (
      n.nodeType === 'VariableDeclarationStatement' &&
      ((n.declarations as ({ id: number } | null)[]) ?? []).some((d) => d?.id === id)
    )
      init = n.initialValue as AnyNode | undefined;
    if (n.nodeType === 'Assignment' && (n.leftHandSide as AnyNode).referencedDeclaration === id)
      reassigned = true;
    return undefined;
  });
  return init && !reassigned ? lengthOf(view, init) : undefined;
}

export const unboundedLoop: ScanDetector = {
  id: 'scan-unbounded-loop',
  confidence: 'medium',
  run({ view, isOwn }) {
    const grows = growable(view);
    if (grows.size === 0) return [];
    const hits: ScanHit[] = [];
    const seen = new Set<number>();
    for (const fn of entryPoints(view).values()) {
      if (!fn.body || fn.stateMutability === 'view' || fn.stateMutability === 'pure') continue;
      for (const c of reachable(view, [fn])) {
        if (!isOwn(c) || !c.body) continue;
        walk(c.body, (n) => {
          if (
            n.nodeType !== 'ForStatement' &&
            n.nodeType !== 'WhileStatement' &&
            n.nodeType !== 'DoWhileStatement'
          )
            return undefined;
          const path = walkedArray(view, n, c);
          const pusher = path ? grows.get(path) : undefined;
          if (!path || !pusher || seen.has(n.id)) return undefined;
          seen.add(n.id);
          const name = (n.condition as AnyNode).rightExpression as { name?: string; memberName?: string };
          hits.push({
            node: n.condition as AnyNode,
            within: c,
            message: `${c.name} loops over a whole storage array that anyone can grow through ${pusher} (no cap, no page): once it is long enough the loop needs more gas than a block holds and ${fn.name} can never run again.`,
            detail: name.name ?? name.memberName ?? '',
          });
          return undefined;
        });
      }
    }
    return hits;
  },
};
