/**
 * Access-control diff. For every state-changing function a caller can reach through the proxy:
 * - `access-control-removed`: it had an access guard in the live version and has none in the patch;
 * - `access-control-missing`: the patch adds it and it has no access guard.
 * A guard is a revert that depends on the caller (see callgraph.ts): onlyOwner, onlyRole, a
 * `require(msg.sender == …)`, an initializer modifier.
 */
import { type ContractView, isStateChanging, locate } from '../ast.js';
import { callerGuard } from '../callgraph.js';
import { makeFinding } from '../catalog.js';
import type { Finding } from '../finding.js';

export function accessControlDiff(reference: ContractView, candidate: ContractView): Finding[] {
  const out: Finding[] = [];
  for (const [selector, fn] of candidate.externalFunctions) {
    if (!isStateChanging(fn) || !fn.body) continue;
    const guard = callerGuard(candidate, fn);
    if (guard.guarded) continue;
    const before = reference.externalFunctions.get(selector);
    if (before) {
      const old = callerGuard(reference, before);
      if (!old.guarded) continue;
      out.push(
        makeFinding('access-control-removed', {
          message: `${candidate.def.name}.${fn.name} changes state and lost its access guard (${old.by} in ${reference.def.name}): anyone can call it after the upgrade.`,
          location: locate(candidate, fn, fn.name),
          status: 'introduced',
          key: selector,
        }),
      );
    } else {
      out.push(
        makeFinding('access-control-missing', {
          message: `${candidate.def.name}.${fn.name} is new, changes state and has no access guard: anyone can call it.`,
          location: locate(candidate, fn, fn.name),
          status: 'introduced',
          key: selector,
        }),
      );
    }
  }
  return out;
}
