/**
 * Where a value comes from, for the access-guard judgement (callgraph.ts): an expression is classified by
 * three flags, joined over its parts.
 * - CALLER: the caller's identity or something computed from it (`msg.sender`, `tx.origin`, `_msgSender()`
 *   when its implementation returns `msg.sender` — OpenZeppelin's Context/ERC2771Context count as such);
 * - INPUT: something the caller chooses (the entry function's parameters, `msg.data`, `msg.value`), or that
 *   cannot be followed (a function pointer, too deep a call chain, assembly): never trusted;
 * - KEYED: a storage value looked up by the caller (`isAdmin[msg.sender]`, `$._roles[r].hasRole[account]`).
 * No flag means trusted: state, constants, literals, `this`, storage reads keyed by anything else, and
 * calls whose resolved body returns only trusted values (followed a few levels deep, overrides resolved).
 */
import type { FunctionDefinition } from 'solidity-ast';
import { type AnyNode, type Callable, type ContractView, walk } from './ast.js';
import { callTarget } from './calls.js';

export const CALLER = 1;
export const INPUT = 2;
export const KEYED = 4;

/** Flags of the parameters and locals in scope, by declaration id. */
export type Env = ReadonlyMap<number, number>;

const MAX_CALL_DEPTH = 6;

interface Ctx {
  view: ContractView;
  from: Callable;
  env: Env;
  depth: number;
  stack: readonly number[];
}

