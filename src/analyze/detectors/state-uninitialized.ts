/**
 * `state-uninitialized`: the patch adds a state variable that holds its zero value on the live proxy until
 * something sets it. A live proxy never runs `initializer` again; only a `reinitializer(n)` newer than the
 * live version (called through the upgrade calldata) runs during the upgrade.
 *
 * Judged over what the candidate can execute (callgraph.ts), from its entry points (public/external
 * functions, fallback, receive; initializers that already ran are not entry points):
 * - not read on any path from an entry point (dead internal code, only the public getter) → no finding;
 * - set by a reinitializer run by the upgrade → no finding;
 * - read, and set by no entry point → blocking: the check it feeds is vacuous at zero (Ronin, 2024); an entry
 *   point behind a check nobody can pass (`require(msg.sender == address(0))`, callgraph.ts) is no setter;
 * - read, and set only by entry points (a setter) → info: the code runs at zero until someone calls it;
 *   the message names the setters and their guards (access-control findings judge an unguarded one).
 * A write counts through storage pointers, struct members, tuples, `delete`, `++`, and inline assembly that
 * names the variable's slot (`sstore(x.slot, v)`); an `sstore` to a computed slot is not taken as setting
 * it (fail closed). Code behind `onlyInitializing` does not count as a setter outside initialization.
 * A write counts only where it can take effect (liveness.ts): not after a return or revert, not under a
 * constant-false condition, not doomed to revert by what follows — in setters, reinitializers and helpers.
 * A variable renamed with `@custom:oz-renamed-from` an existing label is the live slot, not new state.
 * Mappings, dynamic arrays, strings and bytes start empty by design and are not reported.
 */

import type { StorageLayout } from '@openzeppelin/upgrades-core';
import type { FunctionDefinition, VariableDeclaration } from 'solidity-ast';
import type { Finding } from '../../core/finding.js';
import { type ContractView, entryPoints, functionLabel, locate, resolveVirtual, walk } from '../ast.js';
import {
  type Callable,
  callerGuard,
  codeOf,
  initializerVersion,
  initializingOnly,
  reachable,
} from '../callgraph.js';
import { makeFinding } from '../catalog.js';
import { liveWrites } from '../liveness.js';
import { stateAccess } from '../state-access.js';

const EMPTY_BY_DESIGN = /^t_(mapping|array\(.*\)dyn_storage|string_storage|bytes_storage)/;

function stateVariable(view: ContractView, label: string): VariableDeclaration | undefined {
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType === 'VariableDeclaration' && node.stateVariable && node.name === label) {
        if (node.constant || node.mutability === 'immutable') continue;
        return node;
      }
    }
  }
  return undefined;
}

function initializers(view: ContractView): Array<{ fn: FunctionDefinition; version: number }> {
  const out: Array<{ fn: FunctionDefinition; version: number }> = [];
  for (const base of view.linearized) {
    for (const node of base.nodes) {
      if (node.nodeType !== 'FunctionDefinition' || !node.body) continue;
      const version = initializerVersion(view, node);
      if (version !== undefined) out.push({ fn: node, version });
    }
  }
  return out;
}

/**
 * Internal functions used as values (`fn = _apply`) can run wherever a function pointer is called: taken as
 * readers too, so that a read behind a pointer is not mistaken for dead code.
 */
function addressTaken(view: ContractView, code: readonly Callable[]): FunctionDefinition[] {
  const out: FunctionDefinition[] = [];
  for (const c of code) {
    const callees = new Set<number>();
    walk(codeOf(c), (n) => {
      if (n.nodeType === 'FunctionCall') callees.add((n.expression as { id: number }).id);
      if (n.nodeType === 'MemberAccess') callees.add((n.expression as { id: number }).id); // f.selector
      return undefined;
    });
    walk(codeOf(c), (n) => {
      if (n.nodeType !== 'Identifier' || callees.has(n.id)) return undefined;
      const decl = view.byId.get(n.referencedDeclaration as number);
      if (decl?.nodeType === 'FunctionDefinition')
        out.push(resolveVirtual(view, decl as unknown as FunctionDefinition));
      return undefined;
    });
  }
  return out;
}

/** The address-taken functions of the code the entries run, and theirs in turn, as extra readers. */
function pointerReaders(view: ContractView, from: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  const seen = new Set<number>();
  let frontier = from;
  while (frontier.length > 0) {
    const fresh = addressTaken(
      view,
      frontier.flatMap((e) => e.reads),
    ).filter((fn) => !seen.has(fn.id));
    for (const fn of fresh) seen.add(fn.id);
    frontier = analyseEntries(view, [...new Map(fresh.map((fn) => [fn.id, fn])).values()]);
    out.push(...frontier);
  }
  return out;
}

interface Entry {
  fn: FunctionDefinition;
  /** What runs when it is called. */
  reads: Callable[];
  /**
   * What it can lastingly write (liveness.ts: not after a return or revert, not under a constant-false
   * condition, not doomed to revert; nothing view/pure, nothing behind onlyInitializing).
   */
  writes: Set<number>;
}

