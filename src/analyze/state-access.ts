/**
 * Which state a piece of code reads and writes, from the typed AST: assignments (tuples included),
 * `++`/`--`/`delete`, `push`/`pop`, writes through storage pointers (`Config storage c = cfg; c.x = 1`,
 * storage parameters, functions returning storage), and inline assembly that names a variable's slot.
 * Shared by the effect analysis (effects.ts) and `state-uninitialized`.
 */
import type { VariableDeclaration } from 'solidity-ast';
import { type AnyNode, type ContractView, walk } from './ast.js';
import { type Callable, codeOf } from './callgraph.js';
import { callTarget } from './calls.js';

function typeString(node: AnyNode | undefined): string {
  return (node?.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? '';
}

function declarationOf(view: ContractView, node: AnyNode): VariableDeclaration | undefined {
  const ref = (node as { referencedDeclaration?: number | null }).referencedDeclaration;
  const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
  return decl?.nodeType === 'VariableDeclaration' ? (decl as unknown as VariableDeclaration) : undefined;
}

/** A state variable that lives in storage (not a constant, not an immutable). */
function isStorageVariable(decl: VariableDeclaration | undefined): boolean {
  return !!decl?.stateVariable && !decl.constant && decl.mutability !== 'immutable';
}

function flattenTuple(node: AnyNode): AnyNode[] {
  if (node.nodeType !== 'TupleExpression') return [node];
  return ((node.components as (AnyNode | null)[]) ?? []).flatMap((c) => (c ? flattenTuple(c) : []));
}

/** The expressions a node assigns: `a = …`, `(a, b.x) = …`, `a++`, `delete a`, `a.push(…)`. */
export function writtenExpressions(view: ContractView, n: AnyNode, from?: Callable): AnyNode[] {
  if (n.nodeType === 'Assignment') return flattenTuple(n.leftHandSide as AnyNode);
  if (n.nodeType === 'UnaryOperation' && ['++', '--', 'delete'].includes(n.operator as string)) {
    return [n.subExpression as AnyNode];
  }
  if (n.nodeType === 'FunctionCall') {
    const target = callTarget(view, n, from);
    if (target.kind === 'storage-array') return [target.base];
  }
  return [];
}

/**
 * Does assigning `expr` write storage? A state variable, or anything reached through a storage reference
 * (`cfg.limit`, `balances[a]`, `$._owner`, `slot().value`). Re-pointing a local storage pointer
 * (`c = other`) writes nothing.
 */
export function writesStorage(view: ContractView, expr: AnyNode): boolean {
  if (expr.nodeType === 'Identifier') return isStorageVariable(declarationOf(view, expr));
  if (expr.nodeType === 'MemberAccess' || expr.nodeType === 'IndexAccess') {
    const base = (expr.nodeType === 'MemberAccess' ? expr.expression : expr.baseExpression) as AnyNode;
    return / storage\b/.test(typeString(base)) || writesStorage(view, base);
  }
  return / storage\b/.test(typeString(expr));
}

/** `cfg.limit`, `balances[…]`, `OwnableStorage._owner` (a pointer named by its struct): for messages. */
export function describeTarget(view: ContractView, expr: AnyNode): string {
  if (expr.nodeType === 'Identifier') {
    const decl = declarationOf(view, expr);
    const struct = /^struct (?:\w+\.)?(\w+) storage pointer$/.exec(typeString(expr))?.[1];
    return decl && !decl.stateVariable && struct ? struct : ((expr as { name?: string }).name ?? '?');
  }
  if (expr.nodeType === 'MemberAccess')
    return `${describeTarget(view, expr.expression as AnyNode)}.${expr.memberName}`;
  if (expr.nodeType === 'IndexAccess') return `${describeTarget(view, expr.baseExpression as AnyNode)}[…]`;
  if (expr.nodeType === 'FunctionCall') {
    const callee = expr.expression as AnyNode;
    return `${(callee as { memberName?: string; name?: string }).memberName ?? (callee as { name?: string }).name ?? ''}()`;
  }
  return 'storage';
}

/** State variables each storage pointer (local, parameter, return value) may point into. */
export type Aliases = Map<number, Set<number>>;

const aliasCache = new WeakMap<ContractView, Aliases>();

/**
 * Context-insensitive points-to sets for storage pointers, over every function and modifier of the view's
 * sources, to a fixpoint: declarations and assignments (`Config storage c = cfg`), arguments bound to
 * storage parameters, and values returned as storage. Keyed by declaration id; a function's id stands for
 * what it returns.
 */
function storageAliases(view: ContractView): Aliases {
  const cached = aliasCache.get(view);
  if (cached) return cached;
  const aliases: Aliases = new Map();
  const edges: Array<[number, AnyNode, Callable]> = [];
  const isPointer = (d: { storageLocation?: string } | null | undefined) => d?.storageLocation === 'storage';
  // The code that can run for this contract: its linearization and the libraries of the sources.
  const bases = new Set(view.linearized.map((c) => c.id));
  for (const node of view.byId.values()) {
    if (node.nodeType !== 'FunctionDefinition' && node.nodeType !== 'ModifierDefinition') continue;
    const owner = view.ownerOf.get(node.id);
    if (!owner || (!bases.has(owner.id) && owner.contractKind !== 'library')) continue;
    const callable = node as unknown as Callable;
    walk(codeOf(callable), (n) => {
      if (n.nodeType === 'VariableDeclarationStatement' && n.initialValue) {
        const decls = n.declarations as (VariableDeclaration | null)[];
        const init = n.initialValue as AnyNode;
        const parts = decls.length > 1 && init.nodeType === 'TupleExpression' ? flattenTuple(init) : [init];
        decls.forEach((d, i) => {
          if (d && isPointer(d)) edges.push([d.id, parts[decls.length > 1 ? i : 0] ?? init, callable]);
        });
      }
      if (n.nodeType === 'Assignment') {
        const lhs = flattenTuple(n.leftHandSide as AnyNode);
        const rhs = n.rightHandSide as AnyNode;
        const parts = lhs.length > 1 && rhs.nodeType === 'TupleExpression' ? flattenTuple(rhs) : [rhs];
        lhs.forEach((l, i) => {
          const d = l.nodeType === 'Identifier' ? declarationOf(view, l) : undefined;
          if (d && !d.stateVariable && isPointer(d))
            edges.push([d.id, parts[lhs.length > 1 ? i : 0] ?? rhs, callable]);
        });
      }
      if (n.nodeType === 'FunctionCall') {
        const target = callTarget(view, n, callable);
        if (target.kind === 'internal' || target.kind === 'library') {
          const params = target.callee.parameters.parameters;
          (n.arguments as AnyNode[]).forEach((arg, i) => {
            const p = params[i];
            if (p && isPointer(p)) edges.push([p.id, arg, callable]);
          });
        }
      }
      if (n.nodeType === 'Return' && n.expression && callable.nodeType === 'FunctionDefinition') {
        if (callable.returnParameters.parameters.some(isPointer))
          edges.push([callable.id, n.expression as AnyNode, callable]);
      }
      return undefined;
    });
    // Named storage return parameters are what the function returns.
    if (callable.nodeType === 'FunctionDefinition') {
      for (const r of callable.returnParameters.parameters) {
        if (isPointer(r))
          edges.push([
            callable.id,
            { nodeType: 'Identifier', id: -1, src: '', referencedDeclaration: r.id },
            callable,
          ]);
      }
    }
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const [to, from, inCallable] of edges) {
      const set = aliases.get(to) ?? new Set<number>();
      const before = set.size;
      for (const v of pointsTo(view, aliases, from, inCallable)) set.add(v);
      if (set.size !== before || !aliases.has(to)) {
        aliases.set(to, set);
        if (set.size !== before) changed = true;
      }
    }
  }
  aliasCache.set(view, aliases);
  return aliases;
}

