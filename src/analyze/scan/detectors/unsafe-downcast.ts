/**
 * `scan-unsafe-downcast`: an explicit narrowing conversion `uintN(x)` / `intN(x)` of a wider integer (N smaller
 * than x's width) with nothing that keeps x in range: Solidity 0.8 checks arithmetic, not conversions, so the
 * value silently loses its high bits — a withdrawal of 2**96 + 1 checked as 1, a liquidity of 2**128 stored as 0
 * (the packed uint96/uint128 balances of Compound- and Cream-style code).
 *
 * Not reported: SafeCast (`toUint96`: a library call that reverts), a value bound-checked earlier in the function
 * (`require(x <= type(uint96).max)`, any ordered comparison of a variable the value reads), `type(T).max` clamps,
 * `x % m`, `x & mask` and shifts, an integer read as an address (`address(uint160(x))`, a CREATE2 hash), and
 * `block.timestamp`/`block.number` into 32 bits or more. High when the value comes from the caller's input.
 */
import type { FunctionDefinition } from 'solidity-ast';
import type { AnyNode, Callable } from '../../ast.js';
import { walk } from '../../ast.js';
import { flagsOf, INPUT, localFlags } from '../../caller-flags.js';
import { codeOf } from '../../callgraph.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { argsOf, isMagic, isTypeBound, offsetOf, referenced, some, typeOf, unwrap } from './token-math.js';

function intType(t: string): { signed: boolean; bits: number } | undefined {
  const m = /^(u?)int(\d*)$/.exec(t);
  return m ? { signed: m[1] === '', bits: m[2] ? Number(m[2]) : 256 } : undefined;
}

/** A value that cannot exceed the target: masked, reduced, shifted, clamped, a constant, a hash, a block number. */
function bounded(arg: AnyNode, bits: number): boolean {
  const e = unwrap(arg);
  if (!e) return true;
  if (e.nodeType === 'Literal') return true;
  if (e.nodeType === 'BinaryOperation' && ['%', '&', '>>'].includes(e.operator as string)) return true;
  if (isMagic(e, 'block', 'timestamp') || isMagic(e, 'block', 'number')) return bits >= 32;
  if (some(arg, (n) => isTypeBound(n, 'max'))) return true;
  // `uint160(uint256(hash))`: a deliberate truncation of a non-integer.
  if (
    some(
      arg,
      (n) => n.nodeType === 'FunctionCall' && n.kind === 'typeConversion' && !intType(typeOf(argsOf(n)[0])),
    )
  ) {
    return true;
  }
  return false;
}

/** Declarations compared with `<`, `<=`, `>`, `>=` in a require/assert/if condition before `offset`. */
function checkedBefore(c: Callable, offset: number): Set<number> {
  const out = new Set<number>();
  const conditions: unknown[] = [];
  walk(c.body, (n) => {
    if (offsetOf(n) >= offset) return 'skip';
    if (n.nodeType === 'IfStatement') conditions.push(n.condition);
    if (
      n.nodeType === 'FunctionCall' &&
      ['require', 'assert'].includes((n.expression as { name?: string }).name ?? '')
    )
      conditions.push(argsOf(n)[0]);
    return undefined;
  });
  walk(conditions, (n) => {
    if (n.nodeType === 'BinaryOperation' && ['<', '<=', '>', '>='].includes(n.operator as string)) {
      for (const id of referenced(n)) out.add(id);
    }
    return undefined;
  });
  return out;
}

const isEntry = (c: Callable): c is FunctionDefinition =>
  c.nodeType === 'FunctionDefinition' && (c.visibility === 'external' || c.visibility === 'public');

export const unsafeDowncast: ScanDetector = {
  id: 'scan-unsafe-downcast',
  confidence: 'medium',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    for (const fn of own) {
      let env: Map<number, number> | undefined;
      walk(codeOf(fn), (n) => {
        if (n.nodeType !== 'FunctionCall' || n.kind !== 'typeConversion') return undefined;
        const arg = argsOf(n)[0];
        // `address(uint160(x))`: reading an integer as an address, where 160 bits is the point.
        if (/^address/.test(typeOf(n))) return 'skip';
        const to = intType(typeOf(n));
        const from = intType(typeOf(arg));
        if (!arg || !to || !from || to.signed !== from.signed || to.bits >= from.bits) return undefined;
        if (bounded(arg, to.bits)) return undefined;
        const checked = checkedBefore(fn, offsetOf(n));
        if ([...referenced(arg)].some((id) => checked.has(id))) return undefined;
        if (!env && isEntry(fn)) {
          const params = new Map(fn.parameters.parameters.map((p) => [p.id, INPUT] as const));
          env = localFlags(view, fn, params, fn.body);
        }
        const input = !!env && (flagsOf(view, fn, env, arg) & INPUT) !== 0;
        hits.push({
          node: n,
          within: fn,
          message: `${fn.name || 'the fallback'} narrows a ${typeOf(arg)} to ${typeOf(n)} with no bound check or SafeCast: a value above type(${typeOf(n)}).max silently loses its high bits${input ? ', and the caller chooses it' : ''}.`,
          ...(input ? { severity: 'high' as const } : {}),
        });
        return undefined;
      });
    }
    return hits;
  },
};
