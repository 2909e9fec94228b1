/**
 * Which statements of a function can take lasting effect: reached from the function's entry (not after a
 * `return`/`revert`/`require(false)`/`assert(false)` in the same or an enclosing block, not under a
 * constant-false condition) AND followed by some path to a normal exit (not doomed to revert by what comes
 * after it, at its own or an enclosing block level, in its modifiers included). A write in any other
 * statement never persists: `{ return; x = v; }`, `if (false) x = v;`, `x = v; revert();`.
 *
 * Judged per function together with the modifiers it runs (`_` stands for the function body, a `return` in
 * the body still runs the code after `_`); internal calls count only from a live call site. Conservative:
 * what cannot be placed in a live statement (a write in a modifier argument) does not count as a write.
 * Used by `state-uninitialized` to decide which writes can set new state.
 */
import type { FunctionDefinition, ModifierDefinition } from 'solidity-ast';
import { type AnyNode, type Callable, type ContractView, resolveVirtual, walk } from './ast.js';
import { callTarget } from './calls.js';
import { nodeWrites } from './state-access.js';

type Outcome = 'fall' | 'return' | 'revert' | 'break' | 'continue';
type Outcomes = ReadonlySet<Outcome>;

/** After each way a statement ends, whether some path still reaches the function's normal exit. */
interface ExitOk {
  fall: boolean;
  ret: boolean;
  brk: boolean;
  cont: boolean;
}

const FALL: Outcomes = new Set(['fall']);
const MAX_CALL_DEPTH = 4;

const STATEMENTS = new Set([
  'Block',
  'UncheckedBlock',
  'ExpressionStatement',
  'VariableDeclarationStatement',
  'EmitStatement',
  'Return',
  'RevertStatement',
  'IfStatement',
  'ForStatement',
  'WhileStatement',
  'DoWhileStatement',
  'TryStatement',
  'InlineAssembly',
  'Break',
  'Continue',
  'PlaceholderStatement',
]);

