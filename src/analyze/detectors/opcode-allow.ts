/**
 * Whether an opcode found in the runtime bytecode is allowed by `@custom:oz-upgrades-unsafe-allow <kind>` or
 * `@custom:oz-upgrades-unsafe-allow-reachable <kind>`, by the rules upgrades-core applies to its own
 * `delegatecall`/`selfdestruct` errors (validate/run.ts), so that the bytecode detectors and
 * `upgrade-unsafe-delegatecall`/`-selfdestruct` agree:
 * - an occurrence inside a node annotated with either tag (contract, function, modifier, or a statement or
 *   `assembly` block: solc attaches a `///` comment to the statement after it) is allowed where it stands;
 * - code reached only through calls made under an `-allow-reachable` annotation (a function, its contract, a
 *   block) is allowed: that is how OpenZeppelin's own `UUPSUpgradeable.upgradeToAndCall` covers the
 *   DELEGATECALL of `ERC1967Utils`/`Address`/`LowLevelCall`.
 * The entry points are upgrades-core's: every function and modifier of the contract itself, and the
 * non-internal functions and the modifiers of the bases it walks. Unlike upgrades-core, which sees only
 * Solidity's bare `.delegatecall`/`selfdestruct`, this places every opcode (inline assembly included). An
 * occurrence that cannot be placed in a function, or reached by no route the call graph knows, is not
 * allowed: fail closed.
 */
// Deep import: `getAnnotationArgs` is not exported by upgrades-core's package entry (1.46), and reading the
// annotations with upgrades-core's own parser is what keeps these rules the same as its own.
import { getAnnotationArgs } from '@openzeppelin/upgrades-core/dist/utils/annotations.js';
import type { ContractDefinition, SourceUnit } from 'solidity-ast';
import { type AnyNode, type ContractView, functionLabel, resolveVirtual, walk } from '../ast.js';

export type AllowKind = 'delegatecall' | 'selfdestruct';

export interface Coverage {
  /** The annotations that allow it (tag, kind and `file:line`); empty when it is not allowed. */
  by: string[];
  /** `fn`, `Contract.fn` for code outside the contract itself, or undefined when no function encloses it. */
  function?: string;
  /** The contract (or library) and the function or modifier that enclose it, for the finding's location. */
  at?: { contract?: string; function?: string };
}

type Fn = AnyNode & { nodeType: 'FunctionDefinition' | 'ModifierDefinition'; name: string };

const isFn = (n: AnyNode | undefined): n is Fn =>
  n?.nodeType === 'FunctionDefinition' || n?.nodeType === 'ModifierDefinition';

function docOf(node: AnyNode): string {
  const d = node.documentation as { text?: string } | string | undefined | null;
  return typeof d === 'string' ? d : (d?.text ?? '');
}

function allows(node: AnyNode, kind: AllowKind, reachableOnly: boolean): boolean {
  const doc = docOf(node);
  if (!doc.includes('@custom:oz-upgrades-unsafe-allow')) return false;
  if (getAnnotationArgs(doc, 'oz-upgrades-unsafe-allow-reachable').includes(kind)) return true;
  return !reachableOnly && getAnnotationArgs(doc, 'oz-upgrades-unsafe-allow').includes(kind);
}

function range(src: string): [number, number, number] {
  const [start = 0, length = 0, file = -1] = src.split(':').map(Number);
  return [start, start + length, file];
}

