/**
 * What the upgrade transaction wrote into the proxy's storage, slot by slot (anvil's prestateTracer in diff
 * mode), each slot named with the candidate's storage layout — plain variables, ERC-7201 namespaces and the
 * ERC-1967 slots. A change is expected when it is the implementation slot, the initializer version, or a
 * variable the patch adds (or one the patch declares in `expectStorage`); any other write to existing state
 * during an upgrade is a finding — a backdoor in an initializer looks exactly like that.
 */

import type { StorageLayout } from '@openzeppelin/upgrades-core';
import { type Address, encodeAbiParameters, type Hex, keccak256, type PublicClient, toHex } from 'viem';
import { ERC1967 } from '../core/proxy-kinds.js';

export interface SlotChange {
  slot: Hex;
  /** `VaultV2Core.maxFlashLoanBps`, `erc7201:openzeppelin.storage.Initializable._initialized`, or `unknown`. */
  variable: string;
  before: Hex;
  after: Hex;
  expected: boolean;
}

interface PrestateDiff {
  pre: Record<string, { storage?: Record<string, Hex> }>;
  post: Record<string, { storage?: Record<string, Hex> }>;
}

const ZERO = `0x${'0'.repeat(64)}` as Hex;
const pad = (h: string): Hex => `0x${h.replace(/^0x/, '').padStart(64, '0')}` as Hex;

/** keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~bytes32(uint256(0xff)) — ERC-7201. */
export function erc7201Slot(id: string): bigint {
  const inner = BigInt(keccak256(toHex(id))) - 1n;
  return BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [inner]))) & ~0xffn;
}

export interface SlotName {
  /** For people: `VaultV2Core.maxFlashLoanBps`, `erc7201:openzeppelin.storage.ERC20._totalSupply`. */
  name: string;
  /** Version-independent identity: `maxFlashLoanBps`, `erc7201:openzeppelin.storage.ERC20._totalSupply`. */
  key: string;
}

/** Slot number → the variables living in it (several when packed). */
function slotNames(layout: StorageLayout): Map<bigint, SlotName[]> {
  const names = new Map<bigint, SlotName[]>();
  const add = (slot: bigint, n: SlotName) => names.set(slot, [...(names.get(slot) ?? []), n]);
  const place = (
    base: bigint,
    items: StorageLayout['storage'],
    naming: (label: string, contract: string) => SlotName,
  ) => {
    for (const item of items) {
      if (item.slot === undefined) continue;
      const bytes = Number(layout.types[item.type]?.numberOfBytes ?? 32);
      const slots = Math.max(1, Math.ceil(bytes / 32));
      const n = naming(item.label, item.contract);
      for (let i = 0; i < slots; i++) {
        add(base + BigInt(item.slot) + BigInt(i), i === 0 ? n : { name: `${n.name}[+${i}]`, key: n.key });
      }
    }
  };
  place(0n, layout.storage, (label, contract) => ({ name: `${contract}.${label}`, key: label }));
  for (const [id, items] of Object.entries(layout.namespaces ?? {})) {
    place(erc7201Slot(id.replace(/^erc7201:/, '')), items, (label) => ({
      name: `${id}.${label}`,
      key: `${id}.${label}`,
    }));
  }
  for (const [kind, slot] of Object.entries(ERC1967))
    add(BigInt(slot), { name: `ERC1967.${kind}`, key: `ERC1967.${kind}` });
  return names;
}

/** The version-independent keys of a layout's variables (to tell existing state from state the patch adds). */
function layoutKeys(layout: StorageLayout): Set<string> {
  const keys = new Set<string>();
  for (const names of slotNames(layout).values()) for (const n of names) keys.add(n.key);
  return keys;
}

/** `debug_traceTransaction` as viem types a method outside its schema: the tracer options in, `R` out. */
type TraceCall<R> = {
  Method: 'debug_traceTransaction';
  Parameters: [Hex, Record<string, unknown>];
  ReturnType: R;
};

export async function traceStorageChanges(
  client: PublicClient,
  txHash: Hex,
  address: Address,
): Promise<Array<{ slot: Hex; before: Hex; after: Hex }>> {
  const diff = await client.request<TraceCall<PrestateDiff>>({
    method: 'debug_traceTransaction',
    params: [txHash, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }],
  });
  const find = (side: PrestateDiff['pre']) =>
    Object.entries(side ?? {}).find(([a]) => a.toLowerCase() === address.toLowerCase())?.[1]?.storage ?? {};
  const pre = find(diff.pre);
  const post = find(diff.post);
  const slots = new Set([...Object.keys(pre), ...Object.keys(post)].map(pad));
  const value = (side: Record<string, Hex>, slot: Hex) =>
    pad(Object.entries(side).find(([s]) => pad(s) === slot)?.[1] ?? ZERO);
  return [...slots]
    .sort()
    .map((slot) => ({ slot, before: value(pre, slot), after: value(post, slot) }))
    .filter((c) => c.before !== c.after);
}

