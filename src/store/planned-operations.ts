/**
 * The timelock operations patches planned: for every stored patch with a governance plan, the operation id its
 * `queue` schedules (recomputed from the stored record and plan, as `queue` and `status` do). The watch's
 * governance rule treats any other scheduled or executed operation as one no patch proposed.
 */
import type { Hex } from 'viem';
import { planOperationId } from '../govern/plan.js';
import type { Store } from './store.js';

/**
 * Every stored patch's timelock operation id (a patch is known once it is proposed), but a cancelled or expired
 * one's: the team dropped it, so its operation scheduled again is one no live patch proposes.
 *
 * @example
 * ```ts
 * const known = await plannedOperations(store); // known.has(id): a patch planned this operation
 * ```
 */
export async function plannedOperations(store: Pick<Store, 'list'>): Promise<ReadonlySet<Hex>> {
  const ids = new Set<Hex>();
  for (const patch of await store.list()) {
    if (patch.plan && patch.state !== 'cancelled' && patch.state !== 'expired') {
      ids.add(planOperationId(patch.record, patch.plan));
    }
  }
  return ids;
}
