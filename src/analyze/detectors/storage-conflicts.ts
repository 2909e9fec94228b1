import type { Finding } from '../../core/finding.js';
import { type ContractView, locate } from '../ast.js';
import { makeFinding } from '../catalog.js';
import { namespaceSlotMismatches } from './namespace-slot.js';
import { erc7201Slot, type Namespace, namespacesIn } from './namespaces.js';

interface SolcStorage {
  storage: { label: string; slot: string; type: string }[];
  types: Record<string, { numberOfBytes: string }> | null;
}

const where = (view: ContractView, node: { src: string }) => `${view.fileOfNode(node)}:${view.lineOf(node)}`;

function duplicateNamespaces(view: ContractView, spaces: Namespace[]): Finding[] {
  const out: Finding[] = [];
  const first = new Map<string, Namespace>();
  for (const ns of [...spaces].reverse()) {
    const earlier = first.get(ns.id);
    if (!earlier) {
      first.set(ns.id, ns);
      continue;
    }
    out.push(
      makeFinding('namespace-conflict', {
        message: `${view.def.name}: namespace ${ns.id} is defined twice, by ${earlier.contract}.${earlier.struct.name} (${where(view, earlier.struct)}) and by ${ns.contract}.${ns.struct.name} (${where(view, ns.struct)}): both structs live at the same slot and overwrite each other.`,
        location: locate(view, ns.struct),
        key: `namespace:${ns.id}`,
      }),
    );
  }
  return out;
}

const slotsOf = (bytes: string | undefined) => BigInt(Math.max(1, Math.ceil(Number(bytes ?? '32') / 32)));

/**
 * Slots a namespaced struct takes: from the namespaced compile (upgrades-core's, where each namespaced struct
 * becomes a `$Name_…` variable) when there is one; otherwise an estimate of one slot per member times the
 * lengths of fixed-size arrays.
 */
function namespaceSize(view: ContractView, ns: Namespace): bigint {
  const layout = view.unit.namespacedOutput?.contracts?.[view.handle.sourceName]?.[view.def.name] as
    | { storageLayout?: SolcStorage }
    | undefined;
  const sizes = (layout?.storageLayout?.storage ?? [])
    .filter((v) => v.label.startsWith(`$${ns.struct.name}_`))
    .map((v) => slotsOf(layout?.storageLayout?.types?.[v.type]?.numberOfBytes));
  const largest = sizes.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))[0];
  if (largest !== undefined) return largest;
  let estimate = 0n;
  for (const member of ns.struct.members) {
    const dims = [...(member.typeDescriptions.typeString ?? '').matchAll(/\[(\d+)\]/g)];
    estimate += dims.reduce((n, m) => n * BigInt(m[1] as string), 1n);
  }
  return estimate > 0n ? estimate : 1n;
}

/** The base slot of `layout at <expr>` when it is a number; undefined without `layout at`; null if not evaluable. */
function baseSlot(view: ContractView): { value: bigint | null; node: { src: string } } | undefined {
  const spec = (
    view.def as { storageLayout?: { baseSlotExpression?: { src: string; nodeType: string; value?: string } } }
  ).storageLayout;
  const expr = spec?.baseSlotExpression;
  if (!expr) return undefined;
  if (expr.nodeType === 'Literal' && expr.value !== undefined) {
    try {
      return { value: BigInt(expr.value.replaceAll('_', '')), node: expr };
    } catch {
      // Scientific notation and the like: not evaluated here.
    }
  }
  return { value: null, node: expr };
}

function layoutClashes(view: ContractView, spaces: Namespace[]): Finding[] {
  const erc7201 = spaces.filter((ns) => ns.id.startsWith('erc7201:'));
  if (erc7201.length === 0) return [];
  const base = baseSlot(view);
  const raw = view.unit.output.contracts?.[view.handle.sourceName]?.[view.def.name] as
    | { storageLayout?: SolcStorage }
    | undefined;
  const vars = (raw?.storageLayout?.storage ?? []).map((v) => {
    const from = BigInt(v.slot);
    return {
      label: v.label,
      from,
      to: from + slotsOf(raw?.storageLayout?.types?.[v.type]?.numberOfBytes) - 1n,
    };
  });
  const out: Finding[] = [];
  const layoutAt = base ? ` (\`layout at\`, ${where(view, base.node)})` : '';
  for (const ns of erc7201) {
    const from = erc7201Slot(ns.id.slice('erc7201:'.length));
    const to = from + namespaceSize(view, ns) - 1n;
    const hit = vars.find((v) => v.from <= to && from <= v.to);
    const unevaluated = base?.value === null;
    if (!hit && !unevaluated) continue;
    const what = hit
      ? `its variable \`${hit.label}\` at slot 0x${hit.from.toString(16)}${layoutAt} overlaps namespace ${ns.id}`
      : `its \`layout at\` base (${where(view, base?.node ?? view.def)}) could not be evaluated, so it may overlap namespace ${ns.id}`;
    out.push(
      makeFinding('layout-clash', {
        message: `${view.def.name}: ${what} (${ns.contract}.${ns.struct.name}, ${where(view, ns.struct)}, slots 0x${from.toString(16)}…0x${to.toString(16)}): the variables and the namespace overwrite each other.`,
        location: base ? locate(view, base.node) : locate(view, view.def),
        key: `layout:${ns.id}`,
      }),
    );
  }
  return out;
}

export function storageConflicts(view: ContractView): Finding[] {
  const spaces = namespacesIn(view);
  return [
    ...duplicateNamespaces(view, spaces),
    ...layoutClashes(view, spaces),
    ...namespaceSlotMismatches(view),
  ];
}
