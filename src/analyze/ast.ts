/**
 * A typed view of one compiled contract: its AST definition, its linearized bases, the functions a caller
 * can reach (inherited ones included, overrides resolved), and source positions as `file:line`.
 * Detectors work on this view, never on source text.
 */
import type {
  ContractDefinition,
  FunctionDefinition,
  ModifierDefinition,
  SourceUnit,
  VariableDeclaration,
} from 'solidity-ast';
import { findAll } from 'solidity-ast/utils.js';
import { importClosure } from '../build/closure.js';
import type { CompilationUnit, ContractHandle } from '../build/types.js';
import type { Location } from '../core/finding.js';

type AnyNode = { nodeType: string; id: number; src: string; [k: string]: unknown };

/** Code that runs: a function or a modifier. */
export type Callable = FunctionDefinition | ModifierDefinition;

export interface ContractView {
  handle: ContractHandle;
  unit: CompilationUnit;
  def: ContractDefinition;
  /** Most derived first, as solc linearizes (the contract itself is first). */
  linearized: ContractDefinition[];
  /** Every node of the unit by id. */
  byId: Map<number, AnyNode>;
  /** id → the contract definition that declares it (for functions, modifiers, variables). */
  ownerOf: Map<number, ContractDefinition>;
  /** id → source unit name. */
  fileOfNode: (node: { src: string }) => string;
  /** `src` → 1-based line. */
  lineOf: (node: { src: string }) => number;
  /** The externally callable functions (public/external, not constructor), by 4-byte selector. */
  externalFunctions: Map<string, FunctionDefinition>;
}

interface UnitIndex {
  byId: Map<number, AnyNode>;
  ownerOf: Map<number, ContractDefinition>;
  fileById: Map<number, string>;
  lineStarts: Map<string, number[]>;
}

const indexCache = new WeakMap<CompilationUnit, UnitIndex & { indexed: Set<string> }>();

/**
 * Index the AST of the given source units (once each): node by id, owner contract, line starts. Only the
 * sources a contract needs (its import closure) are walked, not everything the project compiled.
 */
function indexUnit(unit: CompilationUnit, sources: Iterable<string>): UnitIndex {
  let idx = indexCache.get(unit);
  if (!idx) {
    const fileById = new Map<number, string>();
    for (const [name, src] of Object.entries(unit.output.sources ?? {})) fileById.set(src.id, name);
    idx = { byId: new Map(), ownerOf: new Map(), fileById, lineStarts: new Map(), indexed: new Set() };
    indexCache.set(unit, idx);
  }
  for (const name of sources) {
    if (idx.indexed.has(name)) continue;
    idx.indexed.add(name);
    const ast = unit.output.sources?.[name]?.ast as SourceUnit | undefined;
    if (!ast) continue;
    const { byId, ownerOf } = idx;
    walk(ast as unknown as AnyNode, (n) => {
      byId.set(n.id, n);
      return undefined;
    });
    for (const contract of findAll('ContractDefinition', ast)) {
      for (const sub of contract.nodes) ownerOf.set(sub.id, contract);
    }
    const content = unit.input.sources[name]?.content ?? '';
    const starts = [0];
    for (let i = 0; i < content.length; i++) if (content.charCodeAt(i) === 10) starts.push(i + 1);
    idx.lineStarts.set(name, starts);
  }
  return idx;
}

/** Depth-first walk over every AST node (objects with `nodeType`). */
export function walk(node: unknown, visit: (n: AnyNode) => undefined | 'skip'): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as AnyNode;
  if (typeof n.nodeType === 'string') {
    if (visit(n) === 'skip') return;
  }
  for (const [key, value] of Object.entries(n)) {
    if (key === 'typeDescriptions' || key === 'documentation') continue;
    if (value !== null && typeof value === 'object') walk(value, visit);
  }
}

/** Byte offset → 1-based line, by binary search over line starts. */
function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function contractView(handle: ContractHandle): ContractView {
  const unit = handle.unit;
  const idx = indexUnit(unit, importClosure(unit, [handle.sourceName]));
  const sourceAst = unit.output.sources?.[handle.sourceName]?.ast as SourceUnit | undefined;
  const def = sourceAst
    ? [...findAll('ContractDefinition', sourceAst)].find((c) => c.name === handle.name)
    : undefined;
  if (!def) throw new Error(`internal: no AST for ${handle.fullyQualifiedName}`);
  const linearized = def.linearizedBaseContracts.map((id) => {
    const c = idx.byId.get(id);
    if (c?.nodeType !== 'ContractDefinition') throw new Error(`internal: base ${id} missing`);
    return c as unknown as ContractDefinition;
  });
  const fileOfNode = (node: { src: string }) => {
    const fileId = Number(node.src.split(':')[2]);
    return idx.fileById.get(fileId) ?? '<unknown>';
  };
  const lineOf = (node: { src: string }) => {
    const [start, , fileId] = node.src.split(':').map(Number);
    const file = idx.fileById.get(fileId ?? -1);
    const starts = file ? idx.lineStarts.get(file) : undefined;
    return starts ? lineAt(starts, start ?? 0) : 1;
  };
  const externalFunctions = new Map<string, FunctionDefinition>();
  for (const base of linearized) {
    for (const fn of base.nodes) {
      if (fn.nodeType !== 'FunctionDefinition' || fn.kind !== 'function') continue;
      if (fn.visibility !== 'public' && fn.visibility !== 'external') continue;
      if (!fn.functionSelector || externalFunctions.has(fn.functionSelector)) continue;
      externalFunctions.set(fn.functionSelector, fn);
    }
    for (const v of base.nodes) {
      if (v.nodeType !== 'VariableDeclaration' || v.visibility !== 'public') continue;
      const sel = (v as VariableDeclaration).functionSelector;
      if (!sel || externalFunctions.has(sel)) continue;
      // Public state variables get a view getter; represent it by no FunctionDefinition (handled by the ABI).
    }
  }
  return {
    handle,
    unit,
    def,
    linearized,
    byId: idx.byId,
    ownerOf: idx.ownerOf,
    fileOfNode,
    lineOf,
    externalFunctions,
  };
}

