/**
 * Follows what a function really executes: its modifiers, its body and every internal function or
 * modifier it reaches (virtual calls resolved against the contract's linearization), passing along where
 * each parameter's value comes from (caller-flags.ts: the caller, attacker input, a caller-keyed lookup).
 *
 * Two questions are answered on top of it:
 * - `callerGuard`: is the function access-guarded?
 * - `reachesNode`: does anything the function executes match a predicate (an assignment, a call)?
 *
 * An access guard is a revert (or an early return) whose PASS condition restricts the caller to someone
 * the caller does not choose (issue 10: a check that merely mentions the caller is not enough):
 * - the pass condition of `require(c)`/`assert(c)` is `c`; of `if (c) revert …` it is `!c`; of
 *   `if (c) return;` among the first statements of the entry function (or of a modifier, before `_`) it is
 *   `!c` for what follows;
 * - it is judged structurally (guard-condition.ts): `X == Y` restricts when one side is the caller and the
 *   other is trusted — not the caller, not derived from the entry function's parameters (followed through
 *   helper and modifier arguments), e.g. state, a constant, or a call whose resolved body returns something
 *   trusted (an `owner()` overridden to return `_msgSender()` is the caller, not trusted); `X != Y` only
 *   under negation; `a && b` if either, `a || b` if both, `!x` flips; ordered comparisons never on the raw
 *   caller, only on a storage value keyed by it (`weight[msg.sender] >= minWeight`); a boolean lookup keyed
 *   by the caller (`isAdmin[msg.sender]`, `hasRole(role, _msgSender())`) restricts, and a call to a
 *   one-`return` predicate (`require(_isAuthorized(msg.sender))`) is judged on what it returns;
 * - the caller is `msg.sender`, `tx.origin`, or `_msgSender()` when its resolved implementation returns it
 *   (OpenZeppelin's Context and ERC2771Context count as such); an override returning anything else is not
 *   the caller (then `owner() != _msgSender()` compares the owner with itself: no guard);
 * - a pass condition nobody can meet (`msg.sender == address(0)`) is a guard nobody passes:
 *   `Guard.impossible` (state-uninitialized does not count such a function as a setter).
 * Initializer modifiers count as a guard. A pause or reentrancy check, or a caller comparison that does not
 * revert (ERC-4626 `if (caller != owner) _spendAllowance(...)`), is not one.
 */
import type { FunctionDefinition, ModifierDefinition } from 'solidity-ast';
import { type AnyNode, type Callable, type ContractView, resolveVirtual, walk } from './ast.js';
import { flagsOf, INPUT, localFlags } from './caller-flags.js';
import { callTarget } from './calls.js';
import { IMPOSSIBLE, NONE, restricts, type Verdict } from './guard-condition.js';

export type { Callable } from './ast.js';

const MAX_DEPTH = 10;

const INITIALIZER_MODIFIERS = new Set(['initializer', 'reinitializer', 'onlyInitializing']);

interface Frame {
  callable: Callable;
  /** Flags (caller-flags.ts) of the callable's parameters. */
  env: ReadonlyMap<number, number>;
  depth: number;
}

function containsRevert(node: unknown): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return 'skip';
    if (n.nodeType === 'RevertStatement') found = true;
    if (n.nodeType === 'FunctionCall') {
      const callee = n.expression as AnyNode | undefined;
      if (callee?.nodeType === 'Identifier' && (callee as { name?: string }).name === 'revert') found = true;
    }
    return undefined;
  });
  return found;
}

/** The function a call runs in this contract's context (internal, `super`, library), if it has a body. */
function followedCallee(view: ContractView, call: AnyNode, from: Callable): FunctionDefinition | undefined {
  const target = callTarget(view, call, from);
  return target.kind === 'internal' || target.kind === 'library' ? target.callee : undefined;
}

type ModifierInvocation = NonNullable<FunctionDefinition['modifiers']>[number];

