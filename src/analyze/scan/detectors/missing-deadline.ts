/**
 * `scan-missing-deadline`: a swap or liquidity call whose `deadline` is `block.timestamp` (plus anything) or
 * `type(uint256).max` — both always pass: a transaction held back by a validator or stuck in the mempool executes
 * whenever it is most profitable for someone else, at a price the sender no longer wants (within its slippage
 * bound). The deadline has to come from the caller, off chain.
 */
import { walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { calledName, isMagic, isTypeBound, namedArguments, some, unwrap } from './token-math.js';

export const missingDeadline: ScanDetector = {
  id: 'scan-missing-deadline',
  confidence: 'high',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    for (const fn of own) {
      walk(codeOf(fn), (n) => {
        if (n.nodeType !== 'FunctionCall' || n.kind === 'typeConversion') return undefined;
        const target = callTarget(view, n, fn);
        if (target.kind !== 'external' || target.readOnly) return undefined;
        const deadline = [...namedArguments(view, n, fn)].find(([name]) => /^_?deadline$/i.test(name))?.[1];
        if (!deadline) return undefined;
        const now = some(deadline, (x) => isMagic(x, 'block', 'timestamp'));
        const never = isTypeBound(unwrap(deadline), 'max');
        if (!now && !never) return undefined;
        hits.push({
          node: n,
          within: fn,
          message: `${fn.name || 'the fallback'} calls ${calledName(n)} with deadline ${now ? 'from block.timestamp, which is always "now" when it executes' : 'type(uint256).max'}: the transaction can be held back and executed later at a worse price.`,
        });
        return undefined;
      });
    }
    return hits;
  },
};
