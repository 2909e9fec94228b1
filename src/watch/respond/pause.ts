/**
 * The automatic brake: the guardian's `pause()` on the protected contracts, sent the moment a rule whose
 * `respond` is `pause` raises an alert. The guardian key can pause and nothing else (the governance tests check
 * it on the real contracts), so the worst a false alarm does is pause.
 *
 * What it promises:
 * - Simulated first: `eth_estimateGas` from the guardian runs the pause on the head; one that would revert is not
 *   sent (the outcome says why).
 * - Fast: everything a pause needs besides the attacker's fee and the lease (is it paused, the simulation, the
 *   base fee, the nonce) is read in one round trip, ahead of time: the watcher `arm`s the responder after each
 *   block it has judged, so an alert in the next block costs a signature, one row in the store and the broadcast.
 *   What was armed on the judged block's parent (or later) is used; anything older, or a read that failed, is
 *   read again. The lease is asked at the moment of the pause (leader.ts answers from memory while it can).
 * - Ahead of the attacker: against a pending attack the priority fee is twice the attacker's (plus 1 gwei) and
 *   the fee cap above theirs, so a node ordering by fee mines the pause first and the attack reverts.
 * - Exactly once: each pause is signed with an explicit nonce and stored (store/watch-pauses.ts) before it is
 *   broadcast. A contract with a pause in flight gets no second one; an unmined pause is replaced after
 *   `replaceAfterMs` under the same nonce with fees raised by a quarter (nodes need at least a tenth), so at most
 *   one of them can be mined; a restarted watcher picks its in-flight pauses up from the store.
 * - Across reorgs: after a rollback, a settled pause whose transaction is no longer on the chain is in flight
 *   again (the same signed transactions, the same nonce) and is re-broadcast.
 * - On the record: each pause sent, replaced, mined and reopened is an `alert` entry of rule `respond-pause`. A sent
 *   pause is logged by `flush` once the outcome is out (the brake is not held up by the log's write); one whose
 *   entry a crash or a failed write left out is logged by the next `tick` (appendOnce: never twice).
 */
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  type PublicClient,
  toHex,
} from 'viem';
import { rethrowTransportFailure } from '../../chain/rpc.js';
import { PAUSABLE_ABI } from '../../core/abis.js';
import { environmentError, internalError } from '../../core/errors.js';
import { describeRevert, revertData } from '../../core/revert.js';
import type { Ledger } from '../../store/ledger-store.js';
import type { PauseStore, StoredPause } from '../../store/watch-pauses.js';
import type { PendingTx } from '../rule.js';

const GWEI = 1_000_000_000n;
const PAUSE_DATA = encodeFunctionData({ abi: PAUSABLE_ABI, functionName: 'pause' });
/** Settled pauses re-checked after a reorg (a reorg deeper than the watcher keeps stops it anyway). */
const REORG_LOOKBACK = 32;

export interface PauseResponderOptions {
  client: PublicClient;
  chainId: number;
  guardian: LocalAccount;
  /** What a pause response pauses. */
  targets: readonly Address[];
  pauses: PauseStore;
  ledger: Pick<Ledger, 'appendOnce'>;
  /** An unmined pause is replaced (same nonce, higher fee) after this long. */
  replaceAfterMs: number;
  /** Alert and simulate, never sign or send. */
  dryRun?: boolean;
  /** Asked just before anything is signed: false when another watcher leads (store/lease.ts). */
  mayAct?: () => Promise<boolean>;
  now?: () => number;
}

export type PauseOutcome =
  | { target: Address; status: 'sent'; txHash: Hex; nonce: number; priorityFee: bigint }
  | { target: Address; status: 'already-paused' | 'in-flight' | 'dry-run' | 'not-leader' }
  | { target: Address; status: 'refused'; reason: string };

export type PauseProgress =
  | { target: Address; status: 'reopened'; txHash: Hex; nonce: number }
  | { target: Address; status: 'superseded'; nonce: number }
  | { target: Address; status: 'replaced'; txHash: Hex; nonce: number; priorityFee: bigint }
  | { target: Address; status: 'mined' | 'reverted'; txHash: Hex; nonce: number; blockNumber: bigint };