/** The state variables an expression may denote or point into (empty when it is not storage we can name). */
function pointsTo(view: ContractView, aliases: Aliases, expr: AnyNode, from?: Callable): Set<number> {
  switch (expr.nodeType) {
    case 'Identifier': {
      const decl = declarationOf(view, expr);
      if (!decl) return new Set();
      if (isStorageVariable(decl)) return new Set([decl.id]);
      return new Set(aliases.get(decl.id) ?? []);
    }
    case 'MemberAccess':
      return pointsTo(view, aliases, expr.expression as AnyNode, from);
    case 'IndexAccess':
      return pointsTo(view, aliases, expr.baseExpression as AnyNode, from);
    case 'Conditional':
      return new Set([
        ...pointsTo(view, aliases, expr.trueExpression as AnyNode, from),
        ...pointsTo(view, aliases, expr.falseExpression as AnyNode, from),
      ]);
    case 'TupleExpression': {
      const parts = flattenTuple(expr);
      return parts.length === 1 && parts[0] ? pointsTo(view, aliases, parts[0], from) : new Set();
    }
    case 'FunctionCall': {
      const target = callTarget(view, expr, from);
      if (target.kind === 'internal' || target.kind === 'library')
        return new Set(aliases.get(target.callee.id) ?? []);
      return new Set();
    }
    default:
      return new Set();
  }
}

