/**
 * `scan-unchecked-erc20`: `token.transfer(...)`, `transferFrom(...)` or `approve(...)` on an ERC-20 (any contract
 * or interface whose function returns `bool`) with the returned bool dropped — an expression statement, or a
 * local that is never read. Tokens that signal failure by returning `false` (ZRX, BAT, many bridged tokens)
 * then "succeed": a deposit is credited without tokens arriving, a payout is recorded as paid. SafeERC20's
 * `safeTransfer`/`safeTransferFrom`/`forceApprove` are library calls and are not reported; neither is
 * `require(token.transfer(...))` (checked — though it reverts on tokens like USDT that return nothing, which
 * the docs mention: SafeERC20 handles both).
 */
import type { AnyNode, Callable, ContractView } from '../../ast.js';
import { walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { calledName, calleeOf, typeOf } from './token-math.js';

const TOKEN_FUNCTIONS = new Set(['transfer', 'transferFrom', 'approve']);

/** An external ERC-20-style call whose function returns exactly one bool. */
function tokenCall(view: ContractView, n: AnyNode, from: Callable): string | undefined {
  if (n.nodeType !== 'FunctionCall') return undefined;
  const name = calledName(n);
  if (!name || !TOKEN_FUNCTIONS.has(name)) return undefined;
  const target = callTarget(view, n, from);
  if (target.kind !== 'external') return undefined;
  if (!/ returns \(bool\)$/.test(typeOf(calleeOf(n)))) return undefined;
  return name;
}

export const uncheckedErc20: ScanDetector = {
  id: 'scan-unchecked-erc20',
  confidence: 'high',
  run(ctx) {
    const hits: ScanHit[] = [];
    for (const fn of ctx.own) {
      const code = codeOf(fn);
      const read = new Map<number, number>();
      walk(code, (n) => {
        if (n.nodeType === 'Identifier') {
          const ref = n.referencedDeclaration as number;
          read.set(ref, (read.get(ref) ?? 0) + 1);
        }
        return undefined;
      });
      walk(code, (n) => {
        let call: AnyNode | undefined;
        if (n.nodeType === 'ExpressionStatement') call = n.expression as AnyNode;
        else if (n.nodeType === 'VariableDeclarationStatement' && n.initialValue) {
          const decls = ((n.declarations as ({ id: number } | null)[]) ?? []).filter((d) => d !== null);
          if (decls.every((d) => !read.has(d.id))) call = n.initialValue as AnyNode;
        }
        const name = call && tokenCall(ctx.view, call, fn);
        if (!call || !name) return undefined;
        const token = (calleeOf(call).expression as AnyNode | undefined) ?? call;
        const what = typeOf(token).replace(/^contract /, '');
        hits.push({
          node: call,
          within: fn,
          message: `${fn.name || 'the fallback'} ignores the bool returned by ${what}.${name}: a token that returns false instead of reverting (ZRX, BAT, many bridged tokens) lets the ${name === 'transferFrom' ? 'deposit be credited without the tokens arriving' : name === 'approve' ? 'approval silently fail' : 'payout be recorded without the tokens leaving'}.`,
          ...(name === 'approve' ? { severity: 'medium' as const } : {}),
        });
        return 'skip';
      });
    }
    return hits;
  },
};
