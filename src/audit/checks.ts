/**
 * The checks beyond "is each change explained": the code of each authorized implementation still hashes to
 * the logged codehash; every logged execution of this proxy shows on chain; PatchGate's records agree with
 * the log; and the proxy's slots hold what the last events set (a slot written without an event is a silent
 * upgrade that event-based monitoring never sees).
 */
import { type Address, type Hex, keccak256, type PublicClient } from 'viem';
import type { ProxyState } from '../chain/proxy.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import type { Finding } from '../core/finding.js';
import { type Context, executionsIn, type HistoryItem, ofThisProxy } from './classify.js';
import { auditFinding } from './findings.js';

const same = (a: string | undefined, b: string | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** keccak256 of the code at each authorized implementation against its patch's logged codehash. */
export async function codehashFindings(
  client: PublicClient,
  ctx: Context,
  history: readonly HistoryItem[],
): Promise<Finding[]> {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const h of history) {
    const proposal = h.patch ? ctx.log?.proposals.get(h.patch) : undefined;
    if (h.status !== 'authorized' || h.event !== 'Upgraded' || !proposal || !h.implementation) continue;
    const key = `${h.patch}:${h.implementation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const code = (await client.getCode({ address: h.implementation })) ?? '0x';
    const hash = code === '0x' ? undefined : keccak256(code);
    if (same(hash, proposal.codehash)) continue;
    const now = hash ? `hashes to ${hash}` : 'holds no code';
    out.push(
      auditFinding(
        'audit-codehash-mismatch',
        `implementation ${h.implementation} (patch ${h.patch}, block ${h.blockNumber}) ${now}; the log recorded codehash ${proposal.codehash}`,
        key,
      ),
    );
  }
  return out;
}

async function describeTx(client: PublicClient, tx: Hex): Promise<string> {
  try {
    const receipt = await client.getTransactionReceipt({ hash: tx });
    return `tx ${tx} (block ${receipt.blockNumber}, ${receipt.status})`;
  } catch (e) {
    rethrowTransportFailure(e);
    return `tx ${tx}, which this chain does not have,`;
  }
}

/** Executed entries of this proxy (from --from-block on) whose transaction shows no upgrade to the patch's implementation. */
export async function executedFindings(
  client: PublicClient,
  ctx: Context,
  history: readonly HistoryItem[],
  fromBlock: bigint,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const x of ctx.log?.executions ?? []) {
    const proposal = ctx.log?.proposals.get(x.digest);
    if (!ofThisProxy(ctx, proposal) || x.blockNumber < fromBlock) continue;
    const shown = history.some(
      (h) =>
        h.event === 'Upgraded' &&
        h.emitter !== 'gate' &&
        same(h.txHash, x.txHash) &&
        same(h.implementation, proposal.implementation),
    );
    if (shown) continue;
    out.push(
      auditFinding(
        'audit-executed-not-on-chain',
        `executed entry ${x.index} (patch ${x.digest}, block ${x.blockNumber}) names ${await describeTx(client, x.txHash)} which emitted no Upgraded(${proposal.implementation}) for ${ctx.proxy}`,
        `${x.index}`,
      ),
    );
  }
  return out;
}

/** PatchGate's PatchExecuted records against the log's executed patch in the same transaction. */
export function gateFindings(ctx: Context, gate: readonly HistoryItem[]): Finding[] {
  const out: Finding[] = [];
  for (const g of gate) {
    const mine = executionsIn(ctx, g.txHash).filter((f) => ofThisProxy(ctx, f.proposal));
    if (mine.length === 0) continue;
    const match = mine.find((m) => same(m.execution.digest, g.digest));
    const p = match?.proposal;
    let problem: string | undefined;
    if (!match) problem = `the log executed patch ${mine.map((m) => m.execution.digest).join(', ')} there`;
    else if (!same(p?.implementation, g.implementation))
      problem = `the gate installed ${g.implementation}, the patch approved ${p?.implementation}`;
    else if (!same(p?.codehash, g.codehash))
      problem = `the gate checked codehash ${g.codehash}, the patch approved ${p?.codehash}`;
    else if (p?.lane !== g.lane)
      problem = `the gate let it through in the ${g.lane ?? 'unknown'} lane, the patch was proposed in the ${p?.lane} lane`;
    if (problem) {
      const message = `tx ${g.txHash} (block ${g.blockNumber}): PatchGate says patch ${g.digest}; ${problem}`;
      out.push(auditFinding('audit-gate-mismatch', message, `${g.txHash}:${g.logIndex}`));
    }
  }
  return out;
}

function lastOf(history: readonly HistoryItem[], pick: (h: HistoryItem) => boolean): HistoryItem | undefined {
  return history.filter(pick).at(-1);
}

function slotCheck(
  what: string,
  now: Address | undefined,
  last: HistoryItem | undefined,
  set: Address | undefined,
  complete: boolean,
) {
  if (!now) return undefined;
  if (last)
    return same(now, set)
      ? undefined
      : `${what} holds ${now}, but the last ${last.event} event (block ${last.blockNumber}, tx ${last.txHash}) set ${set}`;
  return complete ? `${what} holds ${now}, but no event ever set it` : undefined;
}

/**
 * The slots against the last events that set them. `complete` says the history reaches back to the proxy's
 * deployment (or block 0), so "no event" means "never announced".
 */
export function slotFindings(
  state: ProxyState,
  history: readonly HistoryItem[],
  complete: boolean,
): Finding[] {
  const fromProxy = (event: string) => (h: HistoryItem) => h.emitter === 'proxy' && h.event === event;
  const upgraded = lastOf(history, fromProxy('Upgraded'));
  const beaconSet = lastOf(history, fromProxy('BeaconUpgraded'));
  const beaconImpl = lastOf(
    history,
    (h) => h.emitter === 'beacon' && h.event === 'Upgraded' && same(h.address, state.beacon),
  );
  const adminSet = lastOf(history, fromProxy('AdminChanged'));
  const silent =
    state.kind === 'beacon'
      ? [
          slotCheck('the beacon slot', state.beacon, beaconSet, beaconSet?.beacon, complete),
          slotCheck(
            `beacon ${state.beacon}`,
            state.implementation,
            beaconImpl,
            beaconImpl?.implementation,
            complete,
          ),
        ]
      : [
          slotCheck(
            'the implementation slot',
            state.implementationSlot,
            upgraded,
            upgraded?.implementation,
            complete,
          ),
        ];
  const out = silent.flatMap((m) => (m ? [auditFinding('audit-silent-upgrade', m, m)] : []));
  const admin = slotCheck('the admin slot', state.admin, adminSet, adminSet?.next, complete);
  if (admin)
    out.push(
      auditFinding(
        'audit-unexplained-admin-change',
        `${admin}: the admin was changed without an event`,
        admin,
      ),
    );
  return out;
}
