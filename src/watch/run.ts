/**
 * `patchgate watch` as a library call: follow the chain (and its mempool), judge each block and each pending
 * transaction with the configured rules, log every alert, and respond — pause through the guardian, cancel
 * through the canceller — as each rule's `respond` says; deliver the log's alerts to the webhooks. Runs until
 * `signal` aborts (or `untilBlock` is handled).
 *
 * Several watchers may share one store (PostgreSQL): all of them alert (the log dedups), only the holder of the
 * leader lease responds and delivers (leader.ts). A node that stops answering does not stop the watcher: the
 * failed pass is reported (`error` event) and retried after a back-off, from the same block (the cursor only
 * moves after a block is handled). Bad input (config, keys) is thrown before the loop starts.
 */
import { type Address, type Hex, keccak256, type LocalAccount, toHex } from 'viem';
import type { Clients } from '../chain/clients.js';
import { rethrowTransportFailure, scrubUrls } from '../chain/rpc.js';
import type { Config } from '../config/schema.js';
import { isPatchgateError } from '../core/errors.js';
import { mapLimit } from '../core/map-limit.js';
import type { Db } from '../store/db.js';
import type { Ledger } from '../store/ledger-store.js';
import { storedCursor } from '../store/watch-cursor.js';
import { pauseStore } from '../store/watch-pauses.js';
import { responseStore } from '../store/watch-responses.js';
import { chainReader, follower } from './follow.js';
import { leadership } from './leader.js';
import { pendingReader } from './pending.js';
import { type PauseOutcome, type PauseProgress, pauseResponder } from './respond/pause.js';
import type { PendingTx } from './rule.js';
import { type WatchSetup, watchConfigOf } from './setup.js';
import { secretFromEnv } from './sinks/options.js';
import { webhookSink } from './sinks/webhook.js';
import { subscribe } from './subscribe.js';
import { type Judged, type WatchEvent, watcher } from './watcher.js';

export type WatchRunEvent =
  | WatchEvent
  | {
      kind: 'started';
      chainId: number;
      from?: bigint;
      /** The chain's head when the watcher started (a `from` beyond it is waited for). */
      head: bigint;
      rules: string[];
      pauseTargets: Address[];
      pending: boolean;
      holder: string;
    }
  | { kind: 'leader'; leads: boolean; holder: string }
  | { kind: 'pause'; trigger: string; outcomes: PauseOutcome[] }
  | { kind: 'pause-progress'; progress: PauseProgress }
  | { kind: 'cancel'; trigger: string; operation: Hex; txHash?: Hex; already: boolean }
  | { kind: 'error'; code: string; message: string };

export interface RunWatchOptions {
  clients: Clients;
  config: Config;
  setup: WatchSetup;
  db: Pick<Db, 'query'>;
  ledger: Pick<Ledger, 'appendOnce' | 'entries' | 'origin'>;
  /** The pause-only key; without it a `pause` response is an alert only. */
  guardian?: LocalAccount;
  /** Cancels a timelock operation with the cancel-only key; without it a `cancel` response is an alert only. */
  cancel?: (operation: Hex) => Promise<{ txHash?: Hex; already: boolean }>;
  dryRun?: boolean;
  /** The first block to judge when the watcher has no cursor yet (default: the head). */
  from?: bigint;
  /** Stop once this block is handled (tests, the demo). */
  untilBlock?: bigint;
  signal?: AbortSignal;
  emit: (event: WatchRunEvent) => void | Promise<void>;
  /** A WebSocket URL whose new-head and pending-transaction subscriptions wake the loop at once. */
  wsUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** Pending transactions judged per pass, and at once; a backlog beyond the cap keeps the best-paying ones. */
const PENDING_PER_PASS = 64;
const PENDING_AT_ONCE = 8;
const PENDING_BACKLOG = 1_000;

const tipOf = (tx: PendingTx): bigint => tx.maxPriorityFeePerGas ?? tx.gasPrice ?? 0n;

/** A sleep that a subscription (or an abort) can cut short. A wake that comes while the loop is busy is kept: the
 * next sleep returns at once (the block it announced may have arrived after the pass read the head). */
export function alarm(signal?: AbortSignal) {
  let ring: (() => void) | undefined;
  let rung = false;
  const wake = () => {
    if (ring) ring();
    else rung = true;
  };
  signal?.addEventListener('abort', wake);
  return {
    wake,
    /** A back-off after a failure: only an abort cuts it short (a stream of wake-ups must not turn it into a spin). */
    rest: (ms: number) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, ms);
        signal?.addEventListener('abort', done);
      }),
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        if (rung || signal?.aborted) {
          rung = false;
          resolve();
          return;
        }
        const t = setTimeout(done, ms);
        function done() {
          clearTimeout(t);
          ring = undefined;
          resolve();
        }
        ring = done;
      }),
  };
}

