/**
 * `scan-reentrancy-read-only`: a view that prices something (its name says so: `get_virtual_price`, `getRate`,
 * `totalAssets`, `convertToAssets`, `pricePerShare`, a price, rate or ratio) returns a value computed from
 * state that a state-changing function anyone can call leaves half-updated while it makes a call that can
 * re-enter (trace.ts): the state is written only after the call. During that call the callee can ask another
 * protocol to read the view, and it sees a wrong price — the Curve and Balancer read-only
 * reentrancy of 2022–2023 (dForce, Midas, Sentiment, Conic lent against an inflated LP price read from inside
 * the pool's ether callback). A lock on the state-changing function does not help by itself: the view is not
 * under it. The hit is on the call.
 *
 * Not reported: a view that checks the lock (OpenZeppelin's `_reentrancyGuardEntered()` or `nonReentrantView`
 * while the state-changing function holds `nonReentrant`, or a hand-written lock flag the function sets), state
 * written before the call (checks-effects-interactions), views not named for a price, access-guarded
 * functions, calls that cannot re-enter (ERC-20 transfers, `transfer`/`send`), calls to a contract the team
 * fixed (a state variable) that pass nothing of the caller's (an oracle's `update()`), and token or ether
 * balances that move after the call (a flash loan lends before its callback and is repaid in it by design: the
 * balance is not booked state).
 * The consumer side too, at `medium` and low confidence: a function anyone can call that reads a Curve or
 * Balancer pool's price (`get_virtual_price`, `lp_price`, `getPoolTokens`) without the pool's reentrancy probe.
 * Known limits: a pool that prices from `balanceOf(this)` and moves tokens after its callback is a miss; a
 * consumer of any other price view (an ERC-4626 `convertToAssets`, a `getRate`) is not judged.
 */
import { type AnyNode, type Callable, type ContractView, functionLabel, walk } from '../../ast.js';
import { codeOf, reachable } from '../../callgraph.js';
import { callTarget } from '../../calls.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { ETHER, type Key, keyName, openEntries, TOKENS, type Trace, traceOf } from '../trace.js';
import { isMsg } from './privileged-state.js';
import { argsOf, calledName, calleeOf } from './token-math.js';

/** A view whose result is a price: how much one unit, one share or one LP token is worth. */
const PRICING =
  /price|rate|ratio|virtual|totalAssets|convertTo|previewRedeem|previewWithdraw|perShare|exchange/i;

/**
 * The state a lock is made of, seen in the trace: checked and written before the first call and written again
 * after the last (`require(!locked); locked = true; … ; locked = false`, OpenZeppelin's `_status`).
 */
function lockKeys(trace: Trace): Set<Key> {
  const calls = trace.events.flatMap((e, i) => (e.kind === 'call' ? [i] : []));
  const first = calls[0];
  const last = calls.at(-1);
  if (first === undefined || last === undefined) return new Set();
  const before = trace.events.slice(0, first);
  const checked = new Set(before.flatMap((e) => (e.kind === 'read' && e.use === 'check' ? [...e.keys] : [])));
  const setBefore = new Set(before.flatMap((e) => (e.kind === 'write' ? [e.key] : [])));
  const out = new Set<Key>();
  for (const e of trace.events.slice(last + 1))
    if (e.kind === 'write' && checked.has(e.key) && setBefore.has(e.key)) out.add(e.key);
  return out;
}

/**
 * A call in the team's code to a contract the team fixed (a state variable, immutable or constant) that passes
 * nothing of the caller's (no `msg.sender`, no parameter): an oracle's `update()`, a strategy's `harvest()`.
 * Such a callee is not the attacker and is not asked to pay the attacker, so nobody reads the price mid-call.
 */
function trustedCallee(view: ContractView, call: AnyNode, within: Callable): boolean {
  if (call.nodeType !== 'FunctionCall') return false;
  const callee = calleeOf(call);
  if (callee.nodeType !== 'MemberAccess') return false;
  let base = callee.expression as AnyNode;
  while (base.nodeType === 'FunctionCall' && base.kind === 'typeConversion')
    base = argsOf(base)[0] as AnyNode;
  const decl =
    base.nodeType === 'Identifier' ? view.byId.get(base.referencedDeclaration as number) : undefined;
  if (!(decl as { stateVariable?: boolean } | undefined)?.stateVariable) return false;
  const params = new Set(within.parameters.parameters.map((p) => p.id));
  let callers = false;
  walk([call.arguments, (call.expression as AnyNode).options], (n) => {
    if (
      isMsg(n, 'sender') ||
      calledName(n) === '_msgSender' ||
      (n.nodeType === 'Identifier' && params.has(n.referencedDeclaration as number))
    )
      callers = true;
    return callers ? 'skip' : undefined;
  });
  return !callers;
}

/** Does the view refuse to run while `lock` is held? */
function checksLock(view: Trace, writer: Trace, lock: Set<Key>): boolean {
  if (view.checksLock && writer.locked) return true;
  return view.events.some(
    (e) => e.kind === 'read' && e.use === 'check' && [...e.keys].some((k) => lock.has(k)),
  );
}

