/**
 * `scan-reentrancy`: an entry point anyone can call, with no reentrancy lock, makes a call that can re-enter
 * (trace.ts: another contract's non-view function, a low-level call, ether sent with `call`) and writes state
 * after it that it read before it. The callee re-enters the same function while that state still holds the
 * old value: The DAO's drain (`balances` checked, ether sent, `balances` zeroed after).
 *
 * High when the state was read by a check or for the amount the call sends (a balance: the re-entered call
 * passes the same check again); medium when it was read only as a value. A write to state the function did
 * not read before the call (a counter, a timestamp) is not reported here: whether another function depends on
 * it is `scan-reentrancy-cross-function`'s question. `transfer`/`send` (2300 gas) and ERC-20 transfers do not
 * count as calls that re-enter; access-guarded functions (the caller is trusted) are not reported.
 * The hit is on the write (or, when the write is in dependency code, on the team's call that leads to it).
 */
import { functionLabel } from '../../ast.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { ETHER, type Key, keyName, openEntries, TOKENS, traceOf, type Use } from '../trace.js';

const isState = (k: Key) => k !== TOKENS && k !== ETHER;

export const reentrancy: ScanDetector = {
  id: 'scan-reentrancy',
  confidence: 'high',
  run({ view, isOwn }) {
    const hits: ScanHit[] = [];
    const seen = new Set<number>();
    for (const { fn, readOnly } of openEntries(view)) {
      if (readOnly) continue;
      const trace = traceOf(view, fn, isOwn);
      if (trace.locked) continue;
      const read = new Map<Key, Use>();
      const { events } = trace;
      events.forEach((call, i) => {
        if (call.kind === 'read') {
          for (const k of call.keys)
            if (read.get(k) !== 'check' && read.get(k) !== 'payout') read.set(k, call.use);
        }
        if (call.kind !== 'call') return;
        // One finding per call: on the first late write, naming every variable written late.
        const late = new Map<Key, NonNullable<(typeof events)[number]['at']>>();
        for (const write of events.slice(i + 1)) {
          if (write.kind !== 'write' || !isState(write.key) || !write.at || !read.has(write.key)) continue;
          if (!late.has(write.key)) late.set(write.key, write.at);
        }
        const first = [...late.values()][0];
        if (!first || seen.has(first.node.id)) return;
        seen.add(first.node.id);
        const names = [...late.keys()].map((k) => keyName(view, k));
        const decided = [...late.keys()].some((k) => read.get(k) !== 'value');
        const list = names.join(', ');
        hits.push({
          node: first.node,
          within: first.within,
          detail: [...names].sort().join(','),
          severity: decided ? 'high' : 'medium',
          message: `${functionLabel(fn)} makes ${call.label} (line ${view.lineOf(call.node)}) before it writes ${list}, which it read before the call${decided ? ' to decide (a check, or the amount it pays)' : ''}; nothing locks it, so the callee can re-enter ${functionLabel(fn)} while ${list} still ${names.length > 1 ? 'hold' : 'holds'} the old value and ${decided ? 'pass the same check again (The DAO)' : 'work from the stale value'}.`,
        });
      });
    }
    return hits;
  },
};