function declared(view: ContractView, node: AnyNode): AnyNode | undefined {
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

interface Analysis {
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
function outcomes(a: Analysis, s: AnyNode, depth = 0): Outcomes {
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

function persists(outs: Outcomes, ok: ExitOk): boolean {
  return (
    (outs.has('fall') && ok.fall) ||
    (outs.has('return') && ok.ret) ||
    (outs.has('break') && ok.brk) ||
    (outs.has('continue') && ok.cont)
  );
}

/** Marks the live statements under `s`, reached as given, with `ok` saying what follows each way it ends. */
function descend(a: Analysis, s: AnyNode, reached: boolean, ok: ExitOk): void {
  if (reached && persists(outcomes(a, s), ok)) a.live.add(s.id);
  switch (s.nodeType) {
    case 'Block':
    case 'UncheckedBlock': {
      const list = (s.statements as AnyNode[]) ?? [];
      // tailOk[i]: falling through statement i-1 leads to a normal exit.
      const tailOk: boolean[] = new Array(list.length + 1);
      tailOk[list.length] = ok.fall;
      for (let i = list.length - 1; i >= 0; i--) {
        tailOk[i] = persists(outcomes(a, list[i] as AnyNode), { ...ok, fall: tailOk[i + 1] as boolean });
      }
      let here = reached;
      list.forEach((t, i) => {
        descend(a, t, here, { ...ok, fall: tailOk[i + 1] as boolean });
        here = here && outcomes(a, t).has('fall');
      });
      return;
    }
    case 'IfStatement': {
      const c = constantBool(a.view, s.condition as AnyNode);
      descend(a, s.trueBody as AnyNode, reached && c !== false, ok);
      if (s.falseBody) descend(a, s.falseBody as AnyNode, reached && c !== true, ok);
      return;
    }
    case 'ForStatement':
    case 'WhileStatement':
    case 'DoWhileStatement': {
      const c = s.condition ? constantBool(a.view, s.condition as AnyNode) : true;
      const after = ok.fall;
      const again = c !== true && after; // back to the condition, which may end the loop
      const inBody = reached && (s.nodeType === 'DoWhileStatement' || c !== false);
      const bodyOk: ExitOk = { fall: again, ret: ok.ret, brk: after, cont: again };
      if (s.initializationExpression) descend(a, s.initializationExpression as AnyNode, reached, ok);
      descend(a, s.body as AnyNode, inBody, bodyOk);
      if (s.loopExpression) descend(a, s.loopExpression as AnyNode, inBody, bodyOk);
      return;
    }
    case 'TryStatement':
      for (const c of (s.clauses as AnyNode[]) ?? []) descend(a, c.block as AnyNode, reached, ok);
      return;
    case 'PlaceholderStatement':
      a.placeholders.push({ reached, ok: ok.fall });
      return;
    default:
      return;
  }
}

export interface FunctionLiveness {
  /** Ids of the live statements of the function body and of its modifiers as applied to it. */
  live: Set<number>;
  /** The modifiers the function runs (their bodies are judged in `live`). */
  modifiers: ModifierDefinition[];
}

const livenessCache = new WeakMap<ContractView, Map<number, FunctionLiveness>>();

function modifiersOf(view: ContractView, fn: FunctionDefinition): ModifierDefinition[] {
  return (fn.modifiers ?? []).flatMap((inv) => {
    const decl = declared(view, inv.modifierName as unknown as AnyNode);
    return decl?.nodeType === 'ModifierDefinition'
      ? [resolveVirtual(view, decl as unknown as ModifierDefinition)]
      : [];
  });
}

const asReturnFree = (outs: Outcomes): Outcomes =>
  new Set([...outs].map((o) => (o === 'return' ? 'fall' : o)));

/** The live statements of a function and of the modifiers it runs. */
export function functionLiveness(view: ContractView, fn: FunctionDefinition): FunctionLiveness {
  let perView = livenessCache.get(view);
  if (!perView) {
    perView = new Map();
    livenessCache.set(view, perView);
  }
  const cached = perView.get(fn.id);
  if (cached) return cached;
  const live = new Set<number>();
  const mods = modifiersOf(view, fn);
  const body = fn.body as unknown as AnyNode | undefined;
  const base = (from: Callable, placeholder: Outcomes): Analysis => ({
    view,
    from,
    placeholder,
    live,
    placeholders: [],
    cache: new Map(),
  });
  // What `_` does in each modifier, from the innermost outwards (a `return` still runs the code after `_`).
  const placeholders: Outcomes[] = new Array(mods.length);
  let inner: Outcomes = body ? asReturnFree(outcomes(base(fn, FALL), body)) : FALL;
  for (let i = mods.length - 1; i >= 0; i--) {
    placeholders[i] = inner;
    const mod = mods[i] as ModifierDefinition;
    inner = mod.body ? asReturnFree(outcomes(base(mod, inner), mod.body as unknown as AnyNode)) : inner;
  }
  // From the outermost modifier inwards: whether its code is reached and what its end leads to.
  let reached = true;
  let exitOk = true;
  for (let i = 0; i < mods.length; i++) {
    const mod = mods[i] as ModifierDefinition;
    if (!mod.body) continue;
    const a = base(mod, placeholders[i] as Outcomes);
    descend(a, mod.body as unknown as AnyNode, reached, {
      fall: exitOk,
      ret: exitOk,
      brk: false,
      cont: false,
    });
    reached = reached && a.placeholders.some((p) => p.reached);
    exitOk = a.placeholders.some((p) => p.reached && p.ok);
  }
  if (body) descend(base(fn, FALL), body, reached, { fall: exitOk, ret: exitOk, brk: false, cont: false });
  const result = { live, modifiers: mods };
  perView.set(fn.id, result);
  return result;
}

/** Visits every node of a callable's body with the id of its innermost enclosing statement. */
function walkStatements(code: unknown, visit: (n: AnyNode, statement: number | undefined) => void): void {
  const go = (node: unknown, stmt: number | undefined): void => {
    walk(node, (n) => {
      if (n === node) {
        visit(n, stmt);
        return undefined;
      }
      if (STATEMENTS.has(n.nodeType)) {
        go(n, n.id);
        return 'skip';
      }
      visit(n, stmt);
      return undefined;
    });
  };
  go(code, STATEMENTS.has((code as AnyNode)?.nodeType) ? (code as AnyNode).id : undefined);
}

/**
 * The state variables that running `roots` can lastingly write: writes in live statements of the roots and
 * of the internal/library functions called from live call sites, transitively. `skip` prunes a function and
 * what only it reaches.
 */
export function liveWrites(
  view: ContractView,
  roots: readonly FunctionDefinition[],
  skip?: (c: Callable) => boolean,
): Set<number> {
  const out = new Set<number>();
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const fn = stack.pop() as FunctionDefinition;
    if (seen.has(fn.id) || skip?.(fn)) continue;
    seen.add(fn.id);
    const { live, modifiers } = functionLiveness(view, fn);
    for (const c of [fn, ...modifiers] as Callable[]) {
      if (!c.body) continue;
      walkStatements(c.body, (n, stmt) => {
        if (stmt === undefined || !live.has(stmt)) return;
        for (const d of nodeWrites(view, n, c)) out.add(d);
        if (n.nodeType === 'FunctionCall') {
          const target = callTarget(view, n, c);
          if (target.kind === 'internal' || target.kind === 'library') stack.push(target.callee);
        }
      });
    }
  }
  return out;
}
