/**
 * `scan-arbitrary-delegatecall`: in a function anyone can call, a `delegatecall` (or OpenZeppelin's
 * `Address.functionDelegateCall`) to a target the caller chooses, with no allow-list check on it (call-sites.ts).
 * The callee's code runs with this contract's storage and balance: it can overwrite the owner or the
 * implementation slot, selfdestruct (before Cancun), or send everything away (SWC-112).
 *
 * Not reported: a delegatecall to a stored or constant target (a proxy's implementation, a module the admin
 * set), to `address(this)` (a multicall), in access-guarded functions, in OpenZeppelin code.
 */
import type { ScanDetector, ScanHit } from '../detector.js';
import { chosenCallSites } from './call-sites.js';

export const arbitraryDelegatecall: ScanDetector = {
  id: 'scan-arbitrary-delegatecall',
  confidence: 'high',
  run({ view, isOwn }) {
    const hits: ScanHit[] = [];
    for (const site of chosenCallSites(view, isOwn)) {
      if (site.kind !== 'delegatecall') continue;
      const entry = site.entry.name || 'the fallback';
      const at = `line ${view.lineOf(site.node)}${site.within.id === site.entry.id ? '' : `, in ${site.within.name}`}`;
      hits.push({
        node: site.node,
        within: site.within,
        message: `${entry} delegatecalls a target its caller chooses (${at}) and nothing checks it against an allow list: the caller's code runs as this contract, with its storage and its funds — it can take ownership, rewrite the implementation slot or send everything away.`,
      });
    }
    return hits;
  },
};
