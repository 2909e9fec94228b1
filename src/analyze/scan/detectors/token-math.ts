/**
 * Small readers of the typed AST shared by the "prices, tokens and arithmetic" detectors: types of expressions,
 * what a call is named, which locals an expression reads, and a per-function taint of locals (a value computed
 * from a source, followed through local variables in source order).
 */
import type { AnyNode } from '../../ast.js';

export function typeOf(n: AnyNode | undefined): string {
  return (n?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '';
}

/** The member name of a call `x.f(...)` (call options skipped), or the name of `f(...)`. */
export function calledName(call: AnyNode): string | undefined {
  let expr = call.expression as AnyNode | undefined;
  while (expr?.nodeType === 'FunctionCallOptions') expr = expr.expression as AnyNode;
  if (expr?.nodeType === 'MemberAccess') return expr.memberName as string;
  if (expr?.nodeType === 'Identifier') return (expr as { name?: string }).name;
  return undefined;
}

/** The callee expression of a call, call options skipped. */
export function calleeOf(call: AnyNode): AnyNode {
  let expr = call.expression as AnyNode;
  while (expr.nodeType === 'FunctionCallOptions') expr = expr.expression as AnyNode;
  return expr;
}
