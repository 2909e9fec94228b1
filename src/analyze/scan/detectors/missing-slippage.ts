/**
 * `scan-missing-slippage`: a swap or liquidity call (Uniswap V2/V3-style routers, any external call with a
 * minimum-out parameter) whose minimum is the constant 0 — `amountOutMin`, `amountOutMinimum`, `amountAMin`/
 * `amountBMin`, `min_dy` — or whose maximum-in is `type(uint256).max`. Any searcher sandwiches the transaction
 * and keeps the difference. `sqrtPriceLimitX96: 0` alone is not reported (it means "no price limit", the
 * minimum-out is the protection); a minimum computed on chain from the spot quote is not reported either, and is
 * no protection (the docs say so).
 */
import { isZero } from '../../caller-flags.js';
import { callerGuard } from '../../callgraph.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { externalWriteCalls } from './external-calls.js';
import { calledName, isTypeBound, namedArguments, unwrap } from './token-math.js';

const MINIMUM = /^_?(amount\w*Min(imum)?|min\w*(Out|Amount|Received|Return|Dy)\w*|min_dy|min_amount\w*)$/i;
const MAXIMUM = /^_?amount\w*InMax(imum)?$/i;

export const missingSlippage: ScanDetector = {
  id: 'scan-missing-slippage',
  confidence: 'high',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    for (const { call: n, within: fn } of externalWriteCalls(view, own)) {
      const open: string[] = [];
      for (const [name, arg] of namedArguments(view, n, fn)) {
        if (MINIMUM.test(name) && isZero(unwrap(arg))) open.push(`${name} = 0`);
        if (MAXIMUM.test(name) && isTypeBound(unwrap(arg), 'max')) open.push(`${name} = type(uint256).max`);
      }
      if (open.length === 0) continue;
      const guarded = fn.nodeType === 'FunctionDefinition' && callerGuard(view, fn).guarded;
      hits.push({
        node: n,
        within: fn,
        message: `${fn.name || 'the fallback'} calls ${calledName(n)} with ${open.join(', ')}: no slippage bound, so a sandwich takes whatever the pool can be pushed to${guarded ? ' (the caller is restricted, but the transaction is still public in the mempool)' : ''}.`,
        ...(guarded ? { severity: 'medium' as const } : {}),
      });
    }
    return hits;
  },
};
