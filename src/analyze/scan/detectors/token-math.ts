/**
 * Small readers of the typed AST shared by the "prices, tokens and arithmetic" detectors: types of expressions,
 * what a call is named, which locals an expression reads, and a per-function taint of locals (a value computed
 * from a source, followed through local variables in source order).
 */
import type { FunctionDefinition } from 'solidity-ast';
import { type AnyNode, type Callable, type ContractView, walk } from '../../ast.js';
import { callTarget } from '../../calls.js';

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

export const argsOf = (call: AnyNode): AnyNode[] => (call.arguments as AnyNode[] | undefined) ?? [];

/** `block.timestamp`, `msg.sender`: a magic variable's member. */
export function isMagic(n: AnyNode | undefined, base: string, member: string): boolean {
  return (
    n?.nodeType === 'MemberAccess' &&
    n.memberName === member &&
    (n.expression as AnyNode | undefined)?.nodeType === 'Identifier' &&
    (n.expression as { name?: string }).name === base
  );
}

/** `type(T).max` / `type(T).min`. */
export function isTypeBound(n: AnyNode | undefined, member: 'max' | 'min'): boolean {
  if (n?.nodeType !== 'MemberAccess' || n.memberName !== member) return false;
  const base = n.expression as AnyNode;
  return (
    base.nodeType === 'FunctionCall' &&
    (base.expression as AnyNode).nodeType === 'Identifier' &&
    ((base.expression as { name?: string }).name ?? '') === 'type'
  );
}

/** Parentheses and implicit-width conversions removed: `(x)`, `uint256(x)` → `x`. */
export function unwrap(n: AnyNode | undefined): AnyNode | undefined {
  let e = n;
  for (;;) {
    if (e?.nodeType === 'TupleExpression' && ((e.components as unknown[]) ?? []).length === 1) {
      e = (e.components as AnyNode[])[0];
      continue;
    }
    if (e?.nodeType === 'FunctionCall' && e.kind === 'typeConversion' && argsOf(e).length === 1) {
      e = argsOf(e)[0];
      continue;
    }
    return e;
  }
}

/**
 * `Math.mulDiv(a, b, d)` or `a.mulDiv(b, d)` (a library function attached with `using`): the factors and the
 * divisor, or undefined when the call is no mulDiv.
 */
export function mulDivParts(call: AnyNode): { factors: AnyNode[]; divisor: AnyNode } | undefined {
  if (call.nodeType !== 'FunctionCall' || calledName(call) !== 'mulDiv') return undefined;
  const args = argsOf(call);
  const callee = calleeOf(call);
  const bound = callee.nodeType === 'MemberAccess' && /^uint/.test(typeOf(callee.expression as AnyNode));
  const all = bound ? [callee.expression as AnyNode, ...args] : args;
  const [a, b, d] = all;
  return a && b && d ? { factors: [a, b], divisor: d } : undefined;
}

/** The declaration ids of the identifiers an expression reads. */
export function referenced(expr: unknown): Set<number> {
  const out = new Set<number>();
  walk(expr, (n) => {
    const ref = n.referencedDeclaration as number | undefined;
    if (n.nodeType === 'Identifier' && ref !== undefined && ref >= 0) out.add(ref);
    return undefined;
  });
  return out;
}

/** Does any node of `expr` satisfy `pred` (the walk stops at the first)? */
export function some(expr: unknown, pred: (n: AnyNode) => boolean): boolean {
  let found = false;
  walk(expr, (n) => {
    if (found) return 'skip';
    if (pred(n)) found = true;
    return undefined;
  });
  return found;
}

/**
 * Follows values derived from a source through a callable: its locals (parameters and named returns included),
 * assigned or initialised in source order from an expression that holds a source or a derived local, and the
 * return values of the internal, `super` and library functions it calls (summarised once each, to any depth).
 * `seed(n, c)` says whether an expression node (found in `c`) is a source itself.
 */
export interface Tracer {
  /** The derived locals of a callable. */
  locals(c: Callable): ReadonlySet<number>;
  /** Does the expression (found in `c`) hold a source, a derived local, or a call returning a derived value? */
  holds(expr: unknown, c: Callable): boolean;
  /** Does the call (found in `c`) run an internal function that returns a derived value? */
  returnsDerived(call: AnyNode, c: Callable): boolean;
}

