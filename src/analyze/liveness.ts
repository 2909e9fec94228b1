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
import { type Analysis, constantBool, declared, FALL, type Outcomes, outcomes } from './outcomes.js';
import { nodeWrites } from './state-access.js';

/** After each way a statement ends, whether some path still reaches the function's normal exit. */
interface ExitOk {
  fall: boolean;
  ret: boolean;
  brk: boolean;
  cont: boolean;
}

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

interface FunctionLiveness {
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
function functionLiveness(view: ContractView, fn: FunctionDefinition): FunctionLiveness {
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
