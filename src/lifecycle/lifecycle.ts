/** What every lifecycle step is given: the config, the project, the store and the chain (`--rpc`). */
import type { Clients } from '../chain/clients.js';
import type { Config } from '../config/schema.js';
import type { PatchPlan } from '../govern/plan.js';
import type { Store, StoredPatch } from '../store/store.js';

export interface Lifecycle {
  config: Config;
  projectDir: string;
  stateDir: string;
  store: Store;
  clients: Clients;
  /** The node's URL: `propose` forks it to simulate the patch against the live state. */
  rpcUrl: string;
}

/** What a step that only talks to the chain needs (the guardian's pause): no store. */
export type ChainContext = Omit<Lifecycle, 'store'>;

/** A stored patch with the plan `propose` made for it. */
export type PlannedPatch = StoredPatch & { plan: PatchPlan };
