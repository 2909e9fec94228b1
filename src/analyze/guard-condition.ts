/**
 * Does a check's PASS condition restrict the caller to someone the caller does not choose? Judged on the
 * structure of the condition, with the flags of caller-flags.ts (CALLER, INPUT, KEYED; none = trusted):
 * - `X == Y` restricts when one side is the caller (CALLER only) and the other is trusted; against a zero
 *   constant (`msg.sender == address(0)`) nobody passes: IMPOSSIBLE;
 * - `X != Y` restricts only under negation (`if (msg.sender != owner) revert`);
 * - `a && b` restricts if either does, `a || b` only if both do, `!x` flips the polarity;
 * - an ordered comparison restricts only on a storage value keyed by the caller against a trusted bound,
 *   the caller's value on the large side (`weight[msg.sender] >= minWeight`), never on the raw caller;
 * - a boolean keyed by the caller (`isAdmin[msg.sender]`, `hasRole(role, _msgSender())`) restricts.
 */
import type { AnyNode, Callable, ContractView } from './ast.js';
import { CALLER, type Env, flagsOf, isZero, KEYED } from './caller-flags.js';

export const NONE = 0;
const RESTRICTS = 1;
export const IMPOSSIBLE = 2;
export type Verdict = typeof NONE | typeof RESTRICTS | typeof IMPOSSIBLE;

export interface Scope {
  view: ContractView;
  from: Callable;
  env: Env;
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
  if (!positive) return NONE;
  return flagsOf(scope.view, scope.from, scope.env, expr) === KEYED ? RESTRICTS : NONE;
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
  return NONE; // `!=` passes everyone but one value
}

function isFalse(expr: AnyNode): boolean {
  return isZero(expr) || (expr.nodeType === 'Literal' && expr.value === 'false');
}