export function tracer(view: ContractView, seed: (n: AnyNode, c: Callable) => boolean): Tracer {
  const localsMemo = new Map<number, Set<number>>();
  const returnsMemo = new Map<number, boolean>();
  const calleeOfCall = (call: AnyNode, c: Callable): FunctionDefinition | undefined => {
    if (call.nodeType !== 'FunctionCall' || call.kind === 'typeConversion') return undefined;
    const t = callTarget(view, call, c);
    return t.kind === 'internal' || t.kind === 'library' ? t.callee : undefined;
  };
  const returns = (fn: FunctionDefinition): boolean => {
    const memo = returnsMemo.get(fn.id);
    if (memo !== undefined) return memo;
    returnsMemo.set(fn.id, false); // recursion: assume not while it is being summarised
    const derived = locals(fn);
    let out = fn.returnParameters.parameters.some((p) => derived.has(p.id));
    walk(fn.body, (n) => {
      if (!out && n.nodeType === 'Return' && n.expression && holdsWith(n.expression, fn, derived)) out = true;
      return undefined;
    });
    returnsMemo.set(fn.id, out);
    return out;
  };
  const returnsDerived = (call: AnyNode, c: Callable): boolean => {
    const callee = calleeOfCall(call, c);
    return !!callee?.body && returns(callee);
  };
  const holdsWith = (expr: unknown, c: Callable, derived: ReadonlySet<number>) =>
    some(expr, (n) => {
      if (seed(n, c)) return true;
      const ref = n.referencedDeclaration as number | undefined;
      if (n.nodeType === 'Identifier' && ref !== undefined && derived.has(ref)) return true;
      return n.nodeType === 'FunctionCall' && returnsDerived(n, c);
    });
  const locals = (c: Callable): Set<number> => {
    const memo = localsMemo.get(c.id);
    if (memo) return memo;
    const derived = new Set<number>();
    localsMemo.set(c.id, derived);
    walk(c.body, (n) => {
      if (
        n.nodeType === 'VariableDeclarationStatement' &&
        n.initialValue &&
        holdsWith(n.initialValue, c, derived)
      ) {
        for (const d of (n.declarations as ({ id: number } | null)[]) ?? []) if (d) derived.add(d.id);
      }
      if (n.nodeType === 'Assignment' && holdsWith(n.rightHandSide, c, derived)) {
        walk(n.leftHandSide, (l) => {
          const ref = l.referencedDeclaration as number | undefined;
          if (l.nodeType === 'Identifier' && ref !== undefined) derived.add(ref);
          return undefined;
        });
      }
      return undefined;
    });
    return derived;
  };
  return { locals, holds: (expr, c) => holdsWith(expr, c, locals(c)), returnsDerived };
}

/** Source offset of a node (for "before" comparisons within one file). */
export const offsetOf = (n: { src: string }) => Number(n.src.split(':')[0]);

/** The struct a struct-constructor call builds (`ISwapRouter.ExactInputSingleParams({...})`), or undefined. */
function structFields(view: ContractView, call: AnyNode): Map<string, AnyNode> | undefined {
  if (call.nodeType !== 'FunctionCall' || call.kind !== 'structConstructorCall') return undefined;
  const decl = view.byId.get(calleeOf(call).referencedDeclaration as number);
  const members = ((decl?.members as { name: string }[] | undefined) ?? []).map((m) => m.name);
  const names = (call.names as string[] | undefined) ?? [];
  const order = names.length > 0 ? names : members;
  return new Map(argsOf(call).map((a, i) => [order[i] ?? '', a] as const));
}

/**
 * The arguments of an external call by parameter name — and, for a struct argument built in the call or in a
 * local initialised with a struct constructor (member assignments after it included), by struct member name:
 * `router.exactInputSingle(ISwapRouter.ExactInputSingleParams({amountOutMinimum: 0, …}))` → amountOutMinimum → `0`.
 */
export function namedArguments(view: ContractView, call: AnyNode, within: Callable): Map<string, AnyNode> {
  const out = new Map<string, AnyNode>();
  const decl = view.byId.get(calleeOf(call).referencedDeclaration as number);
  const params = (
    (decl?.parameters as { parameters?: { name: string }[] } | undefined)?.parameters ?? []
  ).map((p) => p.name);
  const names = (call.names as string[] | undefined) ?? [];
  argsOf(call).forEach((arg, i) => {
    const name = names.length > 0 ? names[i] : params[i];
    if (name) out.set(name, arg);
    let fields = structFields(view, arg);
    if (!fields && arg.nodeType === 'Identifier') {
      const local = arg.referencedDeclaration as number;
      walk(within.body, (n) => {
        if (offsetOf(n) >= offsetOf(call)) return 'skip';
        if (n.nodeType === 'VariableDeclarationStatement' && n.initialValue) {
          const ds = (n.declarations as ({ id: number } | null)[]) ?? [];
          if (ds.length === 1 && ds[0]?.id === local) fields = structFields(view, n.initialValue as AnyNode);
        }
        const lhs = n.leftHandSide as AnyNode | undefined;
        if (n.nodeType === 'Assignment' && lhs?.nodeType === 'MemberAccess' && fields) {
          const base = lhs.expression as AnyNode;
          if (base.nodeType === 'Identifier' && base.referencedDeclaration === local)
            fields.set(lhs.memberName as string, n.rightHandSide as AnyNode);
        }
        return undefined;
      });
    }
    for (const [k, v] of fields ?? []) out.set(k, v);
  });
  return out;
}
