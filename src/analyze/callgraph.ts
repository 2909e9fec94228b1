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
import { type AnyNode, type ContractView, resolveVirtual, walk } from './ast.js';

type Callable = FunctionDefinition | ModifierDefinition;

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

/** Resolve the callee of a call expression to an internal function definition with a body, if any. */
function internalCallee(view: ContractView, call: AnyNode): FunctionDefinition | undefined {
  const expr = call.expression as AnyNode | undefined;
  if (!expr) return undefined;
  if (expr.nodeType !== 'Identifier' && expr.nodeType !== 'MemberAccess') return undefined;
  const ref = (expr as { referencedDeclaration?: number | null }).referencedDeclaration;
  if (ref === undefined || ref === null || ref < 0) return undefined;
  const decl = view.byId.get(ref);
  if (decl?.nodeType !== 'FunctionDefinition') return undefined;
  const fn = decl as unknown as FunctionDefinition;
  if (expr.nodeType === 'MemberAccess') {
    const base = expr.expression as AnyNode & { name?: string; typeDescriptions?: { typeString?: string } };
    const owner = view.ownerOf.get(fn.id);
    const isSuper = base.nodeType === 'Identifier' && base.name === 'super';
    const isLibrary = owner?.contractKind === 'library';
    // `x.f()` on a contract is an external call; only `super.f()` and internal library calls stay here.
    if (!isSuper && !(isLibrary && (fn.visibility === 'internal' || fn.visibility === 'private'))) {
      return undefined;
    }
    if (isSuper) return fn.body ? fn : undefined;
    return fn.body ? fn : undefined;
  }
  const resolved = resolveVirtual(view, fn);
  return resolved.body ? resolved : undefined;
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
      for (const inv of callable.modifiers ?? []) {
        const ref = inv.modifierName.referencedDeclaration;
        const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
        if (decl?.nodeType !== 'ModifierDefinition') continue;
        const mod = resolveVirtual(view, decl as unknown as ModifierDefinition);
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
          const callee = internalCallee(view, n);
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
  for (const inv of fn.modifiers ?? []) {
    const ref = inv.modifierName.referencedDeclaration;
    const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
    if (decl?.nodeType !== 'ModifierDefinition') continue;
    const mod = resolveVirtual(view, decl as unknown as ModifierDefinition);
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

/** The modifier names (as written) on a function. */
export function modifierNames(fn: FunctionDefinition): string[] {
  return (fn.modifiers ?? []).map((m) => m.modifierName.name);
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
