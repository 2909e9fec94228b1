/**
 * How a statement can end — fall through, return, revert, break, continue — judged from the typed AST with
 * constant conditions folded (`if (false)`, `require(false)`, a `false` constant), `revert`/`assert(false)`,
 * helpers that always revert and Yul `revert`/`return`. The building block of liveness.ts.
 */
import type { AnyNode, Callable, ContractView } from './ast.js';
import { callTarget } from './calls.js';

export type Outcome = 'fall' | 'return' | 'revert' | 'break' | 'continue';
export type Outcomes = ReadonlySet<Outcome>;

export const FALL: Outcomes = new Set(['fall']);
const MAX_CALL_DEPTH = 4;

export function declared(view: ContractView, node: AnyNode): AnyNode | undefined {
  const ref = (node as { referencedDeclaration?: number | null }).referencedDeclaration;
  return ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
}

function numberLiteral(node: AnyNode): bigint | undefined {
  if (node.nodeType !== 'Literal' || node.kind !== 'number' || node.subdenomination) return undefined;
  try {
    return BigInt(String(node.value).replaceAll('_', ''));
  } catch {
    return undefined;
  }
}

const COMPARE: Record<string, (a: bigint, b: bigint) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** The value of a boolean expression that is a compile-time constant (`false`, `!true`, `1 > 2`, a constant). */
export function constantBool(
  view: ContractView,
  expr: AnyNode | null | undefined,
  depth = 0,
): boolean | undefined {
  if (!expr || depth > 8) return undefined;
  switch (expr.nodeType) {
    case 'Literal':
      return expr.kind === 'bool' ? expr.value === 'true' : undefined;
    case 'TupleExpression': {
      const parts = (expr.components as (AnyNode | null)[]) ?? [];
      return parts.length === 1 ? constantBool(view, parts[0], depth + 1) : undefined;
    }
    case 'UnaryOperation': {
      if (expr.operator !== '!') return undefined;
      const v = constantBool(view, expr.subExpression as AnyNode, depth + 1);
      return v === undefined ? undefined : !v;
    }
    case 'Identifier': {
      const decl = declared(view, expr);
      return decl?.nodeType === 'VariableDeclaration' && decl.constant
        ? constantBool(view, decl.value as AnyNode, depth + 1)
        : undefined;
    }
    case 'BinaryOperation': {
      const op = expr.operator as string;
      const l = expr.leftExpression as AnyNode;
      const r = expr.rightExpression as AnyNode;
      if (op === '&&' || op === '||') {
        const a = constantBool(view, l, depth + 1);
        const b = constantBool(view, r, depth + 1);
        const absorbing = op === '||';
        if (a === absorbing || b === absorbing) return absorbing; // false && x, true || x
        return a === undefined || b === undefined ? undefined : a === b ? a : !absorbing;
      }
      const compare = COMPARE[op];
      const a = numberLiteral(l);
      const b = numberLiteral(r);
      if (compare && a !== undefined && b !== undefined) return compare(a, b);
      if (op === '==' || op === '!=') {
        const x = constantBool(view, l, depth + 1);
        const y = constantBool(view, r, depth + 1);
        if (x !== undefined && y !== undefined) return (x === y) === (op === '==');
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

export interface Analysis {
  view: ContractView;
  from: Callable;
  /** What `_` does (the function body, inner modifiers included); only for modifiers. */
  placeholder: Outcomes;
  live: Set<number>;
  /** For each `_`: reached, and whether a path from its end reaches a normal exit. */
  placeholders: Array<{ reached: boolean; ok: boolean }>;
  cache: Map<number, Outcomes>;
}

function union(...sets: Outcomes[]): Set<Outcome> {
  const out = new Set<Outcome>();
  for (const s of sets) for (const o of s) out.add(o);
  return out;
}

/** `revert(…)`, `require(false, …)`, `assert(false)`, or a call to an internal function that always reverts. */
function revertsAlways(a: Analysis, expr: AnyNode, depth: number): boolean {
  if (expr.nodeType !== 'FunctionCall') return false;
  const callee = expr.expression as AnyNode;
  const args = (expr.arguments as AnyNode[]) ?? [];
  if (callee.nodeType === 'Identifier' && declared(a.view, callee) === undefined) {
    const name = callee.name as string;
    if (name === 'revert') return true;
    if (name === 'require' || name === 'assert') return constantBool(a.view, args[0]) === false;
    return false;
  }
  const target = callTarget(a.view, expr, a.from);
  if ((target.kind !== 'internal' && target.kind !== 'library') || !target.callee.body) return false;
  if (depth >= MAX_CALL_DEPTH || target.callee.id === a.from.id) return false;
  let perView = revertCache.get(a.view);
  if (!perView) {
    perView = new Map();
    revertCache.set(a.view, perView);
  }
  const known = perView.get(target.callee.id);
  if (known !== undefined) return known;
  const inner: Analysis = {
    ...a,
    from: target.callee,
    placeholder: FALL,
    live: new Set(),
    placeholders: [],
    cache: new Map(),
  };
  const outs = outcomes(inner, target.callee.body as unknown as AnyNode, depth + 1);
  const always = outs.size === 1 && outs.has('revert');
  perView.set(target.callee.id, always);
  return always;
}

const revertCache = new WeakMap<ContractView, Map<number, boolean>>();

function yulOutcomes(node: AnyNode): Set<Outcome> {
  switch (node.nodeType) {
    case 'YulBlock': {
      const cur = new Set<Outcome>(['fall']);
      for (const s of (node.statements as AnyNode[]) ?? []) {
        if (!cur.has('fall')) break;
        cur.delete('fall');
        for (const o of yulOutcomes(s)) cur.add(o);
      }
      return cur;
    }
    case 'YulExpressionStatement': {
      const call = node.expression as AnyNode;
      const name = call.nodeType === 'YulFunctionCall' ? (call.functionName as { name: string }).name : '';
      if (name === 'revert' || name === 'invalid') return new Set(['revert']);
      if (name === 'return' || name === 'stop') return new Set(['return']);
      return new Set(['fall']);
    }
    case 'YulIf':
      return union(FALL, yulOutcomes(node.body as AnyNode));
    case 'YulSwitch': {
      const cases = (node.cases as AnyNode[]) ?? [];
      const hasDefault = cases.some((c) => c.value === 'default');
      return union(hasDefault ? new Set() : FALL, ...cases.map((c) => yulOutcomes(c.body as AnyNode)));
    }
    case 'YulForLoop': {
      const body = yulOutcomes(node.body as AnyNode);
      return union(FALL, new Set([...body].filter((o) => o === 'return' || o === 'revert')));
    }
    case 'YulBreak':
      return new Set(['break']);
    case 'YulContinue':
      return new Set(['continue']);
    default:
      return new Set(['fall']);
  }
}

function loopOutcomes(cond: boolean | undefined, body: Outcomes, runsOnce: boolean): Set<Outcome> {
  if (cond === false && !runsOnce) return new Set(FALL);
  const out = new Set<Outcome>([...body].filter((o) => o === 'return' || o === 'revert'));
  const bodyEnds = body.has('fall') || body.has('continue');
  if (body.has('break') || (cond !== true && (!runsOnce || bodyEnds))) out.add('fall');
  return out;
}

/** How a statement can end: fall through, return, revert, break, continue. */
export function outcomes(a: Analysis, s: AnyNode, depth = 0): Outcomes {
  const cached = a.cache.get(s.id);
  if (cached) return cached;
  let out: Outcomes;
  switch (s.nodeType) {
    case 'Block':
    case 'UncheckedBlock': {
      const cur = new Set<Outcome>(['fall']);
      for (const t of (s.statements as AnyNode[]) ?? []) {
        if (!cur.has('fall')) break;
        cur.delete('fall');
        for (const o of outcomes(a, t, depth)) cur.add(o);
      }
      out = cur;
      break;
    }
    case 'IfStatement': {
      const c = constantBool(a.view, s.condition as AnyNode);
      const then = outcomes(a, s.trueBody as AnyNode, depth);
      const otherwise = s.falseBody ? outcomes(a, s.falseBody as AnyNode, depth) : FALL;
      out = c === true ? then : c === false ? otherwise : union(then, otherwise);
      break;
    }
    case 'ForStatement':
    case 'WhileStatement':
      out = loopOutcomes(
        s.condition ? constantBool(a.view, s.condition as AnyNode) : true,
        outcomes(a, s.body as AnyNode, depth),
        false,
      );
      break;
    case 'DoWhileStatement':
      out = loopOutcomes(
        constantBool(a.view, s.condition as AnyNode),
        outcomes(a, s.body as AnyNode, depth),
        true,
      );
      break;
    case 'TryStatement':
      out = union(...((s.clauses as AnyNode[]) ?? []).map((c) => outcomes(a, c.block as AnyNode, depth)));
      break;
    case 'Return':
      out = new Set(['return']);
      break;
    case 'RevertStatement':
      out = new Set(['revert']);
      break;
    case 'Break':
      out = new Set(['break']);
      break;
    case 'Continue':
      out = new Set(['continue']);
      break;
    case 'PlaceholderStatement':
      out = a.placeholder;
      break;
    case 'InlineAssembly':
      out = s.AST ? yulOutcomes(s.AST as AnyNode) : FALL;
      break;
    case 'ExpressionStatement':
      out = revertsAlways(a, s.expression as AnyNode, depth) ? new Set(['revert']) : FALL;
      break;
    default:
      out = FALL;
  }
  a.cache.set(s.id, out);
  return out;
}
