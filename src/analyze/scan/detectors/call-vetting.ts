/**
 * What vets a value the caller chose, for call-sites.ts: a pass condition (`require`, `if (…) revert`, a branch
 * guard) that checks it against something the caller does not choose — an allow-list lookup, a comparison with
 * a stored or constant address, a call that looks it up in state, the recovered signer of a signature — and a
 * comparison that authenticates the caller. Checks are matched to a call by the declarations the value is
 * computed from (in the same function) or by the name it is passed down under (in a caller or modifier).
 */
import type { AnyNode, ContractView } from '../../ast.js';
import { walk } from '../../ast.js';
import { CALLER, flagsOf, INPUT, isZero } from '../../caller-flags.js';
import { type Callable, type NodeFrame, reachable } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import { stateAccess } from '../../state-access.js';
import { argsOf, calledName, calleeOf, typeOf } from './token-math.js';

const isAddress = (e: AnyNode) => /^(address( payable)?|contract .+)$/.test(typeOf(e));

const isRevert = (s: AnyNode | undefined) =>
  s?.nodeType === 'RevertStatement' ||
  (s?.nodeType === 'ExpressionStatement' &&
    ((s.expression as AnyNode).expression as { name?: string } | undefined)?.name === 'revert');

/** A branch that reverts as it stands (`revert …;`, or a block with a `revert` of its own, not a nested one). */
export function reverts(body: AnyNode | undefined): boolean {
  if (!body) return false;
  if (body.nodeType === 'Block') return ((body.statements as AnyNode[]) ?? []).some(isRevert);
  return isRevert(body);
}

/** Declaration ids an expression depends on, through the locals of `within` it is computed from. */
export function rootsOf(within: Callable, expr: AnyNode): Set<number> {
  const sources = new Map<number, Set<number>>();
  const idsIn = (e: unknown) => {
    const out = new Set<number>();
    walk(e, (n) => {
      if (n.nodeType === 'Identifier' && typeof n.referencedDeclaration === 'number')
        out.add(n.referencedDeclaration);
      return undefined;
    });
    return out;
  };
  const add = (id: number, from: Set<number>) => {
    const s = sources.get(id) ?? new Set<number>();
    for (const x of from) s.add(x);
    sources.set(id, s);
  };
  walk(within.body, (n) => {
    if (n.nodeType === 'VariableDeclarationStatement' && n.initialValue) {
      const from = idsIn(n.initialValue);
      for (const d of (n.declarations as ({ id: number } | null)[]) ?? []) if (d) add(d.id, from);
    }
    if (n.nodeType === 'Assignment') {
      const from = idsIn(n.rightHandSide);
      for (const id of idsIn(n.leftHandSide)) add(id, from);
    }
    return undefined;
  });
  const out = idsIn(expr);
  const stack = [...out];
  while (stack.length > 0) {
    for (const s of sources.get(stack.pop() as number) ?? [])
      if (!out.has(s)) {
        out.add(s);
        stack.push(s);
      }
  }
  return out;
}

export interface Check {
  within: Callable;
  roots: Set<number>;
  path?: string;
}

/**
 * A name for the value an expression reads, the same in a helper as in its caller when the value is passed
 * down: the member chain (`swap.callTo` → `callTo`, indexes dropped) or the variable's name (`router`).
 */
export function pathOf(e: AnyNode): string | undefined {
  const members: string[] = [];
  let x = e;
  while (x.nodeType === 'MemberAccess' || x.nodeType === 'IndexAccess') {
    if (x.nodeType === 'MemberAccess') members.unshift(x.memberName as string);
    x = (x.nodeType === 'MemberAccess' ? x.expression : x.baseExpression) as AnyNode;
  }
  if (x.nodeType !== 'Identifier') return undefined;
  return members.length > 0 ? members.join('.') : (x as { name?: string }).name;
}

export const checkOf = (within: Callable, e: AnyNode): Check => ({
  within,
  roots: rootsOf(within, e),
  path: pathOf(e),
});

