/**
 * Judging each event of the history against the log: a change in the deployment transaction is *initial*; a
 * change in a transaction that the log's executed entry for a patch of this chain and proxy names is
 * *authorized* (an `Upgraded` must also install that patch's implementation); anything else is
 * *unexplained*. PatchGate's own events are *attested* records, checked against the log separately.
 */
import { type Address, type Hex, zeroAddress } from 'viem';
import type { Finding } from '../core/finding.js';
import { byPosition, type ChainEvent } from './events.js';
import { auditFinding } from './findings.js';
import type { AuditLog, Execution, Proposed } from './log.js';
import type { Deployment } from './state.js';

export type Status = 'initial' | 'authorized' | 'unexplained' | 'attested';

export interface HistoryItem extends ChainEvent {
  /** The transaction's sender. */
  sender: Address;
  /** The block's time, ISO 8601 UTC. */
  time?: string;
  status: Status;
  /** Authorized: the digest of the patch whose executed entry names this transaction. */
  patch?: Hex;
  /** Why it has this status, in one sentence. */
  reason: string;
}

export interface Context {
  proxy: Address;
  chainId: number;
  deployment?: Deployment;
  /** The verified log; undefined without --log or when the export failed verification. */
  log?: AuditLog;
  /** Why there is no log to read ('no --log given', 'the log failed verification'). */
  noLog?: string;
}

