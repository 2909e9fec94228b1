/**
 * `initializer-not-rerunnable`: a function the patch adds (a selector the live implementation lacks) that is
 * guarded by `initializer`, on a contract whose live version was initialized (it has an initializer). A live
 * proxy that ran its initializer never runs `initializer` again (InvalidInitialization): an upgrade that calls
 * the new function reverts, and the state it was meant to set is never set. Not blocking on its own: the
 * simulate stage runs the upgrade calldata and catches the revert; `state-uninitialized` judges the state.
 * A V2 that keeps the live `initialize` (for fresh deployments) is normal and not reported.
 */
import type { FunctionDefinition } from 'solidity-ast';
import type { Finding } from '../../core/finding.js';
import { type ContractView, entryPoints, functionLabel, locate } from '../ast.js';
import { initializerVersion } from '../callgraph.js';
import { makeFinding } from '../catalog.js';

/** Guarded by OpenZeppelin's `initializer` itself (not `reinitializer(n)`). */
function usesInitializer(view: ContractView, fn: FunctionDefinition): boolean {
  return (
    initializerVersion(view, fn) !== undefined &&
    (fn.modifiers ?? []).some((m) => m.modifierName.name === 'initializer')
  );
}

export function initializerNotRerunnable(reference: ContractView, candidate: ContractView): Finding[] {
  const live = entryPoints(reference);
  const versions = [...live.values()].flatMap((fn) => initializerVersion(reference, fn) ?? []);
  if (versions.length === 0) return [];
  const liveVersion = Math.max(...versions);
  const out: Finding[] = [];
  for (const [selector, fn] of entryPoints(candidate)) {
    if (live.has(selector) || !fn.body || !usesInitializer(candidate, fn)) continue;
    const owner = candidate.ownerOf.get(fn.id)?.name ?? candidate.def.name;
    const name = functionLabel(fn);
    out.push(
      makeFinding('initializer-not-rerunnable', {
        message: `${owner}.${name} uses \`initializer\`, which never runs again on a live proxy: use reinitializer(N) with N above the live version (${liveVersion}, so reinitializer(${liveVersion + 1}) at least). The live proxy is already initialized, so an upgrade calling ${name} reverts (InvalidInitialization) and what it sets is never set; the simulate stage catches that revert when the upgrade calls it.`,
        location: locate(candidate, fn, name),
        status: 'introduced',
        key: selector,
      }),
    );
  }
  return out;
}