function analyseEntries(view: ContractView, fns: readonly FunctionDefinition[]): Entry[] {
  const readOnly = (c: Callable) =>
    c.nodeType === 'FunctionDefinition' && (c.stateMutability === 'view' || c.stateMutability === 'pure');
  return fns.map((fn) => ({
    fn,
    reads: reachable(view, [fn]),
    writes: liveWrites(view, [fn], (c) => readOnly(c) || initializingOnly(view, c)),
  }));
}

export function uninitializedState(
  reference: ContractView,
  candidate: ContractView,
  referenceLayout: StorageLayout,
  candidateLayout: StorageLayout,
): Finding[] {
  const before = new Set(referenceLayout.storage.map((item) => item.label));
  // `@custom:oz-renamed-from old`: the same slot under a new name, holding the live value — not new state.
  const renamed = (item: StorageLayout['storage'][number]) =>
    item.renamedFrom !== undefined && before.has(item.renamedFrom);
  const added = candidateLayout.storage.flatMap((item) => {
    if (before.has(item.label) || renamed(item) || EMPTY_BY_DESIGN.test(item.type)) return [];
    const decl = stateVariable(candidate, item.label);
    // An inline initial value is upgrades-core's `state-variable-assignment`.
    return decl && !decl.value ? [{ item, decl }] : [];
  });
  if (added.length === 0) return [];
  const liveVersion = Math.max(0, ...initializers(reference).map((i) => i.version));
  const allInitializers = initializers(candidate);
  const upgradeInitializers = allInitializers.filter((i) => i.version > liveVersion);
  const initializerIds = new Set(allInitializers.map((i) => i.fn.id));
  // Entry points of the live proxy after the upgrade: initializers that already ran never run again.
  const callable = [...entryPoints(candidate).values()].filter((fn) => fn.body && !initializerIds.has(fn.id));
  const entries = analyseEntries(candidate, callable);
  const upgrade = analyseEntries(
    candidate,
    upgradeInitializers.map((i) => i.fn),
  );
  const pointerTargets = pointerReaders(candidate, [...entries, ...upgrade]);
  const out: Finding[] = [];
  for (const { item, decl } of added) {
    const id = decl.id;
    const readers = [...entries, ...upgrade, ...pointerTargets].filter((e) =>
      e.reads.some((c) => stateAccess(candidate, c).reads.has(id)),
    );
    if (readers.length === 0) continue; // dead code or the public getter only: nothing depends on it
    // The upgrade's own reinitializer runs it, modifiers and what `initializer` helpers it calls included.
    if (upgrade.some((e) => liveWrites(candidate, [e.fn]).has(id))) continue;
    // A setter behind a check nobody can pass (`require(msg.sender == address(0))`) never runs: no setter.
    const setters = entries.filter((e) => e.writes.has(id) && !callerGuard(candidate, e.fn).impossible);
    const owner = candidate.ownerOf.get(id)?.name ?? candidate.def.name;
    const zero = zeroOf(item.type);
    const readBy = names(readers.map((e) => functionLabel(e.fn)));
    const common = {
      location: locate(candidate, decl),
      status: 'introduced' as const,
      key: item.label,
    };
    if (setters.length === 0) {
      out.push(
        makeFinding('state-uninitialized', {
          ...common,
          message:
            upgradeInitializers.length === 0
              ? `${owner}.${item.label} is new state read by ${readBy}, but nothing the live proxy can run sets it and the patch has no reinitializer newer than version ${liveVersion}: it stays ${zero} on the live proxy.`
              : `${owner}.${item.label} is new state read by ${readBy}, but no reinitializer run by the upgrade (${upgradeInitializers.map((i) => `${i.fn.name}@${i.version}`).join(', ')}) and no other function the live proxy can run sets it: it stays ${zero} on the live proxy.`,
        }),
      );
      continue;
    }
    const described = setters.map((e) => {
      const guard = callerGuard(candidate, e.fn);
      return { name: functionLabel(e.fn), guard };
    });
    const open = described.filter((s) => !s.guard.guarded).map((s) => s.name);
    const setBy = described.map((s) => (s.guard.guarded ? `${s.name} (${s.guard.by})` : s.name));
    out.push(
      makeFinding('state-uninitialized', {
        ...common,
        severity: 'info',
        blocking: false,
        message:
          open.length === 0
            ? `${owner}.${item.label} is new state read by ${readBy}, set only by ${names(setBy)}; until then it holds ${zero} on the live proxy. Check that the code is safe at ${zero}, or set it in a reinitializer.`
            : `${owner}.${item.label} is new state read by ${readBy}, set by ${names(setBy)}; ${names(open)} ${open.length === 1 ? 'has' : 'have'} no access guard, so anyone can set it (the access-control findings judge ${open.length === 1 ? 'that function' : 'those functions'}); until then it holds ${zero} on the live proxy.`,
      }),
    );
  }
  return out;
}

/** `a`, `a and b`, `a, b and c`, `a, b, c and 4 more`. */
function names(list: readonly string[], max = 3): string {
  const unique = [...new Set(list)];
  if (unique.length <= 1) return unique[0] ?? '';
  if (unique.length > max) return `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
  return `${unique.slice(0, -1).join(', ')} and ${unique.at(-1)}`;
}

function zeroOf(type: string): string {
  if (type.startsWith('t_address') || type.startsWith('t_contract')) return 'address(0)';
  if (type === 't_bool') return 'false';
  if (/^t_u?int/.test(type)) return '0';
  return 'zero';
}
