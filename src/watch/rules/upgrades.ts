/**
 * Rule: upgrades and admin changes no executed patch explains — `audit`'s judgement, one block at a time. For each
 * watched proxy it reads the block's `Upgraded` / `AdminChanged` / `BeaconUpgraded` / ownership events of the proxy
 * and of the ProxyAdmin or beacon that holds its rights, and judges each against the verified log exactly as
 * `patchgate audit` does: a change made in the transaction the log's executed entry names, installing that patch's
 * implementation, is authorized; anything else is an alert.
 */
import type { Address, PublicClient } from 'viem';
import { type Context, classify, unexplainedFindings } from '../../audit/classify.js';
import { byPosition, controllerEvents, proxyEvents, senders, timestamps } from '../../audit/events.js';
import type { AuditLog } from '../../audit/log.js';
import { controllersOf, readProxyState } from '../../audit/state.js';
import type { ProxyState } from '../../chain/proxy.js';
import type { BlockRule, WatchFinding } from '../rule.js';

export interface UpgradeRuleOptions {
  client: PublicClient;
  chainId: number;
  proxies: readonly Address[];
  /** The verified log as it stands now (re-read as patches execute); undefined: every change is unexplained. */
  log: () => Promise<AuditLog | undefined>;
}

export function upgradeRule(options: UpgradeRuleOptions): BlockRule {
  const { client } = options;
  // Each proxy's slots, re-read after a block that changed who holds its rights.
  const states = new Map<Address, ProxyState>();
  const stateOf = async (proxy: Address) => {
    let state = states.get(proxy);
    if (!state) {
      state = await readProxyState(client, proxy);
      states.set(proxy, state);
    }
    return state;
  };
  return {
    name: 'upgrades',
    async evaluate(block) {
      const range = { fromBlock: block.number, toBlock: block.number };
      // Every proxy at once, and each proxy's own events beside its holders' (two requests in parallel, not in a
      // row): detection latency is what this rule is measured by.
      const found = await Promise.all(
        options.proxies.map(async (proxy): Promise<WatchFinding[]> => {
          // The holders before this block: a change of holder in this block is judged with the old holder's events.
          const state = await stateOf(proxy);
          const before = controllersOf(state, []);
          const [own, held] = await Promise.all([
            proxyEvents(client, proxy, range),
            controllerEvents(client, before, range),
          ]);
          // A holder named by this block's own AdminChanged / BeaconUpgraded: its events too (rare: one more read).
          const added = new Map([...controllersOf(state, own)].filter(([a]) => !before.has(a)));
          const controlled =
            added.size > 0 ? [...held, ...(await controllerEvents(client, added, range))] : held;
          const events = [...own, ...controlled].sort(byPosition);
          if (events.length === 0) return [];
          if (own.some((e) => e.event === 'AdminChanged' || e.event === 'BeaconUpgraded'))
            states.delete(proxy);
          // The verified log is read only for a block that changed something (most blocks change nothing).
          const log = await options.log();
          const ctx: Context = {
            proxy,
            chainId: options.chainId,
            ...(log ? { log } : { noLog: 'the watcher has no verified log' }),
          };
          const history = classify(
            ctx,
            events,
            await senders(
              client,
              events.map((e) => e.txHash),
            ),
            await timestamps(client, [block.number]),
          );
          const unexplained = history.filter((h) => h.status === 'unexplained');
          return unexplainedFindings(history, []).map((f, i) => {
            const tx = unexplained[i]?.txHash;
            return { ...f, contract: proxy, ...(tx ? { tx } : {}) };
          });
        }),
      );
      return found.flat();
    },
  };
}
