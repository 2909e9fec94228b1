/**
 * `scan-missing-deadline`: a swap or liquidity call whose `deadline` is `block.timestamp` (plus anything) or
 * `type(uint256).max` — both always pass: a transaction held back by a validator or stuck in the mempool executes
 * whenever it is most profitable for someone else, at a price the sender no longer wants (within its slippage
 * bound). The deadline has to come from the caller, off chain.
 */
import type { ScanDetector, ScanHit } from '../detector.js';
import { externalWriteCalls } from './external-calls.js';
import { calledName, isMagic, isTypeBound, namedArguments, some, unwrap } from './token-math.js';

export const missingDeadline: ScanDetector = {
  id: 'scan-missing-deadline',
  confidence: 'high',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    for (const { call: n, within: fn } of externalWriteCalls(view, own)) {
      const deadline = [...namedArguments(view, n, fn)].find(([name]) => /^_?deadline$/i.test(name))?.[1];
      if (!deadline) continue;
      const now = some(deadline, (x) => isMagic(x, 'block', 'timestamp'));
      const never = isTypeBound(unwrap(deadline), 'max');
      if (!now && !never) continue;
      hits.push({
        node: n,
        within: fn,
        message: `${fn.name || 'the fallback'} calls ${calledName(n)} with deadline ${now ? 'from block.timestamp, which is always "now" when it executes' : 'type(uint256).max'}: the transaction can be held back and executed later at a worse price.`,
      });
    }
    return hits;
  },
};