export interface PauseResponder {
  /** Read ahead, in the background, what a pause needs on the chain's head: an alert about the next block (or a
   * pending transaction judged on this one) then only signs and sends. */
  arm(): void;
  /** Pause every target that is not paused and has no pause in flight; outbid `attacker` when given. `block` is
   * the block judged (or the head a pending transaction was judged on): what was armed on it or on its parent is
   * used, once. Resolves once each pause is broadcast; `flush` puts them on the record. One call at a time. */
  respond(
    trigger: string,
    about?: { attacker?: PendingTx; block?: { hash: Hex; parentHash: Hex } },
  ): Promise<PauseOutcome[]>;
  /** Log the pauses `respond` sent (the `alert` entries); a failure leaves them for the next `tick`. */
  flush(): Promise<void>;
  /** Receipts of the pauses in flight; replace those unmined for too long. */
  tick(): Promise<PauseProgress[]>;
  /** After a reorg: a settled pause whose transaction is no longer on the chain is in flight again. */
  afterReorg(): Promise<PauseProgress[]>;
}

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** Everything a pause needs but the attacker's fee, read at once. */
interface Prepared {
  /** How many pauses this responder had sent when it was read: later ones are not in `inFlight`. */
  sentBefore: number;
  /** The head it was read on. */
  head: Hex;
  inFlight: ReadonlySet<Address>;
  targets: ReadonlyMap<Address, { paused: boolean; simulated: { gas: bigint } | { error: unknown } }>;
  baseFee: bigint;
  tip: bigint;
  nonce: number;
}

/** A pause sent, to be logged. */
interface Unlogged {
  source: string;
  message: string;
  hash: Hex;
}

/** The attacker's tip: what a fee-ordered node ranks their transaction by. */
function tipOf(tx: PendingTx, baseFee: bigint): bigint {
  if (tx.maxPriorityFeePerGas !== undefined) return tx.maxPriorityFeePerGas;
  return tx.gasPrice !== undefined && tx.gasPrice > baseFee ? tx.gasPrice - baseFee : 0n;
}