/** The pool views the 2022–2023 incidents read mid-call: Curve's virtual price, Balancer's pool balances. */
const POOL_PRICES = new Set(['get_virtual_price', 'lp_price', 'getPoolTokens']);
/**
 * What the pools tell integrators to call first — it reverts while the pool is mid-call: Curve's
 * `remove_liquidity(0, …)`/`withdraw_admin_fees()`, Balancer's `ensureNotInVaultContext`/`manageUserBalance([])`.
 */
const PROBES =
  /^(ensureNotInVaultContext|manageUserBalance|remove_liquidity|withdraw_admin_fees|claim_admin_fees|_?checkReentrancy)$/;

/**
 * The consumer side: a function anyone can call that reads a Curve or Balancer pool's price view (in its own
 * code, or a helper's) without first calling the pool's reentrancy probe. `medium`, confidence `low`: many pools
 * have no callback to read it from (no ether leg), which the consumer's code does not say.
 */
function consumerHits(view: ContractView, isOwn: (n: { src: string }) => boolean): ScanHit[] {
  const hits: ScanHit[] = [];
  const seen = new Set<number>();
  for (const { fn, readOnly } of openEntries(view)) {
    if (readOnly) continue;
    const code = reachable(view, [fn]);
    let probed = false;
    const reads: Array<{ node: AnyNode; within: Callable; name: string }> = [];
    for (const c of code)
      walk(codeOf(c), (n) => {
        if (n.nodeType !== 'FunctionCall') return undefined;
        const name = calledName(n) ?? '';
        if (PROBES.test(name)) probed = true;
        const t = callTarget(view, n, c);
        if (isOwn(c) && POOL_PRICES.has(name) && t.kind === 'external' && t.readOnly)
          reads.push({ node: n, within: c, name });
        return undefined;
      });
    if (probed) continue;
    for (const r of reads) {
      if (seen.has(r.node.id as number)) continue;
      seen.add(r.node.id as number);
      hits.push({
        node: r.node,
        within: r.within,
        severity: 'medium',
        confidence: 'low',
        detail: 'consumer',
        message: `${functionLabel(fn)} reads ${r.name}() of another pool (line ${view.lineOf(r.node)}) as a price without first calling the pool's reentrancy check: read from inside the pool's ether callback it is inflated, and what ${functionLabel(fn)} lends or pays against it is drained (Midas, dForce, Sentiment, 2022–2023). Call the pool's probe first (Curve: remove_liquidity(0, …) or withdraw_admin_fees(); Balancer: VaultReentrancyLib.ensureNotInVaultContext).`,
      });
    }
  }
  return hits;
}

export const reentrancyReadOnly: ScanDetector = {
  id: 'scan-reentrancy-read-only',
  confidence: 'medium',
  run({ view, isOwn }) {
    const entries = openEntries(view);
    const prices = entries
      .filter((e) => e.readOnly && PRICING.test(e.fn.name))
      .map((e) => ({ fn: e.fn, trace: traceOf(view, e.fn, isOwn) }))
      .filter((v) => v.trace.returns.size > 0);
    const hits: ScanHit[] = consumerHits(view, isOwn);
    if (prices.length === 0) return hits;
    const seen = new Set<number>();
    for (const { fn, readOnly } of entries) {
      if (readOnly) continue;
      const trace = traceOf(view, fn, isOwn);
      const lock = lockKeys(trace);
      trace.events.forEach((call, i) => {
        if (call.kind !== 'call' || !call.at || seen.has(call.at.node.id as number)) return;
        if (call.at.node === call.node && trustedCallee(view, call.node, call.at.within)) return;
        const pending = new Set<Key>();
        for (const e of trace.events.slice(i + 1))
          if (e.kind === 'write' && e.key !== TOKENS && e.key !== ETHER && !lock.has(e.key))
            pending.add(e.key);
        const stale = new Set<Key>();
        const readers: string[] = [];
        for (const p of prices) {
          if (checksLock(p.trace, trace, lock)) continue;
          const keys = [...p.trace.returns].filter((k) => pending.has(k));
          if (keys.length === 0) continue;
          readers.push(functionLabel(p.fn));
          for (const k of keys) stale.add(k);
        }
        if (readers.length === 0) return;
        seen.add(call.at.node.id as number);
        const what = [...stale].map((k) => keyName(view, k)).join(', ');
        hits.push({
          node: call.at.node,
          within: call.at.within,
          detail: readers.join(','),
          message: `${functionLabel(fn)} makes ${call.label} (line ${view.lineOf(call.node)}) before it updates ${what}, and ${readers.join(', ')} ${readers.length > 1 ? 'price' : 'prices'} from ${stale.size > 1 ? 'them' : 'it'} without checking the reentrancy lock: a protocol that reads ${readers.length > 1 ? 'them' : 'it'} from inside the call sees a wrong price and lends or pays against it (Curve/Balancer read-only reentrancy: dForce, Midas, Sentiment, Conic).`,
        });
      });
    }
    return hits;
  },
};
