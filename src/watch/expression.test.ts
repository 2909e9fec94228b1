/**
 * OpenZeppelin Monitor's condition subset: literals of each kind against parameters of each type, bigints beyond
 * 2^53, parse errors naming the expression and the position, type errors found before any block is judged, and a
 * property test against a naive evaluator: AND binds tighter than OR, and parentheses group.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { checkExpression, evaluate, type Param, parseExpression } from './expression.js';

const TRANSFER: Param[] = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
];
const ALICE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const BOB = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

function run(source: string, params: Param[], args: unknown[]): boolean {
  const tree = parseExpression(source);
  checkExpression(source, tree, params, 'event Transfer(address,address,uint256)');
  return evaluate(tree, params, args);
}

describe('expression', () => {
  it('compares integers as bigints, beyond 2^53, in decimal or hex', () => {
    const big = 2n ** 200n + 1n;
    expect(run(`value > ${2n ** 200n}`, TRANSFER, [ALICE, BOB, big])).toBe(true);
    expect(run(`value > ${2n ** 200n + 1n}`, TRANSFER, [ALICE, BOB, big])).toBe(false);
    expect(run(`value >= ${big}`, TRANSFER, [ALICE, BOB, big])).toBe(true);
    expect(run('value == 0xff', TRANSFER, [ALICE, BOB, 255n])).toBe(true);
    expect(run('value <= 254', TRANSFER, [ALICE, BOB, 255n])).toBe(false);
    expect(run('value < 256', TRANSFER, [ALICE, BOB, 255n])).toBe(true);
    expect(run('value != 255', TRANSFER, [ALICE, BOB, 255n])).toBe(false);
    expect(run('$0 > -1', [{ type: 'int256' }], [-1n])).toBe(false);
    expect(run('$0 >= -1', [{ type: 'int256' }], [-1n])).toBe(true);
  });

  it('compares addresses case-insensitively, by name or by $index', () => {
    expect(run(`to == ${BOB.toLowerCase()}`, TRANSFER, [ALICE, BOB, 1n])).toBe(true);
    expect(run(`$1 == '${BOB.toUpperCase().replace('0X', '0x')}'`, TRANSFER, [ALICE, BOB, 1n])).toBe(true);
    expect(run(`from != ${ALICE}`, TRANSFER, [ALICE, BOB, 1n])).toBe(false);
  });

  it('compares strings, booleans and bytes', () => {
    const params: Param[] = [
      { name: 'label', type: 'string' },
      { name: 'ok', type: 'bool' },
      { name: 'role', type: 'bytes32' },
    ];
    const role = `0x${'ab'.repeat(32)}`;
    const args = ['pause all', true, role];
    expect(run('label == "pause all" AND ok == true', params, args)).toBe(true);
    expect(run("label == 'Pause all'", params, args)).toBe(false);
    expect(run('ok != false', params, args)).toBe(true);
    expect(run(`role == 0x${'AB'.repeat(32)}`, params, args)).toBe(true);
  });

  it('binds AND tighter than OR, and groups with parentheses', () => {
    const args = [ALICE, BOB, 5n];
    // false AND false OR true → true; false AND (false OR true) → false.
    expect(run('value > 10 AND value < 3 OR value == 5', TRANSFER, args)).toBe(true);
    expect(run('value > 10 AND (value < 3 OR value == 5)', TRANSFER, args)).toBe(false);
    expect(run('((value == 5))', TRANSFER, args)).toBe(true);
  });

  it('reports a parse error naming the expression and the position', async () => {
    const cases: Array<[string, string]> = [
      [
        'value >',
        'expression "value >": expected a literal (number, address, quoted string, true or false), found the end at position 7',
      ],
      [
        'value > 1 AND',
        'expression "value > 1 AND": expected a parameter (a name or $0, $1…), found the end at position 13',
      ],
      ['(value > 1', 'expression "(value > 1": expected ")", found the end at position 10'],
      [
        'value > 1 value < 2',
        'expression "value > 1 value < 2": expected AND, OR or the end, found "value" at position 10',
      ],
      [
        'to contains "0x"',
        'expression "to contains "0x"": expected a comparison (==, !=, >, >=, <, <=), found "contains" at position 3',
      ],
      ['value + 1 > 2', 'expression "value + 1 > 2": unexpected "+" at position 6'],
      ["label == 'open", `expression "label == 'open": unterminated string at position 9`],
      ['   ', 'expression "   ": empty expression at position 0'],
    ];
    for (const [source, message] of cases) {
      const e = await errorOf(() => parseExpression(source));
      expect(e.code).toBe('watch-expression-invalid');
      expect(e.shortMessage).toBe(message);
    }
  });

  it('refuses an unknown parameter or a literal of the wrong type before any block is judged', async () => {
    const check = (source: string) => () =>
      checkExpression(source, parseExpression(source), TRANSFER, 'event Transfer(address,address,uint256)');
    const cases: Array<[string, string]> = [
      [
        'amount > 1',
        'expression "amount > 1": event Transfer(address,address,uint256) has no parameter amount (it has: from, to, value) at position 0',
      ],
      [
        '$3 > 1',
        'expression "$3 > 1": event Transfer(address,address,uint256) has no parameter $3 (it has: from, to, value) at position 0',
      ],
      [
        'value > "big"',
        'expression "value > "big"": value (uint256): an integer parameter needs a number at position 0',
      ],
      [
        'value == 1 OR to > 5',
        'expression "value == 1 OR to > 5": to (address): > compares numbers only at position 14',
      ],
      [
        'to == 0x1234',
        'expression "to == 0x1234": to (address): an address parameter needs a 0x address (40 hex digits) at position 0',
      ],
    ];
    for (const [source, message] of cases) {
      const e = await errorOf(check(source));
      expect([e.code, e.shortMessage]).toEqual(['watch-expression-invalid', message]);
    }
  });
});

// ── Property: the parser agrees with a naive evaluator ────────────────────────────────────────────────────

type Tree =
  | { cmp: [number, '>' | '<' | '==' | '!=' | '>=' | '<=', number] }
  | { op: 'AND' | 'OR'; l: Tree; r: Tree };

const cmpArb = fc.record({
  cmp: fc.tuple(
    fc.integer({ min: 0, max: 2 }),
    fc.constantFrom('>', '<', '==', '!=', '>=', '<=' as const),
    fc.integer({ min: 0, max: 4 }),
  ),
}) as fc.Arbitrary<Tree>;

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    cmpArb,
    fc.record({
      op: fc.constantFrom('AND', 'OR' as const),
      l: tie('tree'),
      r: tie('tree'),
    }) as fc.Arbitrary<Tree>,
  ),
})).tree;

const PARAMS: Param[] = [
  { name: 'a', type: 'uint256' },
  { name: 'b', type: 'uint8' },
  { name: 'c', type: 'int256' },
];

function naive(t: Tree, args: bigint[]): boolean {
  if ('cmp' in t) {
    const [i, op, lit] = t.cmp;
    const v = args[i] as bigint;
    const n = BigInt(lit);
    return { '>': v > n, '<': v < n, '==': v === n, '!=': v !== n, '>=': v >= n, '<=': v <= n }[op];
  }
  return t.op === 'AND' ? naive(t.l, args) && naive(t.r, args) : naive(t.l, args) || naive(t.r, args);
}

/** Fully parenthesised, each parameter by name or by index at random (`pick`). */
function render(t: Tree, pick: boolean[]): string {
  if ('cmp' in t) {
    const [i, op, lit] = t.cmp;
    return `${pick[i] ? `$${i}` : PARAMS[i]?.name} ${op} ${lit}`;
  }
  return `(${render(t.l, pick)} ${t.op} ${render(t.r, pick)})`;
}

