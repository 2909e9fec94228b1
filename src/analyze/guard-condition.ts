/**
 * Does a check's PASS condition restrict the caller to someone the caller does not choose? Judged on the
 * structure of the condition, with the flags of caller-flags.ts (CALLER, INPUT, KEYED; none = trusted):
 * - `X == Y` restricts when one side is the caller (CALLER only) and the other is trusted; against a zero
 *   constant (`msg.sender == address(0)`) nobody passes: IMPOSSIBLE;
 * - `X != Y` restricts only under negation (`if (msg.sender != owner) revert`), or when X is keyed by the caller
 *   and Y is zero (`if (ownerIndex[msg.sender] == 0) revert`: the caller must be a member);
 * - `a && b` restricts if either does, `a || b` only if both do, `!x` flips the polarity;
 * - an ordered comparison restricts only on a storage value keyed by the caller against a trusted bound,
 *   the caller's value on the large side (`weight[msg.sender] >= minWeight`), never on the raw caller;
 * - a boolean keyed by the caller (`isAdmin[msg.sender]`, `hasRole(role, _msgSender())`) restricts;
 * - a call to an internal predicate that is one `return c` is judged on `c` in the callee.
 */
import type { AnyNode, Callable, ContractView } from './ast.js';
import { CALLER, type Env, flagsOf, INPUT, isZero, KEYED, localFlags } from './caller-flags.js';
import { callTarget } from './calls.js';

export const NONE = 0;
const RESTRICTS = 1;
export const IMPOSSIBLE = 2;
export type Verdict = typeof NONE | typeof RESTRICTS | typeof IMPOSSIBLE;

export interface Scope {
  view: ContractView;
  from: Callable;
  env: Env;
  /** How many predicate calls deep the judgement is (bounded). */
  depth?: number;
}

/** Both must hold for the check to pass: restricted if either restricts, impossible if either is. */
function both(a: Verdict, b: Verdict): Verdict {
  return Math.max(a, b) as Verdict;
}

/** Either passes the check: restricted only if both restrict, impossible only if both are. */
function either(a: Verdict, b: Verdict): Verdict {
  return Math.min(a, b) as Verdict;
}

const NEGATED: Record<string, string> = {
  '==': '!=',
  '!=': '==',
  '<': '>=',
  '>=': '<',
  '>': '<=',
  '<=': '>',
};

/** The verdict of `expr` as a pass condition (`positive`), or of `!expr` (`positive` false). */
export function restricts(scope: Scope, expr: AnyNode | undefined, positive: boolean): Verdict {
  if (!expr) return NONE;
  if (expr.nodeType === 'TupleExpression') {
    const c = (expr.components as (AnyNode | null)[]) ?? [];
    return c.length === 1 ? restricts(scope, c[0] ?? undefined, positive) : NONE;
  }
  if (expr.nodeType === 'UnaryOperation' && expr.operator === '!') {
    return restricts(scope, expr.subExpression as AnyNode, !positive);
  }
  if (expr.nodeType === 'BinaryOperation') {
    const left = expr.leftExpression as AnyNode;
    const right = expr.rightExpression as AnyNode;
    const op = expr.operator as string;
    if (op === '&&' || op === '||') {
      const a = restricts(scope, left, positive);
      const b = restricts(scope, right, positive);
      // De Morgan: under negation `&&` becomes `||` and back.
      return (op === '&&') === positive ? both(a, b) : either(a, b);
    }
    if (op in NEGATED) return comparison(scope, left, right, positive ? op : (NEGATED[op] as string));
  }
  if (expr.nodeType === 'FunctionCall') {
    const inner = predicateBody(scope, expr);
    if (inner) return restricts(inner.scope, inner.returned, positive);
  }
  if (!positive) return NONE;
  return flagsOf(scope.view, scope.from, scope.env, expr) === KEYED ? RESTRICTS : NONE;
}

const MAX_PREDICATE_DEPTH = 6;

/**
 * A call to an internal predicate whose body is one `return` (after local declarations), as OpenZeppelin
 * 2.x's `isOwner()` (`return _msgSender() == _owner;`) or `_isAuthorized(a)`: the returned expression,
 * judged in the callee with its parameters bound to the flags of the arguments.
 */
function predicateBody(scope: Scope, call: AnyNode): { scope: Scope; returned: AnyNode } | undefined {
  if ((scope.depth ?? 0) >= MAX_PREDICATE_DEPTH) return undefined;
  const target = callTarget(scope.view, call, scope.from);
  if (target.kind !== 'internal' && target.kind !== 'library') return undefined;
  const fn = target.callee;
  const statements = (fn.body?.statements ?? []) as unknown as AnyNode[];
  const last = statements.at(-1);
  if (last?.nodeType !== 'Return' || !last.expression) return undefined;
  if (!statements.slice(0, -1).every((s) => s.nodeType === 'VariableDeclarationStatement')) return undefined;
  const args = (call.arguments as AnyNode[]) ?? [];
  const env = new Map<number, number>();
  fn.parameters.parameters.forEach((p, i) => {
    env.set(p.id, args[i] ? flagsOf(scope.view, scope.from, scope.env, args[i]) : INPUT);
  });
  for (const p of fn.returnParameters.parameters) env.set(p.id, 0);
  return {
    scope: {
      view: scope.view,
      from: fn,
      env: localFlags(scope.view, fn, env, fn.body),
      depth: (scope.depth ?? 0) + 1,
    },
    returned: last.expression as AnyNode,
  };
}

function comparison(scope: Scope, left: AnyNode, right: AnyNode, op: string): Verdict {
  const l = flagsOf(scope.view, scope.from, scope.env, left);
  const r = flagsOf(scope.view, scope.from, scope.env, right);
  if (op === '==') {
    if (l === CALLER && r === 0) return isZero(right) ? IMPOSSIBLE : RESTRICTS;
    if (r === CALLER && l === 0) return isZero(left) ? IMPOSSIBLE : RESTRICTS;
    if ((l === KEYED && r === 0 && !isFalse(right)) || (r === KEYED && l === 0 && !isFalse(left)))
      return RESTRICTS;
    return NONE;
  }
  if (op === '>=' || op === '>') return l === KEYED && r === 0 ? RESTRICTS : NONE;
  if (op === '<=' || op === '<') return r === KEYED && l === 0 ? RESTRICTS : NONE;
  // A caller-keyed entry that must be set (`m_ownerIndex[msg.sender] != 0`): membership, like `> 0`.
  if (
    op === '!=' &&
    ((l === KEYED && r === 0 && isFalse(right)) || (r === KEYED && l === 0 && isFalse(left)))
  )
    return RESTRICTS;
  return NONE; // otherwise `!=` passes everyone but one value
}

function isFalse(expr: AnyNode): boolean {
  return isZero(expr) || (expr.nodeType === 'Literal' && expr.value === 'false');
}