/** The modifiers a function runs, in order, each resolved to the override that runs for this contract. */
function invokedModifiers(
  view: ContractView,
  fn: FunctionDefinition,
): Array<{ inv: ModifierInvocation; mod: ModifierDefinition }> {
  const out: Array<{ inv: ModifierInvocation; mod: ModifierDefinition }> = [];
  for (const inv of fn.modifiers ?? []) {
    const ref = inv.modifierName.referencedDeclaration;
    const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
    if (decl?.nodeType !== 'ModifierDefinition') continue; // a base constructor call
    out.push({ inv, mod: resolveVirtual(view, decl as unknown as ModifierDefinition) });
  }
  return out;
}

/**
 * The code a callable runs itself: its body and, for a function, the arguments of its modifier invocations
 * (`onlyRole(getRoleAdmin(role))` evaluates `getRoleAdmin(role)` on every call).
 */
export function codeOf(c: Callable): unknown[] {
  const args =
    c.nodeType === 'FunctionDefinition' ? (c.modifiers ?? []).flatMap((m) => m.arguments ?? []) : [];
  return c.body ? [c.body, ...args] : args;
}

/** Code that reverts unless an initializer is running (OpenZeppelin's `onlyInitializing`). */
export function initializingOnly(view: ContractView, c: Callable): boolean {
  return (
    c.nodeType === 'FunctionDefinition' &&
    invokedModifiers(view, c).some(
      ({ mod }) => mod.name === 'onlyInitializing' && view.ownerOf.get(mod.id)?.name === 'Initializable',
    )
  );
}

/**
 * Every function and modifier that runs when one of `roots` is called: their modifiers, bodies, and the
 * internal, `super` and library functions they call, transitively (no depth limit: each callable once).
 * `skip` prunes a callable and what only it reaches (e.g. code that reverts outside initialization).
 */
export function reachable(
  view: ContractView,
  roots: readonly Callable[],
  skip?: (c: Callable) => boolean,
): Callable[] {
  const seen = new Map<number, Callable>();
  const stack = [...roots];
  while (stack.length > 0) {
    const c = stack.pop() as Callable;
    if (seen.has(c.id) || skip?.(c)) continue;
    seen.set(c.id, c);
    stack.push(...directCallees(view, c));
  }
  return [...seen.values()];
}

const calleeCache = new WeakMap<ContractView, Map<number, Callable[]>>();

/** The modifiers and the internal, `super` and library functions a callable runs directly (cached per view). */
function directCallees(view: ContractView, c: Callable): Callable[] {
  let perView = calleeCache.get(view);
  if (!perView) {
    perView = new Map();
    calleeCache.set(view, perView);
  }
  const cached = perView.get(c.id);
  if (cached) return cached;
  const out: Callable[] =
    c.nodeType === 'FunctionDefinition' ? invokedModifiers(view, c).map((m) => m.mod) : [];
  walk(codeOf(c), (n) => {
    if (n.nodeType !== 'FunctionCall') return undefined;
    const callee = followedCallee(view, n, c);
    if (callee) out.push(callee);
    return undefined;
  });
  perView.set(c.id, out);
  return out;
}

/** The callee's parameters bound to the flags of the arguments it is called with (evaluated in `frame`). */
function bindParams(view: ContractView, callee: Callable, args: AnyNode[] | undefined, frame: Frame): Frame {
  const env = new Map<number, number>();
  callee.parameters.parameters.forEach((p, i) => {
    const arg = (args ?? [])[i];
    env.set(p.id, arg ? flagsOf(view, frame.callable, frame.env, arg) : INPUT);
  });
  return { callable: callee, env: withReturns(callee, env), depth: frame.depth + 1 };
}

/** The frame of an entry point: its parameters are chosen by the caller. */
function entryFrame(callable: Callable): Frame {
  const env = new Map<number, number>();
  for (const p of callable.parameters.parameters) env.set(p.id, INPUT);
  return { callable, env: withReturns(callable, env), depth: 0 };
}

function withReturns(callable: Callable, env: Map<number, number>): Map<number, number> {
  if (callable.nodeType === 'FunctionDefinition') {
    for (const p of callable.returnParameters.parameters) env.set(p.id, 0);
  }
  return env;
}

/**
 * Visit everything the callable executes. `onNode` returns true to stop early (answer found); it sees the
 * frame with the callable's locals added to its environment. Modifiers are visited before the body.
 */
