/**
 * A patch's states and the moves between them, defined once: the store's SQL CHECK is generated from
 * PATCH_STATES, its compare-and-set transitions obey PATCH_TRANSITIONS, and docs/store.md lists both
 * (src/core/patch-states.test.ts keeps the three in step).
 */
export const PATCH_STATES = [
  'proposed',
  'approved',
  'queued',
  'executed',
  'verified',
  'cancelled',
  'expired',
] as const;

export type PatchState = (typeof PATCH_STATES)[number];

/** Where every patch starts (`propose`). */
export const INITIAL_PATCH_STATE = 'proposed' satisfies PatchState;

/** From each state, the states it may move to; a final state moves nowhere. */
export const PATCH_TRANSITIONS = {
  proposed: ['approved', 'cancelled', 'expired'],
  approved: ['queued', 'cancelled', 'expired'],
  queued: ['executed', 'cancelled'],
  executed: ['verified'],
  verified: [],
  cancelled: [],
  expired: [],
} as const satisfies Record<PatchState, readonly PatchState[]>;

/** The states a patch in `from` may move to. */
export function nextStates(from: PatchState): readonly PatchState[] {
  return PATCH_TRANSITIONS[from];
}

export function canTransition(from: PatchState, to: PatchState): boolean {
  return nextStates(from).includes(to);
}