/**
 * The contract and function (or modifier) of the contract's linearization that enclose `file:line`, for
 * findings that arrive as a bare source position (upgrades-core's errors).
 */
export function enclosingAt(
  view: ContractView,
  file: string,
  line: number,
): { contract?: string; function?: string } {
  const span = (node: { src: string }) => {
    const [start = 0, length = 0, fileId] = node.src.split(':').map(Number);
    return [view.lineOf(node), view.lineOf({ src: `${start + length}:0:${fileId}` })] as const;
  };
  for (const contract of view.linearized) {
    if (view.fileOfNode(contract) !== file) continue;
    const [from, to] = span(contract);
    if (line < from || line > to) continue;
    for (const node of contract.nodes) {
      if (node.nodeType !== 'FunctionDefinition' && node.nodeType !== 'ModifierDefinition') continue;
      const [a, b] = span(node);
      if (line >= a && line <= b) {
        const name = node.nodeType === 'FunctionDefinition' ? functionLabel(node) : node.name;
        return { contract: contract.name, function: name };
      }
    }
    return { contract: contract.name };
  }
  return {};
}

/** The location of a node inside a contract view, for a finding. */
export function locate(view: ContractView, node: { src: string }, fn?: string): Location {
  const owner = view.ownerOf.get((node as { id?: number }).id ?? -1);
  return {
    file: view.fileOfNode(node),
    line: view.lineOf(node),
    contract: owner?.name ?? view.def.name,
    ...(fn ? { function: fn } : {}),
  };
}

/** The name people use for a function in a report: `name` or `constructor`/`fallback`/`receive`. */
export function functionLabel(fn: FunctionDefinition): string {
  return fn.kind === 'function' ? fn.name : fn.kind;
}

function paramKey(fn: FunctionDefinition | ModifierDefinition): string {
  return fn.parameters.parameters.map((p) => p.typeDescriptions.typeString ?? '').join(',');
}

/**
 * Resolves a (possibly virtual) function or modifier to the implementation that runs for this contract:
 * the first definition with a body, with the same name and parameter types, in linearization order.
 * `after` restricts the search to bases after the given contract (for `super` calls).
 */
export function resolveVirtual<T extends FunctionDefinition | ModifierDefinition>(
  view: ContractView,
  decl: T,
  after?: ContractDefinition,
): T {
  if (!decl.virtual && decl.body) return decl;
  const key = paramKey(decl);
  let started = after === undefined;
  for (const base of view.linearized) {
    if (!started) {
      if (base.id === after?.id) started = true;
      continue;
    }
    for (const node of base.nodes) {
      if (node.nodeType !== decl.nodeType) continue;
      const cand = node as T;
      if (cand.name === decl.name && cand.body && paramKey(cand) === key) return cand;
    }
  }
  return decl;
}

/** Does the contract inherit (or is it) a contract with this name? */
export function inherits(view: ContractView, name: string): boolean {
  return view.linearized.some((c) => c.name === name);
}

/** Functions declared by the contract or its bases with this name, most derived first. */
export function functionsNamed(view: ContractView, name: string): FunctionDefinition[] {
  const out: FunctionDefinition[] = [];
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType === 'FunctionDefinition' && node.name === name) out.push(node);
    }
  }
  return out;
}

/** The constructors in the linearization (each base's constructor runs on deployment). */
export function constructors(view: ContractView): FunctionDefinition[] {
  const out: FunctionDefinition[] = [];
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType === 'FunctionDefinition' && node.kind === 'constructor') out.push(node);
    }
  }
  return out;
}

/** The functions a caller reaches through the proxy: public/external ones by selector, fallback, receive. */
export function entryPoints(view: ContractView): Map<string, FunctionDefinition> {
  const out = new Map(view.externalFunctions);
  for (const kind of ['fallback', 'receive'] as const) {
    for (const base of view.linearized) {
      const fn = base.nodes.find(
        (n): n is FunctionDefinition => n.nodeType === 'FunctionDefinition' && n.kind === kind && !!n.body,
      );
      if (fn) {
        out.set(kind, fn);
        break;
      }
    }
  }
  return out;
}

export type { AnyNode };
