/**
 * `scan-spot-price`: a state-changing function that decides an amount (what to mint, lend, liquidate or pay
 * out) from a price read off a pool's current state — `pair.getReserves()`, `pool.slot0()` (sqrtPriceX96), a
 * router's spot quote (`getAmountsOut`/`getAmountOut`), or a ratio of two `balanceOf` reads (the pool's
 * balances). One flash loan moves all of these within the transaction: Harvest Finance, Cheese Bank, Warp
 * Finance, bZx, Inverse Finance. The read may sit in a view helper (`_collateralValue()`) that the state-changing
 * function calls; the hit is on the call in the state-changing function.
 *
 * Silent: time-weighted prices (Uniswap V3 `observe`, a V2 oracle that reads `price0CumulativeLast`), Chainlink
 * feeds, internal accounting, and view functions (a quote for a UI decides nothing by itself).
 */
import type { FunctionDefinition } from 'solidity-ast';
import type { AnyNode, Callable, ContractView } from '../../ast.js';
import { walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { argsOf, calledName, isMagic, mulDivParts, some, tracer } from './token-math.js';

const SPOT_CALLS = new Set(['getReserves', 'slot0', 'getAmountsOut', 'getAmountOut', 'getAmountsIn']);
const TWAP_ACCUMULATORS = new Set(['price0CumulativeLast', 'price1CumulativeLast', 'observe', 'consult']);

const isExternal = (view: ContractView, n: AnyNode, c: Callable) =>
  callTarget(view, n, c).kind === 'external';

/** `pair.getReserves()`, `pool.slot0()`, `router.getAmountsOut(...)`: the pool's price right now. */
function spotCall(view: ContractView, n: AnyNode, c: Callable): boolean {
  return n.nodeType === 'FunctionCall' && SPOT_CALLS.has(calledName(n) ?? '') && isExternal(view, n, c);
}

/** `token.balanceOf(pool)` of someone other than the caller. */
function poolBalance(view: ContractView, n: AnyNode, c: Callable): boolean {
  if (n.nodeType !== 'FunctionCall' || calledName(n) !== 'balanceOf' || !isExternal(view, n, c)) return false;
  const who = argsOf(n)[0];
  return !isMagic(who, 'msg', 'sender') && !some(who, (x) => calledName(x) === '_msgSender');
}

/** A division (or `mulDiv`) with a pool balance on both sides: a price read off the pool's balances. */
function balanceRatio(n: AnyNode, holdsBalance: (e: unknown) => boolean): boolean {
  if (n.nodeType === 'BinaryOperation' && n.operator === '/') {
    return holdsBalance(n.leftExpression) && holdsBalance(n.rightExpression);
  }
  const parts = mulDivParts(n);
  return !!parts && holdsBalance(parts.divisor) && parts.factors.some(holdsBalance);
}

const readOnly = (c: Callable) =>
  c.nodeType === 'FunctionDefinition' && (c.stateMutability === 'view' || c.stateMutability === 'pure');

export const spotPrice: ScanDetector = {
  id: 'scan-spot-price',
  confidence: 'medium',
  run({ view, own }) {
    const balances = tracer(view, (n, c) => poolBalance(view, n, c));
    const isSource = (n: AnyNode, c: Callable) =>
      spotCall(view, n, c) || balanceRatio(n, (e) => balances.holds(e, c));
    const prices = tracer(view, isSource);
    const twap = tracer(
      view,
      (n) => n.nodeType === 'FunctionCall' && TWAP_ACCUMULATORS.has(calledName(n) ?? ''),
    );
    const hits: ScanHit[] = [];
    for (const fn of own) {
      if (readOnly(fn) || fn.nodeType !== 'FunctionDefinition') continue;
      // A V2 TWAP oracle's update reads getReserves for the timestamp next to the cumulative prices.
      if (
        some(
          codeOf(fn),
          (n) =>
            n.nodeType === 'FunctionCall' &&
            (TWAP_ACCUMULATORS.has(calledName(n) ?? '') || twap.returnsDerived(n, fn)),
        )
      )
        continue;
      walk(codeOf(fn), (n) => {
        const direct = isSource(n, fn);
        if (!direct && !(n.nodeType === 'FunctionCall' && prices.returnsDerived(n, fn))) return undefined;
        hits.push({
          node: n,
          within: fn,
          message: `${label(fn)} decides an amount from ${what(n, direct)}: a flash loan moves that price within the transaction (Harvest, Cheese Bank, bZx), so the attacker chooses what ${label(fn)} mints, lends or pays out.`,
        });
        return 'skip';
      });
    }
    return hits;
  },
};

function label(fn: FunctionDefinition): string {
  return fn.kind === 'function' ? fn.name : fn.kind;
}

function what(n: AnyNode, direct: boolean): string {
  const name = calledName(n);
  if (!direct) return `${name}(), which prices from a pool's current reserves or balances`;
  if (n.nodeType === 'BinaryOperation' || name === 'mulDiv')
    return "a ratio of a pool's current token balances";
  return `${name}() — the pool's current spot price`;
}
