/** Catalogue entries of the findings `patchgate watch` raises live (the upgrades rule reuses audit's). */
import type { CatalogEntry } from './catalog-entry.js';

export const WATCH_ENTRIES: CatalogEntry[] = [
  // governance tampering (watch/rules/governance.ts).
  // state — invariants, outflows, pending transactions (watch/rules/invariants.ts, outflows.ts, pending.ts).
  // the watcher's own responses (watch/respond/).
];
