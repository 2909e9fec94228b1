/**
 * Access-control diff. For every function a caller can reach through the proxy that has an effect
 * (effects.ts: it writes storage, sends value, calls or delegatecalls out, creates or selfdestructs —
 * judged over everything it executes, not by its declared mutability):
 * - `access-control-removed`: it had an access guard in the live version and has none in the patch;
 * - `access-control-missing`: the patch adds it and it has no access guard.
 * A guard is a revert (or early return) whose pass condition restricts the caller to someone the caller
 * does not choose (see callgraph.ts): onlyOwner, onlyRole, a `require(msg.sender == …)` against trusted
 * state, an initializer modifier — not a check that merely mentions the caller. A function that does nothing (empty, only reads,
 * only emits events, only accepts ether) needs no guard, whether it is new or lost one.
 */

import type { Finding } from '../../core/finding.js';
import { type ContractView, entryPoints, functionLabel, locate } from '../ast.js';
import { callerGuard } from '../callgraph.js';
import { makeFinding } from '../catalog.js';
import { describeEffects, effectsOf } from '../effects.js';

export function accessControlDiff(reference: ContractView, candidate: ContractView): Finding[] {
  const out: Finding[] = [];
  const before = entryPoints(reference);
  for (const [selector, fn] of entryPoints(candidate)) {
    if (!fn.body) continue;
    const effects = effectsOf(candidate, fn);
    if (effects.length === 0) continue;
    const guard = callerGuard(candidate, fn);
    if (guard.guarded) continue;
    const name = functionLabel(fn);
    const what = describeEffects(effects);
    const old = before.get(selector);
    if (old) {
      const oldGuard = callerGuard(reference, old);
      if (!oldGuard.guarded) continue;
      out.push(
        makeFinding('access-control-removed', {
          message: `${candidate.def.name}.${name} ${what}, and lost its access guard (${oldGuard.by} in ${reference.def.name}): anyone can call it after the upgrade.`,
          location: locate(candidate, fn, name),
          status: 'introduced',
          key: selector,
        }),
      );
    } else {
      out.push(
        makeFinding('access-control-missing', {
          message: `${candidate.def.name}.${name} is new, ${what}, and has no access guard: anyone can call it.`,
          location: locate(candidate, fn, name),
          status: 'introduced',
          key: selector,
        }),
      );
    }
  }
  return out;
}