export function opcodeCoverage(view: ContractView, kind: AllowKind) {
  /** `@custom:oz-upgrades-unsafe-allow-reachable delegatecall at src/V.sol:12` for an annotated node. */
  const where = (node: AnyNode) => {
    const doc = node.documentation as { src?: string } | undefined | null;
    const at = typeof doc === 'object' && doc?.src ? { src: doc.src } : node;
    const tag = allows(node, kind, true) ? 'oz-upgrades-unsafe-allow-reachable' : 'oz-upgrades-unsafe-allow';
    return `@custom:${tag} ${kind} at ${view.fileOfNode(at)}:${view.lineOf(at)}`;
  };
  const contractOf = (fn: AnyNode) => view.ownerOf.get(fn.id) as unknown as AnyNode | undefined;

  /** Functions and modifiers a call inside `fn` may run: static targets and their overrides. */
  const edges = new Map<number, { target: number; under?: AnyNode }[]>();
  function callsOf(fn: Fn): { target: number; under?: AnyNode }[] {
    const known = edges.get(fn.id);
    if (known) return known;
    const out: { target: number; under?: AnyNode }[] = [];
    const visit = (node: AnyNode, under: AnyNode | undefined) => {
      walk(node, (n) => {
        if (n !== node && allows(n, kind, true)) {
          visit(n, under ?? n);
          return 'skip';
        }
        const ref = (n as { referencedDeclaration?: number }).referencedDeclaration;
        const target = ref === undefined ? undefined : view.byId.get(ref);
        if (isFn(target)) {
          out.push({ target: target.id, under });
          const resolved = resolveVirtual(view, target as never) as unknown as AnyNode;
          if (resolved.id !== target.id) out.push({ target: resolved.id, under });
        }
        return undefined;
      });
    };
    const owner = contractOf(fn);
    const stop = allows(fn, kind, true) ? fn : owner && allows(owner, kind, true) ? owner : undefined;
    visit(fn, stop);
    edges.set(fn.id, out);
    return out;
  }

  // Entry points, as upgrades-core walks them: the contract's own code, then the bases it reaches.
  const roots: Fn[] = [];
  const seenBases = new Set<number>();
  const walkContract = (c: ContractDefinition, main: boolean) => {
    if (seenBases.has(c.id)) return;
    seenBases.add(c.id);
    for (const node of c.nodes as unknown as AnyNode[]) {
      if (!isFn(node)) continue;
      const hidden =
        node.nodeType === 'FunctionDefinition' &&
        node.kind !== 'constructor' &&
        (node.visibility === 'internal' || node.visibility === 'private');
      if (main || !hidden) roots.push(node);
    }
    if (allows(c as unknown as AnyNode, kind, true)) return;
    for (const base of c.baseContracts) {
      const def = view.byId.get(base.baseName.referencedDeclaration);
      if (def?.nodeType === 'ContractDefinition') walkContract(def as unknown as ContractDefinition, false);
    }
  };
  walkContract(view.def, true);

  // Functions entered with no allow-reachable annotation on the way; and what each annotation stops.
  const entered = new Set<number>();
  const stopped: { by: AnyNode; target: number }[] = [];
  const queue = roots.map((r) => r.id);
  while (queue.length > 0) {
    const id = queue.pop() as number;
    if (entered.has(id)) continue;
    entered.add(id);
    const fn = view.byId.get(id);
    if (!isFn(fn)) continue;
    for (const e of callsOf(fn)) {
      if (e.under) stopped.push({ by: e.under, target: e.target });
      else queue.push(e.target);
    }
  }

  /** The annotations whose stopped calls lead to `fn` (any route, the stop included). */
  function reachableAllowances(fn: Fn): string[] {
    const out = new Set<string>();
    for (const s of stopped) {
      const seen = new Set<number>();
      const worklist = [s.target];
      while (worklist.length > 0) {
        const id = worklist.pop() as number;
        if (seen.has(id)) continue;
        seen.add(id);
        if (id === fn.id) {
          out.add(where(s.by));
          break;
        }
        const next = view.byId.get(id);
        if (isFn(next)) for (const e of callsOf(next)) worklist.push(e.target);
      }
    }
    return [...out];
  }

  /** The chain of nodes of `file` enclosing [start, end), outermost first. */
  function enclosing(start: number, end: number, fileId: number): AnyNode[] {
    const name = [...Object.entries(view.unit.output.sources ?? {})].find(([, s]) => s.id === fileId)?.[0];
    const ast = name ? (view.unit.output.sources?.[name]?.ast as SourceUnit | undefined) : undefined;
    const chain: AnyNode[] = [];
    if (!ast) return chain;
    walk(ast, (n) => {
      const [a, b, f] = range(n.src);
      if (f !== fileId || a > start || b < end) return 'skip';
      chain.push(n);
      return undefined;
    });
    return chain;
  }

  return (src: string): Coverage => {
    const [start, end, fileId] = range(src);
    const chain = enclosing(start, end, fileId);
    const fn = [...chain].reverse().find(isFn);
    const owner = fn ? contractOf(fn) : chain.find((n) => n.nodeType === 'ContractDefinition');
    const label = fn && (fn.nodeType === 'FunctionDefinition' ? functionLabel(fn as never) : fn.name);
    const name = label && owner && owner.id !== view.def.id ? `${owner.name}.${label}` : label;
    const at = { contract: owner?.name as string | undefined, function: label };
    const lexical = chain.filter((n) => allows(n, kind, false));
    if (lexical.length > 0) return { by: lexical.map(where), function: name, at };
    if (!fn || entered.has(fn.id)) return { by: [], function: name, at };
    return { by: reachableAllowances(fn), function: name, at };
  };
}