/** The Yul builtins an inline assembly block calls (its own Yul functions' bodies included). */
export function assemblyCalls(asm: AnyNode): Set<string> | undefined {
  if (!asm.AST) return undefined; // legacy AST without Yul nodes: cannot be judged
  const names = new Set<string>();
  walk(asm.AST, (n) => {
    if (n.nodeType === 'YulFunctionCall') names.add((n.functionName as { name: string }).name);
    return undefined;
  });
  return names;
}

/** The Solidity declarations an assembly block names (`x.slot`, `c.slot`, a local). */
export function assemblyReferences(asm: AnyNode): number[] {
  return ((asm.externalReferences as { declaration: number }[] | undefined) ?? []).map((r) => r.declaration);
}

/** `sstore` in an assembly block: the state variables whose slot it names, directly or through a pointer. */
function assemblyWrites(view: ContractView, asm: AnyNode): number[] {
  if (!assemblyCalls(asm)?.has('sstore')) return [];
  const aliases = storageAliases(view);
  return assemblyReferences(asm).flatMap((d) => [d, ...(aliases.get(d) ?? [])]);
}

/**
 * The state variables one node itself writes (not its children): an assignment, `++`, `delete`, `push`, or
 * an assembly block that `sstore`s and names the slot. Through storage pointers as well.
 */
export function nodeWrites(view: ContractView, n: AnyNode, from: Callable): number[] {
  if (n.nodeType === 'InlineAssembly') return assemblyWrites(view, n);
  const aliases = storageAliases(view);
  return writtenExpressions(view, n, from).flatMap((e) =>
    writesStorage(view, e) ? [...pointsTo(view, aliases, e, from)] : [],
  );
}

/** The state variables (declaration ids) a callable reads and writes in its own code (not its callees'). */
export interface StateAccess {
  reads: Set<number>;
  writes: Set<number>;
}

const accessCache = new WeakMap<ContractView, Map<number, StateAccess>>();

/**
 * What the callable's own code reads and writes. A write counts directly, through a storage pointer, or in
 * assembly that `sstore`s and names the slot. A read is any mention (taking a storage pointer to it
 * included) except being the target of a plain `=` or of `delete`; assembly that names the slot reads it.
 */
export function stateAccess(view: ContractView, callable: Callable): StateAccess {
  let perView = accessCache.get(view);
  if (!perView) {
    perView = new Map();
    accessCache.set(view, perView);
  }
  const cached = perView.get(callable.id);
  if (cached) return cached;
  const code = codeOf(callable);
  const access: StateAccess = { reads: new Set(), writes: new Set() };
  const writeOnly = new Set<number>();
  walk(code, (n) => {
    for (const d of nodeWrites(view, n, callable)) access.writes.add(d);
    if (n.nodeType === 'InlineAssembly') {
      for (const d of assemblyReferences(n)) access.reads.add(d);
      return 'skip';
    }
    const targets =
      n.nodeType === 'Assignment' && n.operator === '='
        ? flattenTuple(n.leftHandSide as AnyNode)
        : n.nodeType === 'UnaryOperation' && n.operator === 'delete'
          ? [n.subExpression as AnyNode]
          : [];
    for (let t of targets) {
      while (t.nodeType === 'MemberAccess' || t.nodeType === 'IndexAccess') {
        t = (t.nodeType === 'MemberAccess' ? t.expression : t.baseExpression) as AnyNode;
      }
      if (t.nodeType === 'Identifier') writeOnly.add(t.id);
    }
    return undefined;
  });
  walk(code, (n) => {
    if (n.nodeType === 'Identifier' && !writeOnly.has(n.id)) {
      const ref = n.referencedDeclaration as number | undefined;
      if (ref !== undefined && isStorageVariable(declarationOf(view, n))) access.reads.add(ref);
    }
    return n.nodeType === 'InlineAssembly' ? 'skip' : undefined;
  });
  perView.set(callable.id, access);
  return access;
}
