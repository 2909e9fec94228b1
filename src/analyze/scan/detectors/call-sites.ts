/**
 * Calls whose target or calldata the caller chooses, for `scan-arbitrary-call` and `scan-arbitrary-delegatecall`:
 * in code an entry point anyone can call runs (not access-guarded), a low-level `call`/`delegatecall` (or
 * OpenZeppelin's `Address.functionCall*`/`functionDelegateCall`) on a target that comes from the caller's input
 * (callgraph.ts follows the flags of parameters through helpers and modifiers), and an ERC-20/721 `transferFrom`
 * (or SafeERC20 `safeTransferFrom`) that pulls from an account the caller names.
 *
 * A site is left alone when the team's code checks the chosen value against something the caller does not
 * choose, in the same function (or in a modifier or caller, matched by the name the value is passed under): an allow list (`require(allowed[target])`, `if (!registry.isAllowed(t))
 * revert`, `if (allowed[target]) { … }`, `target == router`, a helper that looks it up), the recovered signer of
 * a signature, or, for `from`, `from == msg.sender`, an allowance spent, a permit, or a callback to `from` first
 * (ERC-3156's receiver agrees by returning). A check that authenticates the caller (`msg.sender == pool`, a
 * callback validated against the pool it came from) or verifies a signature anywhere covers the whole entry
 * point: the caller or the signer is the one who chose.
 */
import type { FunctionDefinition } from 'solidity-ast';
import type { AnyNode, ContractView } from '../../ast.js';
import { entryPoints, walk } from '../../ast.js';
import { CALLER, flagsOf, INPUT } from '../../caller-flags.js';
import { type Callable, codeOf, type NodeFrame, reachable, reachesNode } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import { openEntries } from '../trace.js';
import { type Check, checkOf, pathOf, reverts, rootsOf, SIGNATURE_CHECKS, vetted } from './call-vetting.js';
import { argsOf, calledName, calleeOf } from './token-math.js';

export interface CallSite {
  kind: 'call' | 'delegatecall' | 'pull';
  node: AnyNode;
  within: Callable;
  entry: FunctionDefinition;
  /** The chosen value (the target, or the account pulled from) as an expression. */
  chosen: AnyNode;
}

const ADDRESS_HELPERS: Record<string, 'call' | 'delegatecall'> = {
  functionCall: 'call',
  functionCallWithValue: 'call',
  functionDelegateCall: 'delegatecall',
};
const PULLS = new Set(['transferFrom', 'safeTransferFrom']);
/** Internal calls that authorize acting for their first argument (an allowance spent, a signed permit). */
const AUTHORIZES = /^(_spendAllowance|_checkAuthorized|_isAuthorized|_isApprovedOrOwner|permit|safePermit)$/;

function siteOf(
  view: ContractView,
  n: AnyNode,
  frame: NodeFrame,
): Omit<CallSite, 'entry' | 'within'> | undefined {
  const t = callTarget(view, n, frame.callable);
  const args = argsOf(n);
  const callee = calleeOf(n);
  const input = (e: AnyNode | undefined) =>
    !!e && (flagsOf(view, frame.callable, frame.env, e) & INPUT) !== 0;
  const chosenCall = (
    kind: 'call' | 'delegatecall',
    target: AnyNode | undefined,
    data: AnyNode | undefined,
  ) => {
    if (!target || !input(target)) return undefined;
    if (kind === 'call' && !rawCalldata(view, frame, data)) return undefined;
    return { kind, node: n, chosen: target };
  };
  if (t.kind === 'address' && (t.member === 'call' || t.member === 'delegatecall' || t.member === 'callcode'))
    return chosenCall(t.member === 'call' ? 'call' : 'delegatecall', callee.expression as AnyNode, args[0]);
  if (t.kind === 'internal' || t.kind === 'library') {
    const owner = view.ownerOf.get(t.callee.id)?.name;
    const bound =
      t.callee.parameters.parameters.length === args.length + 1 && callee.nodeType === 'MemberAccess';
    const all = bound ? [callee.expression as AnyNode, ...args] : args;
    const helper = ADDRESS_HELPERS[t.callee.name];
    if (owner === 'Address' && helper) return chosenCall(helper, all[0], all[1]);
    if (owner === 'SafeERC20' && t.callee.name === 'safeTransferFrom' && input(all[1]))
      return { kind: 'pull', node: n, chosen: all[1] as AnyNode };
    return undefined;
  }
  if (t.kind === 'external' && PULLS.has((callee.memberName as string) ?? '') && args.length >= 3) {
    const from = args[0] as AnyNode;
    if (input(from) && !(flagsOf(view, frame.callable, frame.env, from) & CALLER))
      return { kind: 'pull', node: n, chosen: from };
  }
  return undefined;
}

/**
 * Calldata whose selector the caller picks: the bytes themselves (a parameter, a member of one, decoded from
 * one), or `abi.encodeWithSelector/encodeWithSignature/encodePacked` led by a caller's value. Calldata the
 * contract builds around a fixed selector is not (the caller picks arguments, not the function).
 */
function rawCalldata(view: ContractView, frame: NodeFrame, data: AnyNode | undefined): boolean {
  if (!data) return false;
  const input = (e: AnyNode | undefined) =>
    !!e && (flagsOf(view, frame.callable, frame.env, e) & INPUT) !== 0;
  if (data.nodeType === 'FunctionCall') {
    const callee = calleeOf(data);
    const base = (callee.expression as { name?: string } | undefined)?.name;
    if (callee.nodeType === 'MemberAccess' && base === 'abi') {
      const member = callee.memberName as string;
      if (member === 'encode') return false;
      return input(argsOf(data)[0]);
    }
  }
  return input(data);
}

