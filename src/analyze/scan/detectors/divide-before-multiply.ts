/**
 * `scan-divide-before-multiply`: `(a / b) * c` on integers — the division truncates first and the product
 * multiplies the truncation error, directly or through a local (`perShare = fees / n; … perShare * shares`).
 * In reward, fee and interest math the result rounds to a fraction of what it should be, or to zero for small
 * stakes. Not reported: rounding to a multiple on purpose (`block.timestamp / WEEK * WEEK`: the same value
 * divides and multiplies), fixed-point math that scaled up before dividing (`price = x * 1e18 / y; … a * price`),
 * an amount scaled down to base units times a small literal factor (`value * 75 / 100`), constant folding.
 */
import type { AnyNode, ContractView } from '../../ast.js';
import { walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { typeOf } from './token-math.js';

const isInteger = (n: AnyNode | undefined) => /^u?int\d*$/.test(typeOf(n));

/** Parentheses removed. */
function bare(n: AnyNode | undefined): AnyNode | undefined {
  let e = n;
  while (e?.nodeType === 'TupleExpression' && ((e.components as unknown[]) ?? []).length === 1)
    e = (e.components as AnyNode[])[0];
  return e;
}

/** The same value structurally: one declaration, one literal, one member of one base. */
function same(a: AnyNode | undefined, b: AnyNode | undefined): boolean {
  const x = bare(a);
  const y = bare(b);
  if (!x || !y || x.nodeType !== y.nodeType) return false;
  if (x.nodeType === 'Identifier') return x.referencedDeclaration === y.referencedDeclaration;
  if (x.nodeType === 'Literal') return x.value === y.value;
  if (x.nodeType === 'MemberAccess')
    return x.memberName === y.memberName && same(x.expression as AnyNode, y.expression as AnyNode);
  return false;
}

const SUBDENOMINATION: Record<string, number> = {
  wei: 1,
  gwei: 1e9,
  ether: 1e18,
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
  weeks: 604800,
};

/** A literal's value (`1e18`, `10_000`, `1 ether`), or undefined. */
function literalValue(n: AnyNode | undefined): number | undefined {
  if (n?.nodeType !== 'Literal' || n.kind !== 'number') return undefined;
  const v = Number(String(n.value).replaceAll('_', ''));
  return v * (SUBDENOMINATION[(n.subdenomination as string | undefined) ?? 'wei'] ?? 1);
}

/** A fixed-point scale: `1e18`, `10 ** decimals`, or a constant holding one (`WAD`). */
function isScale(view: ContractView, n: AnyNode | undefined): boolean {
  const e = bare(n);
  if (!e) return false;
  if (e.nodeType === 'BinaryOperation') return e.operator === '**';
  if (e.nodeType === 'Identifier') {
    const decl = view.byId.get(e.referencedDeclaration as number);
    return !!decl && decl.constant === true && isScale(view, decl.value as AnyNode | undefined);
  }
  return (literalValue(e) ?? 0) >= 1e6;
}

/**
 * Precision the code keeps on purpose: a fixed-point division whose dividend was scaled up first
 * (`x * 1e18 / y`), or an amount scaled down to base units and then multiplied by a small literal factor
 * (`value * 75 / 100` after `value = x * p / 1e18`: an error below 75 base units).
 */
function deliberate(view: ContractView, division: AnyNode, other: AnyNode | undefined): boolean {
  const left = bare(division.leftExpression as AnyNode);
  if (left?.nodeType === 'BinaryOperation' && left.operator === '*') {
    if (isScale(view, left.leftExpression as AnyNode) || isScale(view, left.rightExpression as AnyNode))
      return true;
  }
  return (
    isScale(view, division.rightExpression as AnyNode) && (literalValue(bare(other)) ?? Infinity) <= 10_000
  );
}

const isDivision = (n: AnyNode | undefined): boolean =>
  n?.nodeType === 'BinaryOperation' && n.operator === '/' && isInteger(n);

export const divideBeforeMultiply: ScanDetector = {
  id: 'scan-divide-before-multiply',
  confidence: 'medium',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    for (const fn of own) {
      const code = codeOf(fn);
      // Locals holding a division: `uint256 perShare = fees / n;` or `perShare = fees / n;`.
      const divided = new Map<number, AnyNode>();
      walk(code, (n) => {
        if (n.nodeType === 'VariableDeclarationStatement') {
          const decls = (n.declarations as ({ id: number } | null)[]) ?? [];
          const init = bare(n.initialValue as AnyNode | undefined);
          if (decls.length === 1 && decls[0] && init && isDivision(init)) divided.set(decls[0].id, init);
        }
        if (n.nodeType === 'Assignment' && n.operator === '=') {
          const lhs = n.leftHandSide as AnyNode;
          const rhs = bare(n.rightHandSide as AnyNode);
          if (lhs.nodeType === 'Identifier' && rhs && isDivision(rhs))
            divided.set(lhs.referencedDeclaration as number, rhs);
        }
        return undefined;
      });
      const divisionIn = (operand: AnyNode | undefined): AnyNode | undefined => {
        const e = bare(operand);
        if (e && isDivision(e)) return e;
        if (e?.nodeType === 'Identifier') return divided.get(e.referencedDeclaration as number);
        return undefined;
      };
      walk(code, (n) => {
        let pairs: [AnyNode | undefined, AnyNode | undefined][] = [];
        if (n.nodeType === 'BinaryOperation' && n.operator === '*' && isInteger(n)) {
          const [l, r] = [n.leftExpression as AnyNode, n.rightExpression as AnyNode];
          pairs = [
            [l, r],
            [r, l],
          ];
        } else if (n.nodeType === 'Assignment' && n.operator === '*=' && isInteger(n)) {
          pairs = [[n.leftHandSide as AnyNode, n.rightHandSide as AnyNode]];
        }
        for (const [operand, other] of pairs) {
          const division = divisionIn(operand);
          if (!division) continue;
          if (same(division.rightExpression as AnyNode, other)) continue; // rounding to a multiple on purpose
          if (deliberate(view, division, other)) continue;
          const via =
            bare(operand)?.nodeType === 'Identifier'
              ? ` (through ${(bare(operand) as { name?: string }).name})`
              : '';
          hits.push({
            node: n,
            within: fn,
            message: `${fn.name || 'the fallback'} divides before it multiplies${via}: the truncation of the division is multiplied too, so the result loses precision or rounds to 0 for small amounts.`,
          });
          break;
        }
        return undefined;
      });
    }
    return hits;
  },
};