export function pauseResponder(options: PauseResponderOptions): PauseResponder {
  const { client, chainId, guardian, pauses, ledger } = options;
  const now = options.now ?? Date.now;
  const from = guardian.address;

  const record = (source: string, message: string, txHash?: Hex) =>
    ledger.appendOnce([
      {
        source,
        entry: {
          kind: 'alert',
          digest: keccak256(toHex(source)),
          at: new Date(now()),
          rule: 'respond-pause',
          severity: 'critical',
          message,
          ...(txHash ? { txHash } : {}),
        },
      },
    ]);

  async function market(): Promise<{ head: Hex; baseFee: bigint; tip: bigint }> {
    const [block, tip] = await Promise.all([
      client.getBlock({ blockTag: 'latest' }),
      client.estimateMaxPriorityFeePerGas().catch((e: unknown) => {
        rethrowTransportFailure(e);
        return GWEI;
      }),
    ]);
    return { head: block.hash, baseFee: block.baseFeePerGas ?? 0n, tip };
  }

  function fees({ baseFee, tip: estimated }: { baseFee: bigint; tip: bigint }, attacker?: PendingTx): Fees {
    let tip = estimated;
    let cap = baseFee * 2n;
    if (attacker) {
      tip = tip > tipOf(attacker, baseFee) * 2n + GWEI ? tip : tipOf(attacker, baseFee) * 2n + GWEI;
      const theirs = attacker.maxFeePerGas ?? attacker.gasPrice ?? 0n;
      if (theirs > cap) cap = theirs;
    }
    return { maxPriorityFeePerGas: tip, maxFeePerGas: cap + tip };
  }

  async function sign(target: Address, nonce: number, gas: bigint, f: Fees) {
    const raw = await guardian.signTransaction({
      chainId,
      type: 'eip1559',
      to: target,
      data: PAUSE_DATA,
      nonce,
      gas,
      ...f,
    });
    return { raw, hash: keccak256(raw) };
  }

  /** Sends a signed pause; 'nonce-used' when the node says its nonce is spent (by this or another transaction). */
  async function broadcast(raw: Hex): Promise<'sent' | 'nonce-used'> {
    try {
      await client.request({ method: 'eth_sendRawTransaction', params: [raw] });
      return 'sent';
    } catch (e) {
      rethrowTransportFailure(e);
      const text = e instanceof Error ? e.message : String(e);
      // Already known / nonce used: the stored row and its receipts say what happened; tick() settles it.
      if (!/already known|already imported|nonce too low|known transaction/i.test(text)) throw e;
      return /nonce too low/i.test(text) ? 'nonce-used' : 'sent';
    }
  }

  async function nextNonce(): Promise<number> {
    const onNode = await client.getTransactionCount({ address: from, blockTag: 'pending' });
    const stored = await pauses.lastNonce(chainId, from);
    return stored === undefined || onNode > stored ? onNode : stored + 1;
  }

  /** Sent by this responder so far (targets in order): what a preparation read before a send does not show. */
  const sent: Address[] = [];
  /** The nonce after the last one this responder signed. */
  let nextLocal = 0;
  let unlogged: Unlogged[] = [];
  /** Hashes of sent pauses known to be on the record. */
  const logged = new Set<Hex>();
  let armed: Promise<Prepared> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function prepare(): Promise<Prepared> {
    const sentBefore = sent.length;
    const [inFlight, targets, m, nonce] = await Promise.all([
      pauses.inFlight(chainId, from),
      Promise.all(
        options.targets.map(async (target) => {
          const [paused, simulated] = await Promise.all([
            client.readContract({ address: target, abi: PAUSABLE_ABI, functionName: 'paused' }),
            client.estimateGas({ account: from, to: target, data: PAUSE_DATA }).then(
              (gas) => ({ gas }),
              (error: unknown) => {
                rethrowTransportFailure(error); // a node that did not answer fails the read, never "it would revert"
                return { error };
              },
            ),
          ]);
          return [getAddress(target), { paused, simulated }] as const;
        }),
      ),
      market(),
      nextNonce(),
    ]);
    return {
      sentBefore,
      inFlight: new Set(inFlight.map((p) => getAddress(p.target))),
      targets: new Map(targets),
      ...m,
      nonce,
    };
  }

  /**
   * One target's pause from what `p` read. 'stale' asks the caller to read afresh and try again: what was read ahead
   * is trusted only to go (a pause that turns out useless reverts, harmlessly); every reason not to send — paused,
   * in flight, would revert — and a nonce taken meanwhile are checked on a fresh read first.
   */
  async function pauseOne(
    p: Prepared & { ahead: boolean },
    leads: () => Promise<boolean>,
    target: Address,
    trigger: string,
    attacker?: PendingTx,
  ): Promise<PauseOutcome | 'stale'> {
    const key = getAddress(target);
    const read = p.targets.get(key);
    if (!read) throw internalError(`pause target ${target} was not read before its pause`);
    const inFlight = p.inFlight.has(key) || sent.slice(p.sentBefore).includes(key);
    if (p.ahead && (inFlight || read.paused || 'error' in read.simulated)) return 'stale';
    if (inFlight) return { target, status: 'in-flight' };
    if (read.paused) return { target, status: 'already-paused' };
    if ('error' in read.simulated) {
      rethrowTransportFailure(read.simulated.error);
      const reason = `pause() from ${from} would revert: ${describeRevert(revertData(read.simulated.error), PAUSABLE_ABI)}`;
      await record(
        `respond:pause-refused:${chainId}:${target}:${trigger}`,
        `cannot pause ${target}: ${reason}`,
      );
      return { target, status: 'refused', reason };
    }
    if (options.dryRun) return { target, status: 'dry-run' };
    if (!(await leads())) return { target, status: 'not-leader' };
    const nonce = Math.max(p.nonce, nextLocal);
    const f = fees(p, attacker);
    const signed = await sign(target, nonce, (read.simulated.gas * 13n) / 10n, f);
    const stored = await pauses.recordNew({
      chainId,
      target,
      guardian: from,
      nonce,
      trigger,
      state: 'sent',
      rawTxs: [{ ...signed, ...feeText(f), sentAt: new Date(now()).toISOString() }],
    });
    // Another pause holds this nonce here (another watcher of this store sent it since the read): read afresh.
    if (!stored) return 'stale';
    sent.push(key);
    nextLocal = nonce + 1;
    let broadcasted: Awaited<ReturnType<typeof broadcast>>;
    try {
      broadcasted = await broadcast(signed.raw);
    } catch (e) {
      // Refused outright (another transaction pending under this nonce, "replacement underpriced"): with a read
      // ahead, the nonce is someone else's now; freshly read, the pass fails and is retried.
      rethrowTransportFailure(e);
      if (!p.ahead) throw e;
      broadcasted = 'nonce-used';
    }
    if (broadcasted === 'nonce-used' && p.ahead) {
      // The guardian key was used since the read ahead (by hand, by the watcher that led before): this pause can
      // never be mined. Settled at once, so that a fresh read (by the caller) pauses with the next nonce.
      await pauses.settle(chainId, from, nonce, 'superseded');
      return 'stale';
    }
    unlogged.push(
      sentEntry(
        target,
        nonce,
        signed.hash,
        f.maxPriorityFeePerGas,
        trigger,
        attacker ? attacker.hash : undefined,
      ),
    );
    return { target, status: 'sent', txHash: signed.hash, nonce, priorityFee: f.maxPriorityFeePerGas };
  }

  function sentEntry(
    target: Address,
    nonce: number,
    hash: Hex,
    priorityFee: bigint,
    trigger: string,
    ahead?: Hex,
  ): Unlogged {
    return {
      source: `respond:pause:${chainId}:${from}:${nonce}:${hash}`,
      message: `pause() sent to ${target} (nonce ${nonce}, priority fee ${priorityFee} wei${ahead ? `, ahead of pending ${ahead}` : ''}) answering ${trigger}`,
      hash,
    };
  }

  async function flush(): Promise<void> {
    const batch = unlogged;
    unlogged = [];
    try {
      for (const u of batch) {
        await record(u.source, u.message, u.hash);
        logged.add(u.hash);
      }
    } catch (e) {
      unlogged = [...batch.filter((u) => !logged.has(u.hash)), ...unlogged];
      throw e;
    }
  }

  /** A pause sent by an earlier run (or whose entry a failed write lost): on the record now, once. */
  async function logSent(p: StoredPause): Promise<void> {
    for (const [i, raw] of p.rawTxs.entries()) {
      if (i > 0 || logged.has(raw.hash)) continue; // a replacement is logged when it is made
      const entry = sentEntry(p.target, p.nonce, raw.hash, BigInt(raw.maxPriorityFeePerGas), p.trigger);
      await record(entry.source, entry.message, entry.hash);
      logged.add(raw.hash);
    }
  }

  /** The receipt of any of the pause's transactions, settled and logged; undefined while none is mined. */
  async function minedOne(p: StoredPause): Promise<PauseProgress | undefined> {
    for (const sent of p.rawTxs) {
      const receipt = await client.getTransactionReceipt({ hash: sent.hash }).catch((e: unknown) => {
        rethrowTransportFailure(e);
        return undefined;
      });
      if (!receipt) continue;
      const state = receipt.status === 'success' ? 'mined' : 'reverted';
      await pauses.settle(chainId, from, p.nonce, state, sent.hash);
      await record(
        `respond:pause-${state}:${chainId}:${from}:${p.nonce}`,
        `pause() of ${p.target} ${state === 'mined' ? 'mined' : 'reverted'} in block ${receipt.blockNumber} (tx ${sent.hash})`,
        sent.hash,
      );
      return {
        target: p.target,
        status: state,
        txHash: sent.hash,
        nonce: p.nonce,
        blockNumber: receipt.blockNumber,
      };
    }
    return undefined;
  }

  async function progress(p: StoredPause): Promise<PauseProgress | undefined> {
    await logSent(p);
    const mined = await minedOne(p);
    if (mined) return mined;
    // The nonce used by a transaction that is none of ours (the key used by hand, by another store's watcher):
    // this pause can never be mined. Settle it, so the contract is not "in flight" for ever and the next alert
    // pauses afresh. (Receipts are read again after the count: one mined in between is still ours.)
    const used = await client.getTransactionCount({ address: from, blockTag: 'latest' });
    if (used > p.nonce) {
      const late = await minedOne(p);
      if (late) return late;
      await pauses.settle(chainId, from, p.nonce, 'superseded');
      await record(
        `respond:pause-superseded:${chainId}:${from}:${p.nonce}`,
        `pause() of ${p.target} (nonce ${p.nonce}) can never be mined: another transaction of ${from} used that nonce`,
      );
      return { target: p.target, status: 'superseded', nonce: p.nonce };
    }
    const last = p.rawTxs.at(-1);
    if (!last) return undefined;
    // A restarted watcher: the node may have dropped what was sent before the crash.
    await broadcast(last.raw);
    if (now() - Date.parse(last.sentAt) < options.replaceAfterMs) return undefined;
    if (options.mayAct && !(await options.mayAct())) return undefined;
    const bumped: Fees = {
      maxPriorityFeePerGas: (BigInt(last.maxPriorityFeePerGas) * 5n) / 4n + 1n,
      maxFeePerGas: (BigInt(last.maxFeePerGas) * 5n) / 4n + 1n,
    };
    const current = fees(await market());
    if (current.maxFeePerGas > bumped.maxFeePerGas) bumped.maxFeePerGas = current.maxFeePerGas;
    const gas =
      (await client.estimateGas({ account: from, to: p.target, data: PAUSE_DATA }).catch(() => 100_000n)) *
      2n;
    const signed = await sign(p.target, p.nonce, gas, bumped);
    await pauses.record({
      ...p,
      rawTxs: [...p.rawTxs, { ...signed, ...feeText(bumped), sentAt: new Date(now()).toISOString() }],
    });
    await broadcast(signed.raw);
    await record(
      `respond:pause:${chainId}:${from}:${p.nonce}:${signed.hash}`,
      `pause() of ${p.target} replaced (nonce ${p.nonce}, priority fee ${bumped.maxPriorityFeePerGas} wei): not mined after ${options.replaceAfterMs} ms`,
      signed.hash,
    );
    return {
      target: p.target,
      status: 'replaced',
      txHash: signed.hash,
      nonce: p.nonce,
      priorityFee: bumped.maxPriorityFeePerGas,
    };
  }

  return {
    arm() {
      const prepared = prepare();
      prepared.catch(() => undefined); // a failed read is read again by the pause that would have used it
      armed = prepared;
    },
    respond(trigger, about = {}) {
      const run = queue.then(async () => {
        const { attacker, block } = about;
        // What was armed is used once (a pass that fails with it retries on a fresh read), and only on the judged
        // block itself or its parent — by hash: a read on a branch a reorg dropped is not the parent.
        const ahead = armed;
        armed = undefined;
        const early = block ? await ahead?.catch(() => undefined) : undefined;
        const fresh = async () => ({ ...(await prepare()), ahead: false });
        let p =
          early && block && (early.head === block.parentHash || early.head === block.hash)
            ? { ...early, ahead: true }
            : await fresh();
        // The lease, asked once and only when something is about to be signed.
        let leads: Promise<boolean> | undefined;
        const ask = () => {
          leads ??= options.mayAct && !options.dryRun ? options.mayAct() : Promise.resolve(true);
          return leads;
        };
        const out: PauseOutcome[] = [];
        for (const target of options.targets) {
          let outcome = await pauseOne(p, ask, target, trigger, attacker);
          if (outcome === 'stale') {
            armed = undefined;
            p = await fresh();
            const again = await pauseOne(p, ask, target, trigger, attacker);
            if (again === 'stale') {
              throw environmentError(
                'watch-step-failed',
                `pause of ${target}: nonce ${p.nonce} of ${from} was taken by another pause while it was signed`,
                'another watcher of this store is sending pauses: check that one leader lease guards them',
              );
            }
            outcome = again;
          }
          out.push(outcome);
        }
        return out;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    flush,
    async afterReorg() {
      armed = undefined; // read on a head that may be gone
      const out: PauseProgress[] = [];
      for (const p of await pauses.settled(chainId, from, REORG_LOOKBACK)) {
        if (!p.txHash) continue;
        const receipt = await client.getTransactionReceipt({ hash: p.txHash }).catch((e: unknown) => {
          rethrowTransportFailure(e);
          return undefined;
        });
        if (receipt) continue;
        await pauses.reopen(chainId, from, p.nonce);
        await record(
          `respond:pause-reopened:${chainId}:${from}:${p.nonce}:${p.txHash}`,
          `pause() of ${p.target} (tx ${p.txHash}, nonce ${p.nonce}) was in a block a reorg dropped: sending it again`,
          p.txHash,
        );
        out.push({ target: p.target, status: 'reopened', txHash: p.txHash, nonce: p.nonce });
      }
      return out;
    },
    async tick() {
      const out: PauseProgress[] = [];
      for (const p of await pauses.inFlight(chainId, from)) {
        const step = await progress(p);
        if (step) out.push(step);
      }
      return out;
    },
  };
}

function feeText(f: Fees) {
  return { maxFeePerGas: f.maxFeePerGas.toString(), maxPriorityFeePerGas: f.maxPriorityFeePerGas.toString() };
}