/** Token functions: a call to one of these is not the account agreeing to anything. */
const TOKEN_CALLS = /^(transfer|transferFrom|safeTransferFrom|approve|balanceOf|allowance|permit)$/;

/**
 * A typed call to a contract the caller names, which can refuse (an ERC-3156 `onFlashLoan` callback): a pull
 * from that same account afterwards is one it agreed to. Returns the called account.
 */
function consenting(view: ContractView, n: AnyNode, frame: NodeFrame): AnyNode | undefined {
  if (n.nodeType !== 'FunctionCall') return undefined;
  const t = callTarget(view, n, frame.callable);
  const callee = calleeOf(n);
  if (t.kind !== 'external' || t.readOnly || callee.nodeType !== 'MemberAccess') return undefined;
  if (TOKEN_CALLS.test(callee.memberName as string)) return undefined;
  const base = callee.expression as AnyNode;
  return flagsOf(view, frame.callable, frame.env, base) & INPUT ? base : undefined;
}

const CANDIDATES = new Set(['call', 'delegatecall', 'callcode', ...Object.keys(ADDRESS_HELPERS), ...PULLS]);

/** Does the team's code name any call this file judges? (Most contracts do not: the walk below is skipped.) */
function mentionsCandidate(view: ContractView, isOwn: (n: { src: string }) => boolean): boolean {
  let found = false;
  // Own libraries count (a LibSwap.swap that makes the call): what the entry points reach, not just the bases.
  for (const c of reachable(view, [...new Set(entryPoints(view).values())])) {
    if (found || !isOwn(c)) continue;
    walk(codeOf(c), (n) => {
      if (found) return 'skip';
      if (n.nodeType === 'FunctionCall' && CANDIDATES.has(calledName(n) ?? '')) found = true;
      return undefined;
    });
  }
  return found;
}

const cache = new WeakMap<ContractView, CallSite[]>();

/** Every call site in the team's code whose target (or pulled account) the caller chooses and nothing vets. */
export function chosenCallSites(view: ContractView, isOwn: (n: { src: string }) => boolean): CallSite[] {
  const cached = cache.get(view);
  if (cached) return cached;
  const out: CallSite[] = [];
  cache.set(view, out);
  if (!mentionsCandidate(view, isOwn)) return out;
  const seen = new Set<number>();
  for (const { fn, readOnly } of openEntries(view)) {
    if (readOnly) continue;
    const sites: CallSite[] = [];
    const checks: Check[] = [];
    const consents: Check[] = [];
    const caller = { seen: false };
    let signed = false;
    // What vets a site is worked out only for entry points that have one (most have none).
    const later: Array<() => void> = [];
    const vet = (frame: NodeFrame, cond: AnyNode | undefined, positive: boolean) =>
      later.push(() => {
        const found: AnyNode[] = [];
        vetted(view, frame, cond, positive, found, caller);
        // A dependency's checks are about its own job (a call's success), not an allow list the team keeps;
        // they still count when they authenticate the caller.
        if (isOwn(frame.callable)) for (const e of found) checks.push(checkOf(frame.callable, e));
      });
    reachesNode(view, fn, (n, frame) => {
      if (n.nodeType === 'IfStatement') {
        // `if (c) revert` passes on !c; `if (c) { … }` without a revert runs its branch on c (a branch guard:
        // `if (allowed[target]) target.call(data)`, the transparent proxy's `if (msg.sender == admin)`).
        if (reverts(n.trueBody as AnyNode)) vet(frame, n.condition as AnyNode, false);
        else vet(frame, n.condition as AnyNode, true);
      }
      if (n.nodeType !== 'FunctionCall') return false;
      const name = (calleeOf(n) as { name?: string; memberName?: string }).name ?? calleeOf(n).memberName;
      if (typeof name === 'string' && SIGNATURE_CHECKS.test(name)) signed = true;
      if (name === 'require' || name === 'assert') vet(frame, argsOf(n)[0], true);
      else if (typeof name === 'string' && AUTHORIZES.test(name)) {
        const first = argsOf(n)[0];
        if (first) later.push(() => checks.push(checkOf(frame.callable, first)));
      }
      later.push(() => {
        const called = consenting(view, n, frame);
        if (called) consents.push(checkOf(frame.callable, called));
      });
      if (!isOwn(frame.callable)) return false;
      const site = siteOf(view, n, frame);
      if (site) sites.push({ ...site, within: frame.callable, entry: fn });
      return false;
    });
    if (sites.length === 0 || signed) continue;
    for (const run of later) run();
    if (caller.seen) continue;
    for (const site of sites) {
      if (seen.has(site.node.id as number)) continue;
      const roots = rootsOf(site.within, site.chosen);
      const path = pathOf(site.chosen);
      const vets = site.kind === 'pull' ? [...checks, ...consents] : checks;
      // The same value checked in the same function, or one passed down to a helper (matched by its name).
      const ok = vets.some(
        (c) =>
          (c.within.id === site.within.id && [...c.roots].some((r) => roots.has(r))) ||
          (c.within.id !== site.within.id && path !== undefined && c.path === path),
      );
      if (ok) continue;
      seen.add(site.node.id as number);
      out.push(site);
    }
  }
  return out;
}