/** A KECCAK256 the transaction computed: `keccak(key ‖ base)` (mapping entry) or `keccak(base)` (array data). */
export interface Preimage {
  key?: Hex;
  base: bigint;
}

export interface StructLog {
  op: string;
  stack?: string[];
  memory?: string[];
}

/**
 * The KECCAK256 preimages of a transaction, from its step trace (needs a node with step tracing, e.g.
 * `anvil --steps-tracing`; elsewhere the map is empty and mapping entries stay unnamed — and unexpected).
 */
export async function tracePreimages(client: PublicClient, txHash: Hex): Promise<Map<bigint, Preimage>> {
  try {
    const trace = await client.request<TraceCall<{ structLogs?: StructLog[] }>>({
      method: 'debug_traceTransaction',
      params: [txHash, { enableMemory: true, disableStorage: true }],
    });
    return preimagesOf(trace.structLogs ?? []);
  } catch {
    return new Map();
  }
}

/** The KECCAK256 preimages in a step trace (of a transaction, or of a call: simulate's fuzzing names its writes). */
export function preimagesOf(logs: readonly StructLog[]): Map<bigint, Preimage> {
  const out = new Map<bigint, Preimage>();
  for (const log of logs) {
    if ((log.op !== 'KECCAK256' && log.op !== 'SHA3') || !log.stack || log.stack.length < 2) continue;
    const offset = Number(BigInt(log.stack[log.stack.length - 1] as string));
    const size = Number(BigInt(log.stack[log.stack.length - 2] as string));
    if (size !== 64 && size !== 32) continue;
    const memory = (log.memory ?? []).map((w) => w.replace(/^0x/, '').padStart(64, '0')).join('');
    const bytes = memory.slice(offset * 2, (offset + size) * 2);
    if (bytes.length !== size * 2) continue;
    const hash = BigInt(keccak256(`0x${bytes}`));
    out.set(
      hash,
      size === 64
        ? { key: `0x${bytes.slice(0, 64)}`, base: BigInt(`0x${bytes.slice(64)}`) }
        : { base: BigInt(`0x${bytes}`) },
    );
  }
  return out;
}

/** A mapping key as people read it: an address, a small number, or the 32-byte word. */
function formatKey(key: Hex): string {
  const v = BigInt(key);
  if (v < 2n ** 64n) return v.toString();
  if (key.slice(2, 26) === '0'.repeat(24)) return `0x${key.slice(26)}`;
  return key;
}

/** Name a slot that is a mapping entry or array element (possibly nested, possibly a struct member). */
function nameDerived(
  slot: bigint,
  names: Map<bigint, SlotName[]>,
  pre: Map<bigint, Preimage>,
  depth = 0,
): SlotName | undefined {
  if (depth > 4) return undefined;
  for (let off = 0n; off < 16n; off++) {
    const p = pre.get(slot - off);
    if (!p) continue;
    const base = names.get(p.base)?.[0] ?? nameDerived(p.base, names, pre, depth + 1);
    if (!base) continue;
    const index = p.key !== undefined ? `[${formatKey(p.key)}]` : `[${off}]`;
    const member = p.key !== undefined && off > 0n ? `+${off}` : '';
    return { name: `${base.name}${index}${member}`, key: base.key };
  }
  return undefined;
}

export function classifyChanges(
  changes: Array<{ slot: Hex; before: Hex; after: Hex }>,
  candidate: StorageLayout,
  reference: StorageLayout,
  declared: readonly string[] = [],
  preimages: Map<bigint, Preimage> = new Map(),
): SlotChange[] {
  const names = slotNames(candidate);
  const existing = layoutKeys(reference);
  const isExpected = (n: SlotName) =>
    n.key === 'ERC1967.implementation' ||
    n.key.startsWith('erc7201:openzeppelin.storage.Initializable.') ||
    declared.some((d) => n.key === d || n.name === d) ||
    !existing.has(n.key);
  return changes.map((c) => {
    const direct = names.get(BigInt(c.slot));
    const derived = direct ? undefined : nameDerived(BigInt(c.slot), names, preimages);
    const here = direct ?? (derived ? [derived] : []);
    return {
      ...c,
      variable: here.length > 0 ? here.map((n) => n.name).join(', ') : 'unknown (mapping or dynamic data)',
      expected: here.length > 0 && here.every(isExpected),
    };
  });
}