/** What a pass condition checks against something the caller does not choose: the chosen values it vets. */
export function vetted(
  view: ContractView,
  frame: NodeFrame,
  expr: AnyNode | undefined,
  positive: boolean,
  out: AnyNode[],
  caller: { seen: boolean },
): void {
  if (!expr) return;
  const flags = (e: AnyNode) => flagsOf(view, frame.callable, frame.env, e);
  if (expr.nodeType === 'TupleExpression') {
    const c = (expr.components as (AnyNode | null)[]) ?? [];
    if (c.length === 1) vetted(view, frame, c[0] ?? undefined, positive, out, caller);
    return;
  }
  if (expr.nodeType === 'UnaryOperation' && expr.operator === '!') {
    vetted(view, frame, expr.subExpression as AnyNode, !positive, out, caller);
    return;
  }
  if (expr.nodeType === 'BinaryOperation') {
    const l = expr.leftExpression as AnyNode;
    const r = expr.rightExpression as AnyNode;
    const op = expr.operator as string;
    if (op === '&&' || op === '||') {
      vetted(view, frame, l, positive, out, caller);
      vetted(view, frame, r, positive, out, caller);
      return;
    }
    for (const side of [l, r]) fromLookup(view, frame, side, out);
    if ((op === '==' && positive) || (op === '!=' && !positive)) {
      for (const [a, b] of [
        [l, r],
        [r, l],
      ] as const) {
        const fa = flags(a);
        const fb = flags(b);
        if (fa === CALLER && !(fb & CALLER) && !isZero(b)) caller.seen = true;
        if (isAddress(a) && fa & INPUT && (!(fb & INPUT) || recovered(frame.callable, b)) && !isZero(b))
          out.push(a);
      }
    }
    return;
  }
  fromLookup(view, frame, expr, out);
  if (!positive) return;
  if (expr.nodeType === 'IndexAccess') {
    const base = expr.baseExpression as AnyNode;
    const index = expr.indexExpression as AnyNode | undefined;
    if (index && typeOf(base).startsWith('mapping(') && flags(index) & INPUT) out.push(index);
    return;
  }
  if (expr.nodeType === 'FunctionCall' && typeOf(expr) === 'bool') lookupArgs(view, frame, expr, out);
}

/**
 * A call that looks the chosen address up in state (a registry, a set, a mapping behind a helper — not
 * `_isContract(t)`), or checks a signature by it: its chosen address arguments are vetted.
 */
function lookupArgs(view: ContractView, frame: NodeFrame, call: AnyNode, out: AnyNode[]): void {
  if (call.kind === 'typeConversion') return;
  const t = callTarget(view, call, frame.callable);
  const args = argsOf(call);
  const callee = calleeOf(call);
  const base = callee.nodeType === 'MemberAccess' ? [callee.expression as AnyNode] : [];
  const consultsState =
    t.kind === 'external' ||
    [...base, ...args].some((a) => / storage\b/.test(typeOf(a))) ||
    ((t.kind === 'internal' || t.kind === 'library') &&
      reachable(view, [t.callee]).some((c) => stateAccess(view, c).reads.size > 0));
  const signed = /^isValidSignature/.test(calledName(call) ?? '');
  if (!consultsState && !signed) return;
  for (const a of [...base, ...args])
    if (isAddress(a) && flagsOf(view, frame.callable, frame.env, a) & INPUT) out.push(a);
}

/** A local set from such a lookup (`(bool immediate, uint32 delay) = _canCall(caller, target, data)`). */
function fromLookup(view: ContractView, frame: NodeFrame, e: AnyNode, out: AnyNode[]): void {
  if (e.nodeType !== 'Identifier') return;
  walk(frame.callable.body, (n) => {
    if (
      n.nodeType === 'VariableDeclarationStatement' &&
      (n.initialValue as AnyNode | undefined)?.nodeType === 'FunctionCall' &&
      ((n.declarations as ({ id: number } | null)[]) ?? []).some((d) => d?.id === e.referencedDeclaration)
    )
      lookupArgs(view, frame, n.initialValue as AnyNode, out);
    return undefined;
  });
}

/**
 * Signature checks: an entry point that verifies one acts for a signer, who authorized the call (a wallet's
 * `execTransaction`, a forwarder's `execute`); the digest is often built and checked in helpers of their own.
 */
export const SIGNATURE_CHECKS =
  /^(ecrecover|recover|tryRecover|isValidSignature|isValidSignatureNow|isValidERC1271SignatureNow)$/;

const RECOVERS = /^(ecrecover|recover|tryRecover|_recover)$/;

/** A signer recovered from a signature: `ecrecover(…)`, `ECDSA.recover(…)`, or a local set to one. */
function recovered(within: Callable, e: AnyNode): boolean {
  if (e.nodeType === 'FunctionCall') return RECOVERS.test(calledName(e) ?? '');
  if (e.nodeType !== 'Identifier') return false;
  let found = false;
  walk(within.body, (n) => {
    if (
      n.nodeType === 'VariableDeclarationStatement' &&
      ((n.declarations as ({ id: number } | null)[]) ?? []).some((d) => d?.id === e.referencedDeclaration) &&
      n.initialValue
    )
      found ||= recovered(within, n.initialValue as AnyNode);
    return undefined;
  });
  return found;
}
