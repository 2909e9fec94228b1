/**
 * `scan-ecrecover-zero`: raw `ecrecover` returns `address(0)` for an invalid signature instead of reverting. When
 * its result is compared with an account that can itself be zero — a state variable never set (a signer left
 * unset by an initializer), a mapping entry that does not exist, a parameter the caller chooses (`permit(owner =
 * address(0), …)`) — a garbage signature passes. Reported when neither the recovered address nor the compared
 * account is checked against zero in what the function executes. Comparisons with `msg.sender`, a constant, an
 * immutable or a literal are not reported (they cannot be zero at run time, or are fixed at deployment), nor is
 * OpenZeppelin's `ECDSA.recover`, which reverts on a zero result.
 */
import type { AnyNode, ContractView } from '../../ast.js';
import { walk } from '../../ast.js';
import { isZero } from '../../caller-flags.js';
import { type Callable, codeOf } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { identity, isMember, type SignatureSite, signatureSites } from './signature-sites.js';

/** The places the recovered address shows up: the call itself, the local it is stored in, calls of a helper returning it. */
function recoveredValues(
  ctx: { view: ContractView; own: Callable[] },
  site: SignatureSite,
): Array<{ node: AnyNode; within: Callable }> {
  const out: Array<{ node: AnyNode; within: Callable }> = [{ node: site.call, within: site.within }];
  let returned = false;
  walk(site.within.body, (n) => {
    if (n.nodeType === 'Return' && n.expression === site.call) returned = true;
    return undefined;
  });
  if (returned) {
    for (const c of ctx.own)
      walk(codeOf(c), (n) => {
        if (n.nodeType !== 'FunctionCall') return undefined;
        const t = callTarget(ctx.view, n, c);
        if ((t.kind === 'internal' || t.kind === 'library') && t.callee.id === site.within.id)
          out.push({ node: n, within: c });
        return undefined;
      });
  }
  return out;
}

function storedIn(within: Callable, value: AnyNode): number | undefined {
  let id: number | undefined;
  walk(within.body, (n) => {
    if (n.nodeType === 'VariableDeclarationStatement' && n.initialValue === value) {
      const [d] = (n.declarations as ({ id: number } | null)[]) ?? [];
      id = d?.id;
    }
    if (n.nodeType === 'Assignment' && n.rightHandSide === value) {
      const l = n.leftHandSide as AnyNode;
      if (l.nodeType === 'Identifier') id = l.referencedDeclaration as number;
    }
    return undefined;
  });
  return id;
}

/** Can `expr` be address(0) at run time: not a literal, `msg.sender`, `address(this)`, a constant or an immutable. */
function canBeZero(view: ContractView, expr: AnyNode): boolean {
  let e = expr;
  while (e.nodeType === 'FunctionCall' && e.kind === 'typeConversion')
    e = (e.arguments as AnyNode[])[0] as AnyNode;
  if (e.nodeType === 'Literal' || isMember(e, 'msg', 'sender')) return false;
  if (e.nodeType === 'Identifier') {
    const name = (e as { name?: string }).name;
    if (name === 'this') return false;
    const d = view.byId.get(e.referencedDeclaration as number) as
      | { constant?: boolean; mutability?: string }
      | undefined;
    if (d?.constant || d?.mutability === 'immutable') return false;
  }
  return true;
}

export const ecrecoverZero: ScanDetector = {
  id: 'scan-ecrecover-zero',
  confidence: 'high',
  run(ctx) {
    const { view } = ctx;
    const hits: ScanHit[] = [];
    for (const site of signatureSites(ctx)) {
      if (!site.raw || site.entries.length === 0) continue;
      const recovered = new Set<string>();
      const compared: AnyNode[] = [];
      const values = recoveredValues(ctx, site);
      const isRecovered = (n: AnyNode) =>
        values.some((v) => v.node === n) || recovered.has(identity(view, n) ?? '');
      for (const v of values) {
        const local = storedIn(v.within, v.node);
        if (local !== undefined) recovered.add(`d${local}`);
      }
      for (const v of values)
        walk(codeOf(v.within), (n) => {
          if (n.nodeType !== 'BinaryOperation' || (n.operator !== '==' && n.operator !== '!='))
            return undefined;
          const [l, r] = [n.leftExpression as AnyNode, n.rightExpression as AnyNode];
          if (isRecovered(l) && !isZero(r) && canBeZero(view, r)) compared.push(r);
          if (isRecovered(r) && !isZero(l) && canBeZero(view, l)) compared.push(l);
          return undefined;
        });
      if (compared.length === 0) continue;
      const comparedIds = new Set(compared.map((c) => identity(view, c)).filter((x): x is string => !!x));
      const code = site.entries.flatMap((e) => e.code);
      let zeroChecked = false;
      for (const c of [...code, ...values.map((v) => v.within)])
        walk(codeOf(c), (n) => {
          if (n.nodeType !== 'BinaryOperation' || (n.operator !== '==' && n.operator !== '!='))
            return undefined;
          const [l, r] = [n.leftExpression as AnyNode, n.rightExpression as AnyNode];
          const other = isZero(r) ? l : isZero(l) ? r : undefined;
          if (other && (isRecovered(other) || comparedIds.has(identity(view, other) ?? '')))
            zeroChecked = true;
          return undefined;
        });
      if (zeroChecked) continue;
      hits.push({
        node: site.call,
        within: site.within,
        message: `${site.within.name} compares the result of ecrecover with an account that can be address(0) and never rules zero out: ecrecover returns address(0) for an invalid signature, so a garbage signature passes while that account is unset or chosen by the caller.`,
      });
    }
    return hits;
  },
};