function explore(
  view: ContractView,
  start: Frame,
  onNode: (n: AnyNode, frame: Frame) => boolean,
  skipTopModifiers = false,
): boolean {
  const seen = new Set<string>();
  const stack: Frame[] = [start];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const key = `${frame.callable.id}:${[...frame.env].map(([k, v]) => `${k}=${v}`).join(',')}`;
    if (seen.has(key) || frame.depth > MAX_DEPTH) continue;
    seen.add(key);
    const { callable } = frame;
    // Locals carry the flags of what they are set from (`address caller = _msgSender();`).
    const env = callable.body ? localFlags(view, callable, frame.env, callable.body) : frame.env;
    const here: Frame = { ...frame, env };
    if (callable.nodeType === 'FunctionDefinition' && !(skipTopModifiers && frame === start)) {
      for (const { inv, mod } of invokedModifiers(view, callable)) {
        stack.push(bindParams(view, mod, inv.arguments as AnyNode[] | undefined, here));
      }
    }
    let stop = false;
    if (callable.body) {
      walk(callable.body, (n) => {
        if (stop) return 'skip';
        if (onNode(n, here)) {
          stop = true;
          return 'skip';
        }
        if (n.nodeType === 'FunctionCall') {
          const callee = followedCallee(view, n, callable);
          if (callee) stack.push(bindParams(view, callee, n.arguments as AnyNode[], here));
        }
        return undefined;
      });
    }
    if (stop) return true;
  }
  return false;
}

export interface Guard {
  guarded: boolean;
  /** What guards it: a modifier name, `initializer`, or `caller check in <function>`. */
  by?: string;
  /** A check nobody can pass (`require(msg.sender == address(0))`): the function cannot be called at all. */
  impossible?: boolean;
}

/**
 * Is the function access-guarded? See the header: a revert (or, in the function itself or one of its
 * modifiers, an early return) whose pass condition restricts the caller to someone the caller does not
 * choose. Initializer modifiers count as a guard (the function runs once, during the upgrade).
 * A pause or reentrancy check is not an access guard; a caller check that does not revert (ERC-4626
 * `if (caller != owner) _spendAllowance(...)`) is not one either.
 */
export function callerGuard(view: ContractView, fn: FunctionDefinition): Guard {
  // The judgement depends only on the contract's linearization: cached per compilation unit, so a live
  // version shared by many pairs of a `--pairs` run is judged once.
  let perUnit = guardCache.get(view.unit);
  if (!perUnit) {
    perUnit = new Map();
    guardCache.set(view.unit, perUnit);
  }
  const key = `${view.def.id}:${fn.id}`;
  const cached = perUnit.get(key);
  if (cached) return cached;
  const guard = judgeGuard(view, fn);
  perUnit.set(key, guard);
  return guard;
}

const guardCache = new WeakMap<ContractView['unit'], Map<string, Guard>>();

function judgeGuard(view: ContractView, fn: FunctionDefinition): Guard {
  const top = entryFrame(fn);
  const hits: CallerCheck[] = [];
  let by: string | undefined;
  for (const { inv, mod } of invokedModifiers(view, fn)) {
    if (INITIALIZER_MODIFIERS.has(mod.name) && view.ownerOf.get(mod.id)?.name === 'Initializable') {
      return { guarded: true, by: inv.modifierName.name };
    }
    const found = callerChecks(view, bindParams(view, mod, inv.arguments as AnyNode[] | undefined, top));
    if (found.length > 0) by ??= inv.modifierName.name;
    hits.push(...found);
  }
  const inBody = callerChecks(view, top, true);
  if (inBody[0]) by ??= `caller check in ${inBody[0].where}`;
  hits.push(...inBody);
  if (hits.length === 0) return { guarded: false };
  return { guarded: true, by, ...(hits.some((h) => h.impossible) ? { impossible: true } : {}) };
}

interface CallerCheck {
  /** The function or modifier holding the check. */
  where: string;
  impossible: boolean;
}

