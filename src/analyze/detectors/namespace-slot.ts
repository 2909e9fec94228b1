/**
 * `namespace-slot-mismatch`: an ERC-7201 namespace is checked at the slot its annotation names
 * (`@custom:storage-location erc7201:<id>`), but the code reaches its storage through an accessor that assigns
 * `$.slot := SOME_CONSTANT`. When the constant is not the annotated id's slot, every storage check (upgrades-core
 * included) looked at the wrong place: the patch may write over another namespace (OwnableStorage's `_owner`)
 * while its layout looks unchanged. The constant is read from its declaration (a number literal); an accessor
 * whose slot is computed some other way is not judged here.
 */
import type { StructDefinition, VariableDeclaration } from 'solidity-ast';
import { type AnyNode, type ContractView, locate, walk } from '../ast.js';
import { makeFinding } from '../catalog.js';
import type { Finding } from '../finding.js';
import { erc7201Slot, namespacesIn } from './storage-conflicts.js';

interface ExternalReference {
  declaration: number;
  src: string;
  suffix?: string;
}

const hex = (v: bigint) => `0x${v.toString(16).padStart(64, '0')}`;

/** The value of a constant declared with a number literal, if that is how it is declared. */
function literalValue(decl: VariableDeclaration): bigint | undefined {
  const value = decl.value as (AnyNode & { nodeType: string; value?: string; hexValue?: string }) | undefined;
  if (!decl.constant || value?.nodeType !== 'Literal' || value.value === undefined) return undefined;
  try {
    return BigInt(value.value.replace(/_/g, ''));
  } catch {
    return undefined;
  }
}

export function namespaceSlotMismatches(view: ContractView): Finding[] {
  const erc7201 = new Map<number, { id: string; slot: bigint; struct: StructDefinition }>();
  for (const ns of namespacesIn(view)) {
    if (!ns.id.startsWith('erc7201:')) continue;
    erc7201.set(ns.struct.id, {
      id: ns.id,
      slot: erc7201Slot(ns.id.slice('erc7201:'.length)),
      struct: ns.struct,
    });
  }
  if (erc7201.size === 0) return [];
  const bySlot = new Map([...erc7201.values()].map((ns) => [ns.slot, ns.id]));
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const base of view.linearized) {
    walk(base.nodes, (n) => {
      if (n.nodeType !== 'InlineAssembly') return undefined;
      const refs = (n.externalReferences ?? []) as ExternalReference[];
      const bySrc = new Map(refs.map((r) => [r.src, r]));
      walk(n.AST, (y) => {
        if (y.nodeType !== 'YulAssignment') return undefined;
        const target = (y.variableNames as { name: string; src: string }[] | undefined)?.[0];
        const value = y.value as { nodeType: string; name?: string; src: string } | undefined;
        if (!target?.name.endsWith('.slot') || value?.nodeType !== 'YulIdentifier') return undefined;
        const pointer = view.byId.get(bySrc.get(target.src)?.declaration ?? -1) as
          | VariableDeclaration
          | undefined;
        const constant = view.byId.get(bySrc.get(value.src)?.declaration ?? -1) as
          | VariableDeclaration
          | undefined;
        const structId = (pointer?.typeName as { referencedDeclaration?: number } | undefined)
          ?.referencedDeclaration;
        const ns = structId === undefined ? undefined : erc7201.get(structId);
        const actual = constant && literalValue(constant);
        if (!ns || !constant || actual === undefined || actual === ns.slot) return undefined;
        const key = `${ns.id}:${constant.name}`;
        if (seen.has(key)) return undefined;
        seen.add(key);
        const other = bySlot.get(actual);
        out.push(
          makeFinding('namespace-slot-mismatch', {
            message: `${ns.struct.name} is annotated ${ns.id} (slot ${hex(ns.slot)}), but the code points it at ${constant.name} = ${hex(actual)}${other ? `, the slot of ${other}` : ''}: the storage checks looked at the annotated slot, the code reads and writes another.`,
            location: locate(view, n),
            key,
          }),
        );
        return undefined;
      });
      return 'skip';
    });
  }
  return out;
}
