/**
 * What `scan-unprotected-function` needs to know about a contract's state, read from the typed AST: which state
 * variables are authority variables (read by an access check), which ones a function requires to be unset
 * before it writes them (a run-once check), and the small AST helpers both use.
 */
import type { VariableDeclaration } from 'solidity-ast';
import { type AnyNode, type ContractView, entryPoints, walk } from '../../ast.js';
import { isZero } from '../../caller-flags.js';
import { codeOf, reachable } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import { stateAccess } from '../../state-access.js';

const typeString = (n: AnyNode | undefined) =>
  (n?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '';

export function calleeName(call: AnyNode): string {
  let e = call.expression as AnyNode;
  while (e.nodeType === 'FunctionCallOptions') e = e.expression as AnyNode;
  return ((e as { memberName?: string; name?: string }).memberName ?? (e as { name?: string }).name) || '';
}

export function isMsg(n: AnyNode | undefined, member: string): boolean {
  return (
    n?.nodeType === 'MemberAccess' &&
    n.memberName === member &&
    (n.expression as { name?: string } | undefined)?.name === 'msg'
  );
}

function mentionsCaller(expr: unknown): boolean {
  let found = false;
  walk(expr, (n) => {
    if (
      isMsg(n, 'sender') ||
      (n.nodeType === 'MemberAccess' &&
        n.memberName === 'origin' &&
        (n.expression as { name?: string }).name === 'tx') ||
      (n.nodeType === 'FunctionCall' && calleeName(n) === '_msgSender')
    )
      found = true;
    return found ? 'skip' : undefined;
  });
  return found;
}

function declOf(view: ContractView, n: AnyNode): VariableDeclaration | undefined {
  const ref = n.referencedDeclaration as number | undefined;
  const d = ref !== undefined ? view.byId.get(ref) : undefined;
  return d?.nodeType === 'VariableDeclaration' ? (d as unknown as VariableDeclaration) : undefined;
}

/** The state variable at the root of `a.b[c].d`, and the index expressions on the way. */
export function rootOf(view: ContractView, expr: AnyNode): { decl?: VariableDeclaration; keys: AnyNode[] } {
  const keys: AnyNode[] = [];
  let e = expr;
  while (e.nodeType === 'MemberAccess' || e.nodeType === 'IndexAccess') {
    if (e.nodeType === 'IndexAccess' && e.indexExpression) keys.push(e.indexExpression as AnyNode);
    e = (e.nodeType === 'MemberAccess' ? e.expression : e.baseExpression) as AnyNode;
  }
  const decl = e.nodeType === 'Identifier' ? declOf(view, e) : undefined;
  return { decl: decl?.stateVariable ? decl : undefined, keys };
}

/** Revert conditions: `require(c)`/`assert(c)` → c as the pass condition; `if (c) revert` → !c. */
function conditions(code: unknown, onCondition: (cond: AnyNode, positive: boolean) => void): void {
  walk(code, (n) => {
    if (n.nodeType === 'FunctionCall' && ['require', 'assert'].includes(calleeName(n))) {
      const c = (n.arguments as AnyNode[])[0];
      if (c) onCondition(c, true);
    }
    if (n.nodeType === 'IfStatement' && reverts(n.trueBody)) onCondition(n.condition as AnyNode, false);
    return undefined;
  });
}

function reverts(body: unknown): boolean {
  let found = false;
  walk(body, (n) => {
    if (n.nodeType === 'RevertStatement' || (n.nodeType === 'FunctionCall' && calleeName(n) === 'revert'))
      found = true;
    return undefined;
  });
  return found;
}

/**
 * State variables read by an access check anywhere in the contract (`msg.sender == owner`, `isMinter[msg.sender]`,
 * `owner() != _msgSender()` through the getter): the contract's authority variables.
 */
export function authorityVariables(view: ContractView): Set<number> {
  const out = new Set<number>();
  const all = reachable(view, [...entryPoints(view).values()]);
  for (const c of all) {
    conditions(codeOf(c), (cond) => {
      if (!mentionsCaller(cond)) return;
      walk(cond, (n) => {
        if (n.nodeType === 'Identifier') {
          const d = declOf(view, n);
          if (d?.stateVariable && !d.constant && d.mutability !== 'immutable') out.add(d.id);
        }
        if (n.nodeType === 'FunctionCall' && ((n.arguments as AnyNode[]) ?? []).length === 0) {
          const t = callTarget(view, n, c);
          if (t.kind === 'internal')
            for (const r of reachable(view, [t.callee])) addAll(out, stateAccess(view, r).reads);
        }
        return undefined;
      });
    });
  }
  return out;
}

export function addAll(to: Set<number>, from: Iterable<number>): void {
  for (const x of from) to.add(x);
}

/** State variables whose unset value a revert condition requires (`require(!initialized)`, `if (owner != address(0)) revert`). */
export function unsetChecks(view: ContractView, code: unknown): Set<number> {
  const out = new Set<number>();
  const stateVar = (e: AnyNode | undefined) => (e ? rootOf(view, e).decl?.id : undefined);
  const visit = (cond: AnyNode, positive: boolean): void => {
    if (cond.nodeType === 'TupleExpression') {
      const [inner] = (cond.components as AnyNode[]) ?? [];
      if (inner) visit(inner, positive);
      return;
    }
    if (cond.nodeType === 'UnaryOperation' && cond.operator === '!') {
      visit(cond.subExpression as AnyNode, !positive);
      return;
    }
    if (cond.nodeType === 'BinaryOperation') {
      const op = cond.operator as string;
      const [l, r] = [cond.leftExpression as AnyNode, cond.rightExpression as AnyNode];
      if (op === '&&' && positive) {
        visit(l, true);
        visit(r, true);
        return;
      }
      if (op === '||' && !positive) {
        visit(l, false);
        visit(r, false);
        return;
      }
      const zeroSide =
        isZero(r) || r.value === 'false' ? l : isZero(l) || l.value === 'false' ? r : undefined;
      const id = stateVar(zeroSide);
      if (id === undefined) return;
      // The pass condition says "is unset": `== 0` passing, `!= 0` / `> 0` failing.
      if ((op === '==' && positive) || ((op === '!=' || op === '>') && !positive)) out.add(id);
      return;
    }
    if (!positive) {
      const id = stateVar(cond);
      if (id !== undefined && typeString(cond) === 'bool') out.add(id);
    }
  };
  conditions(code, visit);
  return out;
}