function typeString(node: AnyNode | undefined): string {
  return (node?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '';
}

const isStorage = (t: string) => t.startsWith('mapping(') || / storage\b/.test(t);

/** The flags of the value an expression evaluates to, in the function or modifier `from`. */
export function flagsOf(view: ContractView, from: Callable, env: Env, expr: AnyNode | undefined): number {
  return evaluate({ view, from, env, depth: 0, stack: [from.id] }, expr);
}

function evaluate(ctx: Ctx, expr: AnyNode | undefined): number {
  if (!expr) return 0;
  const sub = (e: unknown) => evaluate(ctx, e as AnyNode | undefined);
  switch (expr.nodeType) {
    case 'Literal':
    case 'ElementaryTypeNameExpression':
      return 0;
    case 'Identifier':
      return identifier(ctx, expr);
    case 'MemberAccess':
      return member(ctx, expr);
    case 'IndexAccess': {
      const base = expr.baseExpression as AnyNode;
      const index = sub(expr.indexExpression);
      if (isStorage(typeString(base))) return (index & (CALLER | KEYED) ? KEYED : 0) | (sub(base) & KEYED);
      return sub(base) | index;
    }
    case 'IndexRangeAccess':
      return sub(expr.baseExpression) | sub(expr.startExpression) | sub(expr.endExpression);
    case 'FunctionCall':
      return call(ctx, expr);
    case 'BinaryOperation':
      return sub(expr.leftExpression) | sub(expr.rightExpression);
    case 'UnaryOperation':
      return sub(expr.subExpression);
    case 'Conditional':
      return sub(expr.condition) | sub(expr.trueExpression) | sub(expr.falseExpression);
    case 'TupleExpression':
      return ((expr.components as (AnyNode | null)[]) ?? []).reduce((acc, c) => acc | sub(c ?? undefined), 0);
    default:
      return INPUT; // not understood: never trusted
  }
}

function identifier(ctx: Ctx, expr: AnyNode): number {
  const ref = expr.referencedDeclaration as number | undefined;
  if (ref !== undefined && ctx.env.has(ref)) return ctx.env.get(ref) ?? 0;
  if (ref === undefined || ref < 0) return 0; // this, now, builtins
  const decl = ctx.view.byId.get(ref);
  if (decl?.nodeType === 'VariableDeclaration' && decl.stateVariable) return 0;
  if (decl?.nodeType === 'VariableDeclaration' && decl.constant) return 0; // file-level constant
  if (decl?.nodeType === 'FunctionDefinition' || decl?.nodeType === 'ContractDefinition') return 0;
  if (decl?.nodeType === 'VariableDeclaration') return INPUT; // a variable not in scope: fail closed
  return 0;
}

function member(ctx: Ctx, expr: AnyNode): number {
  const base = expr.expression as AnyNode;
  const name = expr.memberName as string;
  if (base.nodeType === 'Identifier') {
    const b = (base as { name?: string }).name;
    if (b === 'msg') return name === 'sender' ? CALLER : INPUT;
    if (b === 'tx') return name === 'origin' ? CALLER : 0;
    if (b === 'block') return 0;
  }
  return evaluate(ctx, base);
}

function call(ctx: Ctx, expr: AnyNode): number {
  const args = (expr.arguments as AnyNode[]) ?? [];
  const argFlags = args.map((a) => evaluate(ctx, a));
  const joined = argFlags.reduce((acc, f) => acc | f, 0);
  if (expr.kind === 'typeConversion' || expr.kind === 'structConstructorCall') return joined;
  const target = callTarget(ctx.view, expr, ctx.from);
  if (target.kind === 'internal' || target.kind === 'library') {
    if (isOzMsgSender(ctx.view, target.callee)) return CALLER;
    if (isStorage(typeString(expr))) return 0; // a storage pointer (`_getOwnableStorage()`)
    return returned(ctx, target.callee, argFlags);
  }
  const callee = expr.expression as AnyNode;
  const base = callee.nodeType === 'MemberAccess' ? evaluate(ctx, callee.expression as AnyNode) : 0;
  if (target.kind === 'none' || target.kind === 'external') return joined | base;
  return INPUT; // a function pointer, a low-level call's result, a creation: not followed
}

/** OpenZeppelin's `_msgSender()` (Context, ERC2771Context): the caller, by its documented contract. */
function isOzMsgSender(view: ContractView, fn: FunctionDefinition): boolean {
  if (fn.name !== '_msgSender') return false;
  const owner = view.ownerOf.get(fn.id);
  return !!owner && view.fileOfNode(owner).startsWith('@openzeppelin/');
}

const returnedCache = new WeakMap<ContractView, Map<string, number>>();

/** The flags of what a function returns when called with arguments of the given flags. */
function returned(ctx: Ctx, fn: FunctionDefinition, argFlags: number[]): number {
  if (ctx.depth >= MAX_CALL_DEPTH || ctx.stack.includes(fn.id) || !fn.body) return INPUT;
  const key = `${fn.id}:${argFlags.join(',')}`;
  let cache = returnedCache.get(ctx.view);
  if (!cache) {
    cache = new Map();
    returnedCache.set(ctx.view, cache);
  }
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const env = new Map<number, number>();
  fn.parameters.parameters.forEach((p, i) => {
    env.set(p.id, argFlags[i] ?? INPUT);
  });
  for (const p of fn.returnParameters.parameters) env.set(p.id, 0);
  const inner: Ctx = { view: ctx.view, from: fn, env, depth: ctx.depth + 1, stack: [...ctx.stack, fn.id] };
  const scope = locals(inner, fn.body);
  const next: Ctx = { ...inner, env: scope };
  let out = 0;
  walk(fn.body, (n) => {
    if (n.nodeType === 'InlineAssembly') out |= INPUT; // may set the return value: not followed
    if (n.nodeType === 'Return' && n.expression) {
      out |= evaluate(next, n.expression as AnyNode);
    }
    return undefined;
  });
  // Named return values assigned in the body (unnamed ones are never assigned: 0).
  for (const p of fn.returnParameters.parameters) out |= scope.get(p.id) ?? 0;
  cache.set(key, out);
  return out;
}

/**
 * The environment extended with the locals of `body`: each local (and each parameter or named return value
 * assigned in it) gets the flags of every value it is initialised or assigned with, in source order.
 */
export function localFlags(
  view: ContractView,
  from: Callable,
  outer: Env,
  body: unknown,
): Map<number, number> {
  return locals({ view, from, env: outer, depth: 0, stack: [from.id] }, body);
}

function locals(ctx: Ctx, body: unknown): Map<number, number> {
  const env = new Map(ctx.env);
  const here: Ctx = { ...ctx, env };
  walk(body, (n) => {
    if (n.nodeType === 'VariableDeclarationStatement') {
      const decls = ((n.declarations as ({ id: number } | null)[]) ?? []).filter((d) => d !== null);
      const f = n.initialValue ? evaluate(here, n.initialValue as AnyNode) : 0;
      for (const d of decls) if (d) env.set(d.id, (env.get(d.id) ?? 0) | f);
    }
    if (n.nodeType === 'Assignment') {
      const f = evaluate(here, n.rightHandSide as AnyNode);
      walk(n.leftHandSide, (l) => {
        const ref = l.referencedDeclaration as number | undefined;
        if (l.nodeType === 'Identifier' && ref !== undefined && env.has(ref))
          env.set(ref, (env.get(ref) ?? 0) | f);
        return undefined;
      });
    }
    return undefined;
  });
  return env;
}

/** Is the expression a zero constant (`0`, `address(0)`, `address(uint160(0))`)? */
export function isZero(expr: AnyNode | undefined): boolean {
  if (!expr) return false;
  if (expr.nodeType === 'Literal') return expr.kind === 'number' && Number(expr.value) === 0;
  if (expr.nodeType === 'FunctionCall' && expr.kind === 'typeConversion') {
    const args = (expr.arguments as AnyNode[]) ?? [];
    return args.length === 1 && isZero(args[0]);
  }
  if (expr.nodeType === 'TupleExpression') {
    const c = (expr.components as (AnyNode | null)[]) ?? [];
    return c.length === 1 && isZero(c[0] ?? undefined);
  }
  return false;
}
