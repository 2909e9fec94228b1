/**
 * `scan-arbitrary-call`: in a function anyone can call, a low-level `call` whose target and calldata both come
 * from the caller (`target.call(data)`, `Address.functionCall(target, data)`), or a `transferFrom` that pulls
 * from an account the caller names — with no allow list, signature or `from == msg.sender` check on the chosen
 * value (call-sites.ts). The contract calls whatever the caller asks in its own name: any approval users gave it
 * can be spent by calling `token.transferFrom(victim, attacker, amount)` through it (Li.Fi 2022 and 2024,
 * Dexible 2023, Socket/Bungee 2024, Transit Swap 2022). The hit is on the call.
 *
 * Not reported: a target the caller chooses with calldata the contract builds around a fixed selector (a
 * typed call, `abi.encodeCall`), a fixed or stored target with forwarded calldata (a proxy, a module), ether
 * sent to a chosen recipient with empty calldata, access-guarded functions, OpenZeppelin code.
 */
import type { ScanDetector, ScanHit } from '../detector.js';
import { chosenCallSites } from './call-sites.js';

export const arbitraryCall: ScanDetector = {
  id: 'scan-arbitrary-call',
  confidence: 'medium',
  run({ view, isOwn }) {
    const hits: ScanHit[] = [];
    for (const site of chosenCallSites(view, isOwn)) {
      if (site.kind === 'delegatecall') continue;
      const entry = site.entry.name || 'the fallback';
      const at = `line ${view.lineOf(site.node)}${site.within.id === site.entry.id ? '' : `, in ${site.within.name}`}`;
      hits.push({
        node: site.node,
        within: site.within,
        detail: site.kind,
        message:
          site.kind === 'call'
            ? `${entry} lets its caller choose both the target and the calldata of a call (${at}), and nothing checks the target against an allow list: the caller can make this contract call token.transferFrom(victim, attacker, amount) and spend every approval users gave it (Li.Fi, Dexible, Socket).`
            : `${entry} pulls tokens (${at}) from an account its caller names, and nothing ties that account to the caller (from == msg.sender, an allowance, a signature): anyone can move the tokens of every user who approved this contract (Transit Swap).`,
      });
    }
    return hits;
  },
};