/** Every check reached from `start` whose pass condition restricts the caller. */
function callerChecks(view: ContractView, start: Frame, skipTopModifiers = false): CallerCheck[] {
  const out: CallerCheck[] = [];
  explore(
    view,
    start,
    (n, frame) => {
      const top = frame.callable.id === start.callable.id && frame.depth === start.depth;
      const verdict = checkVerdict(view, n, frame, top);
      if (verdict !== NONE)
        out.push({ where: frame.callable.name || 'body', impossible: verdict === IMPOSSIBLE });
      return false;
    },
    skipTopModifiers,
  );
  return out;
}

/** The verdict of one statement or call as a guard: `require(c)`, `if (c) revert`, a top-level early return. */
function checkVerdict(view: ContractView, n: AnyNode, frame: Frame, top: boolean): Verdict {
  const judge = (cond: unknown, positive: boolean) =>
    restricts({ view, from: frame.callable, env: frame.env }, cond as AnyNode, positive);
  if (n.nodeType === 'FunctionCall') {
    const callee = n.expression as AnyNode;
    const name = callee.nodeType === 'Identifier' ? (callee as { name?: string }).name : undefined;
    if (name === 'require' || name === 'assert') return judge((n.arguments as AnyNode[])[0], true);
    return NONE;
  }
  if (n.nodeType !== 'IfStatement') return NONE;
  const onTrue = containsRevert(n.trueBody) ? judge(n.condition, false) : NONE;
  const onFalse = containsRevert(n.falseBody) ? judge(n.condition, true) : NONE;
  if (onTrue !== NONE || onFalse !== NONE) return Math.max(onTrue, onFalse) as Verdict;
  return top && isEarlyReturn(frame.callable, n) ? judge(n.condition, false) : NONE;
}

const isCheck = (s: AnyNode) =>
  (s.nodeType === 'IfStatement' && (containsRevert(s.trueBody) || containsRevert(s.falseBody))) ||
  (s.nodeType === 'ExpressionStatement' &&
    ['require', 'assert'].includes(((s.expression as AnyNode).expression as { name?: string }).name ?? ''));

/**
 * `if (c) return;` among the first statements of a function's body (or of a modifier's, before `_`): what
 * follows runs only when `!c`. Only declarations and other checks may come before it (no effect escapes).
 */
function isEarlyReturn(callable: Callable, stmt: AnyNode): boolean {
  if (stmt.falseBody) return false;
  const body = stmt.trueBody as AnyNode;
  const only = body.nodeType === 'Block' ? ((body.statements as AnyNode[]) ?? []) : [body];
  if (only.length !== 1 || only[0]?.nodeType !== 'Return') return false;
  const statements = (callable.body?.statements ?? []) as unknown as AnyNode[];
  const at = statements.indexOf(stmt);
  if (at < 0) return false;
  if (callable.nodeType === 'ModifierDefinition') {
    const placeholder = statements.findIndex((s) => s.nodeType === 'PlaceholderStatement');
    if (placeholder < at) return false;
  }
  return statements.slice(0, at).every((s) => s.nodeType === 'VariableDeclarationStatement' || isCheck(s));
}

/** Where a node is executed: the function or modifier holding it and the flags of its parameters and locals. */
export interface NodeFrame {
  callable: Callable;
  env: ReadonlyMap<number, number>;
}

/**
 * Does anything the callable executes match `predicate`? The predicate also sees the frame, so that it can ask
 * where a value comes from (caller-flags.ts `flagsOf(view, frame.callable, frame.env, expr)`).
 */
export function reachesNode(
  view: ContractView,
  callable: Callable,
  predicate: (n: AnyNode, frame: NodeFrame) => boolean,
): boolean {
  return explore(view, entryFrame(callable), (n, frame) => predicate(n, frame));
}

/** `reinitializer(N)` version of a function, 1 for `initializer`, undefined otherwise. */
export function initializerVersion(view: ContractView, fn: FunctionDefinition): number | undefined {
  for (const inv of fn.modifiers ?? []) {
    const ref = inv.modifierName.referencedDeclaration;
    const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
    if (!decl || view.ownerOf.get(decl.id)?.name !== 'Initializable') continue;
    if (inv.modifierName.name === 'initializer') return 1;
    if (inv.modifierName.name === 'reinitializer') {
      const arg = (inv.arguments ?? [])[0] as { value?: string } | undefined;
      const v = Number(arg?.value);
      return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
    }
  }
  return undefined;
}
