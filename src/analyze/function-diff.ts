/**
 * Which external functions a patch changed: per selector, a fingerprint of everything the function executes —
 * its own definition (parameters, modifiers, body), every modifier and internal/`super`/library function it
 * reaches (callgraph.ts's `reachable`, virtual calls resolved for each version), and the values of the constants
 * that code reads. A selector whose fingerprint differs between reference and candidate is changed; so is one
 * that exists on one side only. Public state-variable getters are compared by name and type.
 *
 * What does not count as a change: AST ids and source positions, documentation, `virtual`/`override`, and
 * `external` → `public` — none of them changes what a call does. What it cannot see: state the upgrade writes
 * (an initializer that moves a fee), which is why simulate's differential fuzzing runs the unchanged functions.
 */
import type { FunctionDefinition, VariableDeclaration } from 'solidity-ast';
import type { ContractHandle } from '../build/types.js';
import { type AnyNode, type ContractView, contractView, entryPoints, walk } from './ast.js';
import { codeOf, reachable } from './callgraph.js';

/** Keys that carry identity or layout, not behaviour. */
const IGNORED = new Set([
  'id',
  'src',
  'nameLocation',
  'nameLocations',
  'referencedDeclaration',
  'scope',
  'typeDescriptions',
  'documentation',
  'overrides',
  'virtual',
  'visibility',
  'baseFunctions',
  'functionSelector',
  'implemented',
  'overloadedDeclarations',
  'argumentTypes',
  'contractScope',
  'functionReturnParameters',
  'assignments',
  'declaration',
]);

const normalized = (node: unknown): string =>
  JSON.stringify(node, (key, value) => (IGNORED.has(key) ? undefined : value));

/** The fingerprint of one entry point: what it runs and the constants that code reads. */
function fingerprint(view: ContractView, fn: FunctionDefinition): string {
  const parts: string[] = [];
  for (const c of reachable(view, [fn])) {
    parts.push(`${c.nodeType}:${c.name}:${normalized(c)}`);
    walk(codeOf(c), (n: AnyNode) => {
      if (n.nodeType !== 'Identifier') return undefined;
      const ref = (n as { referencedDeclaration?: number | null }).referencedDeclaration;
      const decl = ref !== undefined && ref !== null ? view.byId.get(ref) : undefined;
      const v = decl as unknown as VariableDeclaration | undefined;
      if (v?.nodeType === 'VariableDeclaration' && (v.constant || v.mutability === 'immutable'))
        parts.push(`const:${v.name}:${normalized(v.value ?? null)}`);
      return undefined;
    });
  }
  return [...new Set(parts)].sort().join('\n');
}

/** Public state variables' getters by selector: `name:type`. */
function getters(view: ContractView): Map<string, string> {
  const out = new Map<string, string>();
  for (const base of view.linearized) {
    for (const v of base.nodes) {
      if (v.nodeType !== 'VariableDeclaration') continue;
      const sel = (v as VariableDeclaration).functionSelector;
      if (sel && !out.has(sel)) out.set(sel, `${v.name}:${normalized((v as VariableDeclaration).typeName)}`);
    }
  }
  return out;
}

/** Every selector callable on either version, with whether the patch changed what it runs. */
export function changedSelectors(
  reference: ContractHandle,
  candidate: ContractHandle,
): { changed: Set<string>; unchanged: Set<string> } {
  const sides = [contractView(reference), contractView(candidate)].map((view) => {
    const out = new Map<string, string>();
    for (const [sel, fn] of entryPoints(view))
      if (/^[0-9a-f]{8}$/.test(sel)) out.set(sel, fingerprint(view, fn));
    for (const [sel, g] of getters(view)) if (!out.has(sel)) out.set(sel, `getter:${g}`);
    return out;
  });
  const [before, after] = sides as [Map<string, string>, Map<string, string>];
  const changed = new Set<string>();
  const unchanged = new Set<string>();
  for (const sel of new Set([...before.keys(), ...after.keys()])) {
    (before.get(sel) === after.get(sel) ? unchanged : changed).add(sel);
  }
  return { changed, unchanged };
}