describe('expression (property)', () => {
  const argsArb = fc.tuple(fc.bigInt(0n, 5n), fc.bigInt(0n, 5n), fc.bigInt(0n, 5n));

  it('agrees with a naive evaluator on any parenthesised tree', () => {
    fc.assert(
      fc.property(
        treeArb,
        argsArb,
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (tree, args, pick) => {
          const source = render(tree, pick);
          const parsed = parseExpression(source);
          checkExpression(source, parsed, PARAMS, 'f');
          expect(evaluate(parsed, PARAMS, args)).toBe(naive(tree, args));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads a flat chain without parentheses as OR of AND-groups', () => {
    const chain = fc.array(fc.tuple(cmpArb, fc.constantFrom('AND', 'OR')), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(chain, argsArb, (items, args) => {
        const source = items
          .map(
            ([c, join], k) => `${render(c, [false, false, false])}${k < items.length - 1 ? ` ${join} ` : ''}`,
          )
          .join('');
        // Naive: split at OR, every comparison of a group must hold, some group must.
        const groups: Tree[][] = [[]];
        items.forEach(([c, join], k) => {
          groups[groups.length - 1]?.push(c);
          if (join === 'OR' && k < items.length - 1) groups.push([]);
        });
        const want = groups.some((g) => g.every((c) => naive(c, args)));
        expect(evaluate(parseExpression(source), PARAMS, args)).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
});