export async function runWatch(options: RunWatchOptions): Promise<void> {
  const { clients, setup, emit } = options;
  const watch = watchConfigOf(options.config);
  const chainId = clients.chain.id;
  const respondOf = new Map(setup.rules.map((r) => [r.rule.name, r.respond]));
  const leader = leadership(options.db, { name: `${watch.name}:${chainId}`, ttlMs: watch.leaseTtl * 1000 });
  const sinks = watch.webhooks.map((h) =>
    webhookSink(
      { db: options.db, ledger: options.ledger },
      {
        name: h.name,
        url: h.url,
        kind: h.kind,
        ...(h.secretEnv ? { secret: secretFromEnv(h.name, h.secretEnv, options.env) } : {}),
        ...(h.minSeverity ? { minSeverity: h.minSeverity } : {}),
        ...(h.maxPerMinute ? { maxPerMinute: h.maxPerMinute } : {}),
      },
    ),
  );
  const pauser =
    options.guardian && setup.pauseTargets.length > 0
      ? pauseResponder({
          client: clients.public,
          chainId,
          guardian: options.guardian,
          targets: setup.pauseTargets,
          pauses: pauseStore(options.db),
          ledger: options.ledger,
          replaceAfterMs: watch.pause.replaceAfter * 1000,
          mayAct: leader.mayAct,
          ...(options.dryRun ? { dryRun: true } : {}),
        })
      : undefined;

  const owed = responseStore(options.db);
  /** The leader pauses at once; anything it cannot answer now (a follower, a lost lease, a cancel) is owed in the
   * store first and carried out by the leader: now, or after a takeover. */
  const respond = async (judged: Judged) => {
    // A rule that could not judge a block fails closed: a pause rule pauses (the brake is cheap and reversible; a
    // block an attacker made unjudgeable is not waved through). It never cancels: it names no operation.
    const own = respondOf.get(judged.rule);
    const action = judged.finding.id === 'watch-rule-failed' ? (own === 'pause' ? 'pause' : 'alert') : own;
    const { operation } = judged.finding;
    if (action === 'pause' && pauser) {
      // The leader answers at once; a follower (or a leader that just lost the lease) leaves it owed.
      if (leader.leads()) {
        const outcomes = await pauser.respond(judged.source, {
          block: judged.block,
          ...(judged.pending ? { attacker: judged.pending } : {}),
        });
        if (!outcomes.some((o) => o.status === 'not-leader')) {
          if (outcomes.some((o) => o.status !== 'already-paused' && o.status !== 'in-flight'))
            await emit({ kind: 'pause', trigger: judged.source, outcomes });
          await pauser.flush();
          return;
        }
      }
      await owed.owe({
        source: judged.source,
        action: 'pause',
        ...(judged.pending ? { pendingTx: pendingJson(judged.pending) } : {}),
      });
    } else if (action === 'cancel' && operation && options.cancel && !judged.pending) {
      await owed.owe({ source: judged.source, action: 'cancel', operation });
    } else return;
    await settle();
  };
  async function settle(): Promise<void> {
    // The pauser asks the database just before it signs; here the last known lease is enough to try.
    if (!leader.leads()) return;
    for (const r of await owed.owed()) {
      if (r.action === 'pause' && pauser) {
        const outcomes = await pauser.respond(
          r.source,
          r.pendingTx ? { attacker: pendingFromJson(r.pendingTx) } : {},
        );
        if (outcomes.some((o) => o.status === 'not-leader')) return;
        if (outcomes.some((o) => o.status !== 'already-paused' && o.status !== 'in-flight'))
          await emit({ kind: 'pause', trigger: r.source, outcomes });
        await pauser.flush();
      } else if (r.action === 'cancel' && r.operation && options.cancel) {
        const operation = r.operation as Hex;
        if (options.dryRun) {
          await emit({ kind: 'cancel', trigger: r.source, operation, already: false });
        } else {
          if (!(await leader.mayAct())) return;
          const result = await options.cancel(operation);
          await options.ledger.appendOnce([
            {
              source: `respond:cancel:${chainId}:${operation}`,
              entry: {
                kind: 'alert',
                digest: keccak256(toHex(`respond:cancel:${chainId}:${operation}`)),
                at: new Date(),
                rule: 'respond-cancel',
                severity: 'critical',
                message: `timelock operation ${operation} ${result.already ? 'was already cancelled' : 'cancelled'} answering ${r.source}`,
                ...(result.txHash ? { txHash: result.txHash } : {}),
              },
            },
          ]);
          await emit({ kind: 'cancel', trigger: r.source, operation, ...result });
        }
      } else continue;
      await owed.done(r.source);
    }
  }

  /** The watcher's events; a rollback also re-checks the pauses a dropped block may have held. */
  const onEvent = async (event: WatchEvent) => {
    await emit(event);
    if (event.kind === 'rollback' && pauser) {
      for (const progress of await pauser.afterReorg()) await emit({ kind: 'pause-progress', progress });
    }
  };
  const w = watcher({
    follower: follower({
      reader: chainReader(clients.public),
      cursor: storedCursor(options.db, { name: watch.name, chainId }),
      keep: watch.reorgDepth,
      ...(options.from !== undefined ? { from: options.from } : {}),
    }),
    rules: setup.rules.map((r) => r.rule),
    ledger: options.ledger,
    emit: onEvent,
    respond,
  });
  const mempool = watch.pending ? pendingReader(clients.public) : undefined;
  await emit({
    kind: 'started',
    chainId,
    head: await clients.public.getBlockNumber({ cacheTime: 0 }),
    ...(options.from !== undefined ? { from: options.from } : {}),
    rules: setup.rules.map((r) => `${r.rule.name}:${r.respond}`),
    pauseTargets: setup.pauseTargets,
    pending: mempool !== undefined,
    holder: leader.holder,
  });

  /** Pending transactions seen and not yet judged (a flood is judged over several passes). */
  const backlog: PendingTx[] = [];
  /** After a failed pending judgement, the mempool is left alone until then (performance.now()). */
  let pendingAfter = 0;
  let pendingBackoff = 0;
  /** The wait after another failure in a row: pollMs, doubling, at most 30 s (declared before the loop runs). */
  const nextBackoff = (previous: number) => Math.min(previous === 0 ? watch.pollMs : previous * 2, 30_000);
  const clock = alarm(options.signal);
  const subscription = options.wsUrl
    ? subscribe(options.wsUrl, clock.wake, (e) => {
        void emit({ kind: 'error', code: 'watch-subscription-failed', message: scrubUrls(e.message) });
      })
    : undefined;
  const stopSinks = new AbortController();
  const delivering = sinks.map((sink) => deliver(sink));
  try {
    await loop();
  } finally {
    stopSinks.abort();
    await Promise.all(delivering);
    await subscription?.close();
    await leader.release().catch(() => undefined);
  }

  /** One webhook's deliveries, in the background (a receiver that is slow never holds the watcher up). */
  async function deliver(sink: ReturnType<typeof webhookSink>): Promise<void> {
    const pause = alarm(stopSinks.signal);
    while (!stopSinks.signal.aborted) {
      let wait = watch.pollMs;
      try {
        if (await leader.mayAct()) {
          const step = await sink.step();
          if (step.failure)
            await emit({ kind: 'error', code: 'webhook-failed', message: `${sink.name}: ${step.failure}` });
          wait = step.waitMs ?? (step.delivered > 0 ? 0 : watch.pollMs);
        }
      } catch (e) {
        await emit({
          kind: 'error',
          code: 'webhook-failed',
          message: `${sink.name}: ${(e as Error).message}`,
        });
      }
      await pause.sleep(wait);
    }
  }

  async function judgePending(): Promise<void> {
    if (!mempool) return;
    // A flood of pending transactions must not hold the block pass up: at most PENDING_PER_PASS are judged per
    // pass (highest priority fee first: an attacker racing the pause pays to be first), a few at once; the rest
    // wait for the next pass.
    backlog.push(...(await mempool.poll()));
    if (backlog.length === 0) return;
    backlog.sort((a, b) => (tipOf(b) > tipOf(a) ? 1 : tipOf(b) < tipOf(a) ? -1 : 0));
    const now = backlog.splice(0, PENDING_PER_PASS);
    if (backlog.length > PENDING_BACKLOG) backlog.splice(PENDING_BACKLOG);
    const latest = await clients.public.getBlock({ blockTag: 'latest' });
    const head = { number: latest.number, hash: latest.hash, parentHash: latest.parentHash };
    await mapLimit(now, PENDING_AT_ONCE, (tx) => w.pending(tx, head));
  }

  async function loop(): Promise<void> {
    let backoff = 0;
    let armed = false;
    while (!options.signal?.aborted) {
      try {
        const lead = await leader.tick();
        if (lead.changed) await emit({ kind: 'leader', leads: lead.leads, holder: leader.holder });
        if (mempool && performance.now() >= pendingAfter) {
          // The mempool is a head start, never a condition for judging blocks: a pass whose pending judgement fails
          // (a node that cannot simulate, a rule that throws on one) reports it, leaves the mempool alone for a
          // back-off, and judges the blocks all the same.
          try {
            await judgePending();
            pendingBackoff = 0;
          } catch (e) {
            // A node that does not answer fails the whole pass (blocks cannot be read either): one error, one back-off.
            rethrowTransportFailure(e);
            if (isPatchgateError(e) && e.exitCode === 2) throw e;
            pendingBackoff = nextBackoff(pendingBackoff);
            pendingAfter = performance.now() + pendingBackoff;
            await emit({
              kind: 'error',
              code: isPatchgateError(e) ? e.code : 'watch-step-failed',
              message: scrubUrls(
                `pending transactions not judged for ${pendingBackoff} ms (blocks still are): ${e instanceof Error ? e.message : String(e)}`,
              ),
            });
          }
        }
        const handled = await w.step();
        // The leader reads what a pause needs on the new head now, between blocks, not when the alert comes.
        if (pauser && lead.leads && (handled > 0 || !armed)) {
          pauser.arm();
          armed = true;
        }
        if (lead.leads) await settle();
        if (pauser && lead.leads) {
          for (const progress of await pauser.tick()) await emit({ kind: 'pause-progress', progress });
        }
        backoff = 0;
        if (options.untilBlock !== undefined) {
          const done = await storedCursor(options.db, { name: watch.name, chainId }).load();
          if ((done.at(-1)?.number ?? -1n) >= options.untilBlock) break;
        }
      } catch (e) {
        if (isPatchgateError(e) && (e.exitCode === 2 || e.code === 'watch-reorg-too-deep')) throw e;
        await emit({
          kind: 'error',
          code: isPatchgateError(e) ? e.code : 'watch-step-failed',
          message: scrubUrls(e instanceof Error ? e.message : String(e)),
        });
        backoff = nextBackoff(backoff);
        await clock.rest(backoff);
        continue;
      }
      await clock.sleep(watch.pollMs);
    }
  }
}

/** A pending transaction as the store keeps it (integers as decimal strings). */
function pendingJson(tx: PendingTx): Record<string, unknown> {
  return JSON.parse(JSON.stringify(tx, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

function pendingFromJson(j: Record<string, unknown>): PendingTx {
  const big = (k: string) => (typeof j[k] === 'string' ? { [k]: BigInt(j[k] as string) } : {});
  return {
    hash: j.hash as PendingTx['hash'],
    from: j.from as PendingTx['from'],
    to: (j.to ?? null) as PendingTx['to'],
    input: j.input as PendingTx['input'],
    value: BigInt(String(j.value ?? '0')),
    nonce: Number(j.nonce),
    ...big('gas'),
    ...big('maxFeePerGas'),
    ...big('maxPriorityFeePerGas'),
    ...big('gasPrice'),
  };
}
