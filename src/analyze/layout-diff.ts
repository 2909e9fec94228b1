/**
 * The storage layout diff a reviewer reads beside the findings: every storage position (slot and offset, in the
 * contract's own storage and in each ERC-7201 namespace) whose variable differs between the reference and the
 * candidate. A plain diff, computed from upgrades-core's layouts; whether a change is safe is the findings' job
 * (storage-layout-incompatible and friends), not this table's.
 */
import type { StorageLayout } from '@openzeppelin/upgrades-core';

/** What sits at one position in one version. */
export interface LayoutVariable {
  label: string;
  /** The type as Solidity writes it (`uint256`, `mapping(address => uint256)`). */
  type: string;
  /** The contract that declares it (a base contract for inherited storage). */
  contract: string;
}

export type LayoutChangeKind = 'added' | 'removed' | 'renamed' | 'retyped' | 'replaced';

export interface LayoutChange {
  /** The ERC-7201 namespace id (`erc7201:…`), absent for the contract's own storage. */
  namespace?: string;
  /** The slot (decimal, as solc writes it; relative to the namespace's root in a namespace). */
  slot: string;
  /** The byte offset within the slot. */
  offset: number;
  reference?: LayoutVariable;
  candidate?: LayoutVariable;
  change: LayoutChangeKind;
}

type Item = StorageLayout['storage'][number];

function variable(layout: StorageLayout, item: Item): LayoutVariable {
  return { label: item.label, type: layout.types[item.type]?.label ?? item.type, contract: item.contract };
}

function positions(layout: StorageLayout): Map<string, { namespace?: string; item: Item }> {
  const out = new Map<string, { namespace?: string; item: Item }>();
  for (const item of layout.storage) out.set(`|${item.slot ?? '?'}|${item.offset ?? 0}`, { item });
  for (const [namespace, items] of Object.entries(layout.namespaces ?? {})) {
    for (const item of items)
      out.set(`${namespace}|${item.slot ?? '?'}|${item.offset ?? 0}`, { namespace, item });
  }
  return out;
}

/**
 * How one position changed. A different name with the same type is a rename only when neither name is found
 * elsewhere in the other version: a variable inserted or deleted before it moves the names, and the position then
 * holds a different variable.
 */
function kindOf(
  a: LayoutVariable | undefined,
  b: LayoutVariable | undefined,
  moved: (a: LayoutVariable, b: LayoutVariable) => boolean,
): LayoutChangeKind | undefined {
  if (!a) return 'added';
  if (!b) return 'removed';
  if (a.label === b.label) return a.type === b.type ? undefined : 'retyped';
  return a.type === b.type && !moved(a, b) ? 'renamed' : 'replaced';
}

const labels = (p: ReturnType<typeof positions>) =>
  new Set([...p.values()].map(({ namespace, item }) => `${namespace ?? ''}|${item.label}`));

const slotOrder = (s: string) => (/^\d+$/.test(s) ? BigInt(s) : -1n);

/**
 * The changed positions, the contract's own storage first, then each namespace, in slot and offset order; empty
 * when both versions lay out the same variables at the same places.
 *
 * @example
 * ```ts
 * const rows = layoutDiff(storageLayoutOf(reference), storageLayoutOf(candidate));
 * // [{ slot: '3', offset: 0, reference: { label: 'feeBps', … }, candidate: { label: 'withdrawalLimit', … },
 * //    change: 'replaced' }, …]
 * ```
 */
export function layoutDiff(reference: StorageLayout, candidate: StorageLayout): LayoutChange[] {
  const before = positions(reference);
  const after = positions(candidate);
  const inRef = labels(before);
  const inCand = labels(after);
  const rows: LayoutChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key);
    const b = after.get(key);
    const ref = a && variable(reference, a.item);
    const cand = b && variable(candidate, b.item);
    const ns = (a ?? b)?.namespace ?? '';
    const change = kindOf(
      ref,
      cand,
      (x, y) => inCand.has(`${ns}|${x.label}`) || inRef.has(`${ns}|${y.label}`),
    );
    if (!change) continue;
    const at = (a ?? b) as { namespace?: string; item: Item };
    rows.push({
      ...(at.namespace !== undefined ? { namespace: at.namespace } : {}),
      slot: at.item.slot ?? '?',
      offset: at.item.offset ?? 0,
      ...(ref ? { reference: ref } : {}),
      ...(cand ? { candidate: cand } : {}),
      change,
    });
  }
  return rows.sort(
    (x, y) =>
      (x.namespace ?? '').localeCompare(y.namespace ?? '') ||
      Number(slotOrder(x.slot) - slotOrder(y.slot)) ||
      x.offset - y.offset,
  );
}
