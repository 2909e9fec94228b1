/**
 * `scan-erc4626-inflation`: a vault whose share price an attacker can inflate by donating to it before (or
 * right after) the first deposit, so that the next depositor's shares round down to nothing.
 *
 * - Own share math: a division (or `mulDiv`) that turns assets into shares, or shares into assets, with the
 *   vault's own token balance (`balanceOf(address(this))`, directly or through a helper such as `totalAssets()`
 *   or `getCash()`) in the denominator and the share supply on either side, without a virtual offset
 *   (`totalSupply() + 10 ** offset`, `totalAssets() + 1`) and without dead shares minted to an unreachable
 *   address. The shapes of Sonne, Hundred and Onyx (Compound forks' empty markets) and ResupplyFi. Severity high.
 * - OpenZeppelin's ERC4626 with `_decimalsOffset()` left at 0, `totalAssets()` still read from the balance and no
 *   deposit in the constructor or initializer: OpenZeppelin's virtual share makes the attack cost the attacker
 *   at least what the victim loses, but a depositor can still be griefed out of a deposit smaller than the
 *   donation. Severity low.
 */
import type { FunctionDefinition } from 'solidity-ast';
import type { AnyNode, Callable, ContractView } from '../../ast.js';
import { resolveVirtual, walk } from '../../ast.js';
import { codeOf, initializerVersion } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { argsOf, calledName, mulDivParts, some, tracer, typeOf, unwrap } from './token-math.js';

/** `balanceOf(address(this))` on another contract: the vault's own holdings, which anyone can donate to. */
function ownBalance(view: ContractView, n: AnyNode, c: Callable): boolean {
  if (n.nodeType !== 'FunctionCall' || calledName(n) !== 'balanceOf') return false;
  if (callTarget(view, n, c).kind !== 'external') return false;
  const who = unwrap(argsOf(n)[0]);
  return who?.nodeType === 'Identifier' && (who as { name?: string }).name === 'this';
}

/** `totalSupply()` or a state variable named `totalSupply`/`_totalSupply`/`totalShares`. */
function supply(view: ContractView, n: AnyNode): boolean {
  if (n.nodeType === 'FunctionCall') return calledName(n) === 'totalSupply' && argsOf(n).length === 0;
  if (n.nodeType !== 'Identifier') return false;
  const decl = view.byId.get(n.referencedDeclaration as number);
  return (
    decl?.nodeType === 'VariableDeclaration' &&
    !!decl.stateVariable &&
    /^_?total(Supply|Shares)$/.test((decl as { name?: string }).name ?? '')
  );
}

/** `x + 1`, `totalSupply() + 10 ** offset`: a virtual amount added to a side of the share price. */
function virtualOffset(expr: unknown): boolean {
  return some(expr, (n) => {
    if (n.nodeType !== 'BinaryOperation' || n.operator !== '+') return false;
    const constant = (e: AnyNode) =>
      e.nodeType === 'Literal' || (e.nodeType === 'BinaryOperation' && e.operator === '**') || isConstant(e);
    return constant(n.leftExpression as AnyNode) || constant(n.rightExpression as AnyNode);
  });
}

function isConstant(e: AnyNode): boolean {
  return (
    e.nodeType === 'Identifier' &&
    typeof (e.typeDescriptions as { typeIdentifier?: string } | undefined)?.typeIdentifier === 'string' &&
    /^t_rational/.test((e.typeDescriptions as { typeIdentifier: string }).typeIdentifier)
  );
}

/** Shares minted to an address nobody controls (`_mint(address(0xdead), 1000)`): the first deposit's floor. */
function mintsDeadShares(own: readonly Callable[]): boolean {
  return own.some((c) =>
    some(codeOf(c), (n) => {
      if (n.nodeType !== 'FunctionCall' || calledName(n) !== '_mint') return false;
      const to = argsOf(n)[0];
      return (
        to?.nodeType === 'FunctionCall' &&
        to.kind === 'typeConversion' &&
        argsOf(to)[0]?.nodeType === 'Literal'
      );
    }),
  );
}

const OZ_VAULTS = /^ERC4626(Upgradeable)?$/;