const same = (a: string | undefined, b: string | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** The logged executions of patches for this chain and proxy in transaction `tx`. */
export function executionsIn(ctx: Context, tx: Hex): { execution: Execution; proposal?: Proposed }[] {
  if (!ctx.log) return [];
  const log = ctx.log;
  return log.executions
    .filter((x) => same(x.txHash, tx))
    .map((execution) => ({ execution, proposal: log.proposals.get(execution.digest) }));
}

export const ofThisProxy = (ctx: Context, p: Proposed | undefined): p is Proposed =>
  !!p && p.chainId === ctx.chainId && same(p.proxy, ctx.proxy);

function isInitial(ctx: Context, e: ChainEvent, first: ChainEvent | undefined): boolean {
  if (!ctx.deployment || !first) return false;
  return e.txHash === ctx.deployment.txHash || byPosition(e, first) < 0;
}

function unexplainedReason(ctx: Context, e: ChainEvent): string {
  if (!ctx.log) return ctx.noLog ?? 'no log given';
  const found = executionsIn(ctx, e.txHash);
  if (found.length === 0) {
    const claimed = ctx.log.unsignedExecutions.filter((x) => same(x.txHash, e.txHash));
    if (claimed.length === 0) return 'no executed entry of the log has this transaction';
    const at = claimed.map((x) => x.index).join(', ');
    return `no entry the signed head commits to has this transaction; only unsigned entry ${at} after the head (size ${ctx.log.head.size}) claims it, and no head vouches for that`;
  }
  const mine = found.filter((f) => ofThisProxy(ctx, f.proposal));
  if (mine.length === 0) {
    const digests = found.map((f) => f.execution.digest).join(', ');
    return `the log executed patch ${digests} in this transaction, but no patch-proposed entry puts it on chain ${ctx.chainId} for this proxy`;
  }
  const approved = mine.map((m) => `${m.execution.digest} approved ${m.proposal?.implementation}`).join('; ');
  return `the log's patch executed in this transaction installs another implementation (${approved})`;
}

/** One event judged against the log (gate events are attested records, not changes). */
function judge(
  ctx: Context,
  e: ChainEvent,
  first: ChainEvent | undefined,
): Pick<HistoryItem, 'status' | 'patch' | 'reason'> {
  if (e.emitter === 'gate') return { status: 'attested', reason: `PatchGate executed patch ${e.digest}` };
  if (isInitial(ctx, e, first)) {
    const reason =
      e.txHash === ctx.deployment?.txHash
        ? 'part of the proxy deployment'
        : 'set up before the proxy was deployed';
    return { status: 'initial', reason };
  }
  const mine = executionsIn(ctx, e.txHash).filter((f) => ofThisProxy(ctx, f.proposal));
  const match =
    e.event === 'Upgraded' ? mine.find((m) => same(m.proposal?.implementation, e.implementation)) : mine[0];
  if (match) {
    const { digest, index } = match.execution;
    return { status: 'authorized', patch: digest, reason: `executed entry ${index} of patch ${digest}` };
  }
  return { status: 'unexplained', reason: unexplainedReason(ctx, e) };
}

/**
 * Events of a ProxyAdmin or beacon count while it holds the proxy's rights: from the event that installed it
 * (or the start, for one that was never installed in range) to the one that replaced it. Set-up before the
 * deployment always counts (it is initial).
 */
function relevant(events: readonly ChainEvent[], first: ChainEvent | undefined): ChainEvent[] {
  const windows = new Map<Address, { from?: ChainEvent; to?: ChainEvent }>();
  const held: { admin?: Address; beacon?: Address } = {};
  const swap = (
    role: 'admin' | 'beacon',
    previous: Address | undefined,
    next: Address | undefined,
    at: ChainEvent,
  ) => {
    if (previous && previous !== zeroAddress) windows.set(previous, { ...windows.get(previous), to: at });
    if (next && next !== zeroAddress) windows.set(next, { from: at });
    held[role] = next;
  };
  for (const e of events) {
    if (e.emitter !== 'proxy') continue;
    if (e.event === 'AdminChanged') swap('admin', e.previous ?? held.admin, e.next, e);
    if (e.event === 'BeaconUpgraded') swap('beacon', held.beacon, e.beacon, e);
  }
  return events.filter((e) => {
    if (e.emitter !== 'proxy-admin' && e.emitter !== 'beacon') return true;
    if (first && (e.txHash === first.txHash || byPosition(e, first) < 0)) return true;
    const w = windows.get(e.address);
    return !w || ((!w.from || byPosition(w.from, e) <= 0) && (!w.to || byPosition(e, w.to) < 0));
  });
}

/** The history, oldest first, each event judged; the first proxy event marks the deployment. */
export function classify(
  ctx: Context,
  events: readonly ChainEvent[],
  senders: ReadonlyMap<Hex, Address>,
  times: ReadonlyMap<bigint, string>,
): HistoryItem[] {
  const sorted = [...events].sort(byPosition);
  const first = ctx.deployment ? sorted.find((e) => e.txHash === ctx.deployment?.txHash) : undefined;
  return relevant(sorted, first).map((e) => ({
    ...e,
    sender: senders.get(e.txHash) ?? zeroAddress,
    ...(times.has(e.blockNumber) ? { time: times.get(e.blockNumber) } : {}),
    ...judge(ctx, e, first),
  }));
}

function subject(h: HistoryItem): string {
  const where =
    h.emitter === 'proxy' ? '' : ` of ${h.emitter === 'beacon' ? 'beacon' : 'ProxyAdmin'} ${h.address}`;
  if (h.event === 'Upgraded') return `Upgraded(${h.implementation})${where}`;
  if (h.event === 'BeaconUpgraded') return `BeaconUpgraded(${h.beacon})`;
  return `${h.event}(${h.previous} → ${h.next})${where}`;
}

/** One blocking finding per unexplained change, naming block, transaction, sender and what changed. */
export function unexplainedFindings(
  history: readonly HistoryItem[],
  gate: readonly HistoryItem[],
): Finding[] {
  return history
    .filter((h) => h.status === 'unexplained')
    .map((h) => {
      const attested = gate.find((g) => g.txHash === h.txHash);
      const note = attested ? ` (PatchGate attests patch ${attested.digest} in this transaction)` : '';
      const id =
        h.event === 'Upgraded' || h.event === 'BeaconUpgraded'
          ? 'audit-unexplained-upgrade'
          : 'audit-unexplained-admin-change';
      const message = `block ${h.blockNumber}: ${subject(h)} in tx ${h.txHash}, sent by ${h.sender}: ${h.reason}${note}`;
      return auditFinding(id, message, `${h.txHash}:${h.logIndex}`);
    });
}
