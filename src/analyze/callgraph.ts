/**
 * Follows what a function really executes: its modifiers, its body and every internal function or
 * modifier it reaches (virtual calls resolved against the contract's linearization), passing along which
 * parameters carry the caller (`msg.sender`, `_msgSender()`, `tx.origin`).
 *
 * Two questions are answered on top of it:
 * - `callerGuard`: does the function revert unless the caller is someone in particular (an access guard)?
 * - `reachesNode`: does anything the function executes match a predicate (an assignment, a call)?
 */
import type { FunctionDefinition, ModifierDefinition } from 'solidity-ast';
import { type AnyNode, type Callable, type ContractView, resolveVirtual, walk } from './ast.js';
import { callTarget } from './calls.js';

export type { Callable } from './ast.js';

const MAX_DEPTH = 10;

const INITIALIZER_MODIFIERS = new Set(['initializer', 'reinitializer', 'onlyInitializing']);

interface Frame {
  callable: Callable;
  tainted: Set<number>;
  depth: number;
}

function isCallerExpr(node: AnyNode, tainted: Set<number>): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return 'skip';
    if (n.nodeType === 'MemberAccess') {
      const base = n.expression as AnyNode | undefined;
      if (base?.nodeType === 'Identifier') {
        const name = (base as { name?: string }).name;
        if ((name === 'msg' && n.memberName === 'sender') || (name === 'tx' && n.memberName === 'origin')) {
          found = true;
          return 'skip';
        }
      }
    }
    if (n.nodeType === 'FunctionCall') {
      const callee = n.expression as AnyNode | undefined;
      if (callee?.nodeType === 'Identifier' && (callee as { name?: string }).name === '_msgSender') {
        found = true;
        return 'skip';
      }
    }
    if (n.nodeType === 'Identifier') {
      const ref = (n as { referencedDeclaration?: number }).referencedDeclaration;
      if (ref !== undefined && tainted.has(ref)) {
        found = true;
        return 'skip';
      }
    }
    return undefined;
  });
  return found;
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

function taintParams(callee: Callable, args: AnyNode[] | undefined, tainted: Set<number>): Set<number> {
  const out = new Set<number>();
  const params = callee.parameters.parameters;
  (args ?? []).forEach((arg, i) => {
    const p = params[i];
    if (p && isCallerExpr(arg, tainted)) out.add(p.id);
  });
  return out;
}

/**
 * Visit everything the callable executes. `onNode` returns true to stop early (answer found).
 * Modifiers are visited before the body, as they run first.
 */
function explore(
  view: ContractView,
  start: Frame,
  onNode: (n: AnyNode, frame: Frame) => boolean,
  onModifier?: (mod: ModifierDefinition, frame: Frame) => boolean,
  skipTopModifiers = false,
): boolean {
  const seen = new Set<string>();
  const stack: Frame[] = [start];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const key = `${frame.callable.id}:${[...frame.tainted].sort().join(',')}`;
    if (seen.has(key) || frame.depth > MAX_DEPTH) continue;
    seen.add(key);
    const { callable } = frame;
    // Locals initialised from the caller carry the taint too (`address caller = _msgSender();`).
    const tainted = new Set(frame.tainted);
    if (callable.body) {
      walk(callable.body, (n) => {
        if (n.nodeType === 'VariableDeclarationStatement' && n.initialValue) {
          if (isCallerExpr(n.initialValue as AnyNode, tainted)) {
            for (const d of (n.declarations as ({ id: number } | null)[]) ?? []) if (d) tainted.add(d.id);
          }
        }
        return undefined;
      });
    }
    const here: Frame = { ...frame, tainted };
    if (callable.nodeType === 'FunctionDefinition' && !(skipTopModifiers && frame === start)) {
      for (const { inv, mod } of invokedModifiers(view, callable)) {
        if (onModifier?.(mod, here)) return true;
        stack.push({
          callable: mod,
          tainted: taintParams(mod, inv.arguments as AnyNode[] | undefined, tainted),
          depth: frame.depth + 1,
        });
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
          if (callee) {
            stack.push({
              callable: callee,
              tainted: taintParams(callee, n.arguments as AnyNode[], tainted),
              depth: frame.depth + 1,
            });
          }
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
}

/**
 * An access guard is a revert that depends on who the caller is: `require(msg.sender == x)`,
 * `if (!hasRole(role, account)) revert …` reached with `account = _msgSender()`, `onlyOwner`, `onlyRole`.
 * Initializer modifiers count as a guard (the function runs once, during the upgrade).
 * Heuristic by design: a pause or reentrancy check is not an access guard; a caller check that does not
 * revert (ERC-4626 `if (caller != owner) _spendAllowance(...)`) is not one either.
 */
export function callerGuard(view: ContractView, fn: FunctionDefinition): Guard {
  for (const { inv, mod } of invokedModifiers(view, fn)) {
    if (INITIALIZER_MODIFIERS.has(mod.name) && view.ownerOf.get(mod.id)?.name === 'Initializable') {
      return { guarded: true, by: inv.modifierName.name };
    }
    const tainted = taintParams(mod, inv.arguments as AnyNode[] | undefined, new Set());
    if (findCallerCheck(view, { callable: mod, tainted, depth: 1 })) {
      return { guarded: true, by: inv.modifierName.name };
    }
  }
  const where = findCallerCheck(view, { callable: fn, tainted: new Set(), depth: 0 }, true);
  return where ? { guarded: true, by: `caller check in ${where}` } : { guarded: false };
}

/** The name of the function holding a revert-on-caller check reached from `start`, if any. */
function findCallerCheck(view: ContractView, start: Frame, skipTopModifiers = false): string | undefined {
  let where: string | undefined;
  explore(
    view,
    start,
    (n, frame) => {
      const isRequire =
        n.nodeType === 'FunctionCall' &&
        (n.expression as AnyNode).nodeType === 'Identifier' &&
        ['require', 'assert'].includes((n.expression as { name?: string }).name ?? '');
      const hit =
        (isRequire && isCallerExpr((n.arguments as AnyNode[])[0] ?? ({} as AnyNode), frame.tainted)) ||
        (n.nodeType === 'IfStatement' &&
          isCallerExpr(n.condition as AnyNode, frame.tainted) &&
          (containsRevert(n.trueBody) || containsRevert(n.falseBody)));
      if (hit) where = frame.callable.name || 'body';
      return hit;
    },
    undefined,
    skipTopModifiers,
  );
  return where;
}

/** Does anything the callable executes match `predicate`? */
export function reachesNode(
  view: ContractView,
  callable: Callable,
  predicate: (n: AnyNode) => boolean,
): boolean {
  return explore(view, { callable, tainted: new Set(), depth: 0 }, (n) => predicate(n));
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