function fromOz(view: ContractView, node: { id: number }): boolean {
  const owner = view.ownerOf.get(node.id);
  return !!owner && view.fileOfNode(owner).startsWith('@openzeppelin/');
}

/** OpenZeppelin's ERC4626 left with no decimals offset, the balance as totalAssets and no seeding deposit. */
function ozDefault(view: ContractView, own: readonly Callable[]): ScanHit | undefined {
  const base = view.linearized.find(
    (c) => OZ_VAULTS.test(c.name) && view.fileOfNode(c).startsWith('@openzeppelin/'),
  );
  if (!base) return undefined;
  const resolved = (name: string) => {
    const decl = base.nodes.find(
      (n): n is FunctionDefinition => n.nodeType === 'FunctionDefinition' && n.name === name,
    );
    return decl ? resolveVirtual(view, decl) : undefined;
  };
  const offset = resolved('_decimalsOffset');
  if (!offset || !fromOz(view, offset)) return undefined;
  const total = resolved('totalAssets');
  const balances = tracer(view, (n, c) => ownBalance(view, n, c));
  if (total && !fromOz(view, total) && !some(total.body, (n) => balances.holds(n, total))) return undefined;
  const setup = own.filter(
    (c): c is FunctionDefinition =>
      c.nodeType === 'FunctionDefinition' &&
      (c.kind === 'constructor' || initializerVersion(view, c) !== undefined),
  );
  const seeds = (n: AnyNode) =>
    n.nodeType === 'FunctionCall' && ['deposit', 'mint', '_mint', '_deposit'].includes(calledName(n) ?? '');
  if (setup.some((c) => some(codeOf(c), seeds))) return undefined;
  for (const c of setup) {
    const init = c.modifiers?.find((m) => OZ_VAULTS.test(m.modifierName.name));
    let at: AnyNode | undefined = init as unknown as AnyNode | undefined;
    walk(c.body, (n) => {
      if (!at && n.nodeType === 'FunctionCall' && /^__ERC4626(_unchained)?_init$/.test(calledName(n) ?? ''))
        at = n;
      return undefined;
    });
    if (at) {
      return {
        node: at,
        within: c,
        severity: 'low',
        message: `${view.def.name} uses OpenZeppelin's ERC4626 with _decimalsOffset() = 0 and no deposit when ${c.kind === 'constructor' ? 'deployed' : 'initialized'}: a donation before the first deposit makes a smaller deposit round to 0 shares (OpenZeppelin's virtual share makes the attacker lose at least as much: griefing, not theft).`,
      };
    }
  }
  return undefined;
}

export const erc4626Inflation: ScanDetector = {
  id: 'scan-erc4626-inflation',
  confidence: 'medium',
  run({ view, own }) {
    const hits: ScanHit[] = [];
    const oz = ozDefault(view, own);
    if (oz) hits.push(oz);
    if (mintsDeadShares(own)) return hits;
    const balances = tracer(view, (n, c) => ownBalance(view, n, c));
    const supplies = tracer(view, (n) => supply(view, n));
    for (const fn of own) {
      walk(codeOf(fn), (n) => {
        let num: AnyNode[] = [];
        let den: AnyNode | undefined;
        if (n.nodeType === 'BinaryOperation' && n.operator === '/') {
          num = [n.leftExpression as AnyNode];
          den = n.rightExpression as AnyNode;
        } else {
          const parts = mulDivParts(n);
          num = parts?.factors ?? [];
          den = parts?.divisor;
        }
        if (!den || !/^uint/.test(typeOf(n))) return undefined;
        if (!balances.holds(den, fn)) return undefined;
        if (!supplies.holds(den, fn) && !num.some((x) => supplies.holds(x, fn))) return undefined;
        if (virtualOffset(n)) return undefined;
        hits.push({
          node: n,
          within: fn,
          message: `${fn.name || fn.nodeType} prices shares from the vault's own token balance (${calledName(den) ?? 'balanceOf(address(this))'}) with no virtual offset or dead shares: a donation to the empty vault inflates the share price so the next deposit rounds to 0 shares and the donor takes it (Sonne, Hundred, Onyx, ResupplyFi).`,
        });
        return 'skip';
      });
    }
    return hits;
  },
};
