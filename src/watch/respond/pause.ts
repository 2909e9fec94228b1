/**
 * The automatic brake: the guardian's `pause()` on the protected contracts, sent the moment a rule whose
 * `respond` is `pause` raises an alert. The guardian key can pause and nothing else (the governance tests check
 * it on the real contracts), so the worst a false alarm does is pause.
 *
 * What it promises:
 * - Simulated first: `eth_estimateGas` from the guardian runs the pause on the head; one that would revert is not
 *   sent (the outcome says why).
 * - Ahead of the attacker: against a pending attack the priority fee is twice the attacker's (plus 1 gwei) and
 *   the fee cap above theirs, so a node ordering by fee mines the pause first and the attack reverts.
 * - Exactly once: each pause is signed with an explicit nonce and stored (store/watch-pauses.ts) before it is
 *   broadcast. A contract with a pause in flight gets no second one; an unmined pause is replaced after
 *   `replaceAfterMs` under the same nonce with fees raised by a quarter (nodes need at least a tenth), so at most
 *   one of them can be mined; a restarted watcher picks its in-flight pauses up from the store.
 * - Across reorgs: after a rollback, a settled pause whose transaction is no longer on the chain is in flight
 *   again (the same signed transactions, the same nonce) and is re-broadcast.
 * - On the record: each pause sent, replaced, mined and reopened is an `alert` entry of rule `respond-pause`.
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
  /** Pause every target that is not paused and has no pause in flight; outbid `attacker` when given. */
  respond(trigger: string, attacker?: PendingTx): Promise<PauseOutcome[]>;
  /** Receipts of the pauses in flight; replace those unmined for too long. */
  tick(): Promise<PauseProgress[]>;
  /** After a reorg: a settled pause whose transaction is no longer on the chain is in flight again. */
  afterReorg(): Promise<PauseProgress[]>;
}

interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
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

  async function fees(attacker?: PendingTx): Promise<Fees> {
    const [block, estimated] = await Promise.all([
      client.getBlock({ blockTag: 'latest' }),
      client.estimateMaxPriorityFeePerGas().catch((e: unknown) => {
        rethrowTransportFailure(e);
        return GWEI;
      }),
    ]);
    const baseFee = block.baseFeePerGas ?? 0n;
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

  async function broadcast(raw: Hex): Promise<void> {
    try {
      await client.request({ method: 'eth_sendRawTransaction', params: [raw] });
    } catch (e) {
      rethrowTransportFailure(e);
      const text = e instanceof Error ? e.message : String(e);
      // Already known / nonce used: the stored row and its receipts say what happened; tick() settles it.
      if (!/already known|already imported|nonce too low|known transaction/i.test(text)) throw e;
    }
  }

  async function nextNonce(): Promise<number> {
    const onNode = await client.getTransactionCount({ address: from, blockTag: 'pending' });
    const stored = await pauses.lastNonce(chainId, from);
    return stored === undefined || onNode > stored ? onNode : stored + 1;
  }

  async function pauseOne(target: Address, trigger: string, attacker?: PendingTx): Promise<PauseOutcome> {
    // One round trip: the state, the simulation, the fees, the nonce and the lease are asked at once (latency is
    // what this is for); what is signed is decided only once all of them answered.
    const [paused, simulated, f, nonce, leads] = await Promise.all([
      client.readContract({ address: target, abi: PAUSABLE_ABI, functionName: 'paused' }),
      client.estimateGas({ account: from, to: target, data: PAUSE_DATA }).then(
        (gas) => ({ gas }),
        (e: unknown) => ({ error: e }),
      ),
      fees(attacker),
      nextNonce(),
      options.mayAct && !options.dryRun ? options.mayAct() : Promise.resolve(true),
    ]);
    if (paused) return { target, status: 'already-paused' };
    if ('error' in simulated) {
      rethrowTransportFailure(simulated.error);
      const reason = `pause() from ${from} would revert: ${describeRevert(revertData(simulated.error), PAUSABLE_ABI)}`;
      await record(
        `respond:pause-refused:${chainId}:${target}:${trigger}`,
        `cannot pause ${target}: ${reason}`,
      );
      return { target, status: 'refused', reason };
    }
    const { gas } = simulated;
    if (options.dryRun) return { target, status: 'dry-run' };
    if (!leads) return { target, status: 'not-leader' };
    const signed = await sign(target, nonce, (gas * 13n) / 10n, f);
    await pauses.record({
      chainId,
      target,
      guardian: from,
      nonce,
      trigger,
      state: 'sent',
      rawTxs: [{ ...signed, ...feeText(f), sentAt: new Date(now()).toISOString() }],
    });
    await broadcast(signed.raw);
    await record(
      `respond:pause:${chainId}:${from}:${nonce}:${signed.hash}`,
      `pause() sent to ${target} (nonce ${nonce}, priority fee ${f.maxPriorityFeePerGas} wei${attacker ? `, ahead of pending ${attacker.hash}` : ''}) answering ${trigger}`,
      signed.hash,
    );
    return { target, status: 'sent', txHash: signed.hash, nonce, priorityFee: f.maxPriorityFeePerGas };
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
    const current = await fees();
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
    async respond(trigger, attacker) {
      const inFlight = new Set((await pauses.inFlight(chainId, from)).map((p) => getAddress(p.target)));
      const out: PauseOutcome[] = [];
      for (const target of options.targets) {
        if (inFlight.has(getAddress(target))) out.push({ target, status: 'in-flight' });
        else out.push(await pauseOne(target, trigger, attacker));
      }
      return out;
    },
    async afterReorg() {
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
