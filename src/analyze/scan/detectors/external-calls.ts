/** The calls a detector of swaps and liquidity reads: to another contract, able to change its state. */
import { type AnyNode, type Callable, type ContractView, walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import { callTarget } from '../../calls.js';

/** Every call in `fns` to another contract that is not a view or pure function, with the function making it. */
export function externalWriteCalls(
  view: ContractView,
  fns: readonly Callable[],
): { call: AnyNode; within: Callable }[] {
  const out: { call: AnyNode; within: Callable }[] = [];
  for (const within of fns) {
    walk(codeOf(within), (n) => {
      if (n.nodeType !== 'FunctionCall' || n.kind === 'typeConversion') return undefined;
      const target = callTarget(view, n, within);
      if (target.kind === 'external' && !target.readOnly) out.push({ call: n, within });
      return undefined;
    });
  }
  return out;
}
