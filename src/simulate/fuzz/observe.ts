/**
 * One generated call observed on one side of the upgrade, without sending a transaction: `debug_traceCall` at the
 * block just before the upgrade (before) or just after it (after), with the same block environment on both sides
 * (number and timestamp pinned, so the review delay's time warp is not a difference). anvil 1.7.1 answers the
 * callTracer (`withLog`: return or revert data and every event) and the prestateTracer in diff mode (the storage the
 * call writes); it has no muxTracer, so a call that may write is traced twice. A reverted call writes nothing, and
 * a view function cannot write: those are traced once.
 */
import type { Address, Hex, PublicClient } from 'viem';
import { rpcFailure } from '../../chain/rpc.js';
import { type Preimage, preimagesOf, type StructLog } from '../storage-diff.js';

export interface TracedCall {
  from: Address;
  to: Address;
  data: Hex;
}

/** Where and when a call runs: the state of `block`, in the environment `env` (the same on both sides). */
export interface CallSite {
  block: bigint;
  env: { number: Hex; time: Hex };
}

export interface StorageWrite {
  account: Address;
  slot: Hex;
  before: Hex;
  after: Hex;
}

export interface Observed {
  status: 'success' | 'reverted';
  /** Return data, or revert data (`0x` with `error` when the EVM stopped without any). */
  output: Hex;
  error?: string;
  /** `address topics… data` of each event, in order. */
  events: string[];
  /** Storage the call writes, sorted by account and slot (empty when it reverted or is a view). */
  writes: StorageWrite[];
}

interface Frame {
  output?: Hex;
  error?: string;
  logs?: Array<{ address: Address; topics: Hex[]; data: Hex }>;
  calls?: Frame[];
}

interface PrestateDiff {
  pre: Record<string, { storage?: Record<string, Hex> }>;
  post: Record<string, { storage?: Record<string, Hex> }>;
}

type TraceCall<R> = {
  Method: 'debug_traceCall';
  Parameters: [Record<string, unknown>, Hex, Record<string, unknown>];
  ReturnType: R;
};

const ZERO = `0x${'0'.repeat(64)}` as Hex;
const word = (h: string): Hex => `0x${h.replace(/^0x/, '').padStart(64, '0')}` as Hex;

/** The events of a frame and of its sub-calls that did not revert, in execution order. */
function eventsOf(frame: Frame, out: string[] = []): string[] {
  if (frame.error) return out;
  for (const log of frame.logs ?? [])
    out.push(`${log.address.toLowerCase()} ${log.topics.join(' ')} ${log.data}`);
  for (const sub of frame.calls ?? []) eventsOf(sub, out);
  return out;
}

function writesOf(diff: PrestateDiff): StorageWrite[] {
  const out: StorageWrite[] = [];
  for (const [account, post] of Object.entries(diff.post ?? {})) {
    const pre = diff.pre?.[account]?.storage ?? {};
    for (const [slot, value] of Object.entries(post.storage ?? {})) {
      const before = word(pre[slot] ?? ZERO);
      if (before !== word(value))
        out.push({ account: account.toLowerCase() as Address, slot: word(slot), before, after: word(value) });
    }
  }
  return out.sort((a, b) => `${a.account}${a.slot}`.localeCompare(`${b.account}${b.slot}`));
}

async function trace<R>(client: PublicClient, call: TracedCall, site: CallSite, tracer: object): Promise<R> {
  try {
    return await client.request<TraceCall<R>>({
      method: 'debug_traceCall',
      params: [
        { from: call.from, to: call.to, data: call.data },
        `0x${site.block.toString(16)}`,
        { ...tracer, blockOverrides: site.env },
      ],
    });
  } catch (e) {
    throw rpcFailure(e) ?? e;
  }
}

/** Run `call` at `site` and observe it; `mayWrite` false skips the storage trace (views). */
export async function observeCall(
  client: PublicClient,
  call: TracedCall,
  site: CallSite,
  mayWrite: boolean,
): Promise<Observed> {
  const frame = await trace<Frame>(client, call, site, {
    tracer: 'callTracer',
    tracerConfig: { withLog: true },
  });
  const status = frame.error ? 'reverted' : 'success';
  const writes =
    status === 'success' && mayWrite
      ? writesOf(
          await trace<PrestateDiff>(client, call, site, {
            tracer: 'prestateTracer',
            tracerConfig: { diffMode: true },
          }),
        )
      : [];
  return {
    status,
    output: frame.output ?? '0x',
    ...(frame.error && !frame.output ? { error: frame.error } : {}),
    events: status === 'success' ? eventsOf(frame) : [],
    writes,
  };
}

/**
 * The KECCAK256 preimages of `call` at `site` (a step trace with memory): they name the mapping entries it writes.
 * Only for a difference being reported, never per generated call. Empty when the node cannot step-trace.
 */
export async function callPreimages(
  client: PublicClient,
  call: TracedCall,
  site: CallSite,
): Promise<Map<bigint, Preimage>> {
  try {
    const steps = await trace<{ structLogs?: StructLog[] }>(client, call, site, {
      enableMemory: true,
      disableStorage: true,
    });
    return preimagesOf(steps.structLogs ?? []);
  } catch {
    return new Map();
  }
}
