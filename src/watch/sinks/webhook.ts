/**
 * A webhook sink: the transparency log is its outbox. The watcher appends every alert to the log before anything
 * else; the sink reads `alert` entries in log order from its own position in the store (`watch_deliveries`) and
 * moves that position only after the receiver answered 2xx. So:
 *
 * - a receiver that is down loses nothing: the alert stays ahead of the position and is tried again, after an
 *   exponential backoff (bounded by `maxMs`, jittered so that many watchers do not retry in step);
 * - a restart (a new sink on the same store) resumes at the position: what was answered is not sent again, what
 *   was sent but not answered is (at-least-once; the body carries the log index and leaf hash to dedup on);
 * - entries that are not alerts, and alerts below `minSeverity`, are stepped over;
 * - at most `maxPerMinute` messages in any rolling minute. Beyond it nothing is dropped: the alerts wait in the log,
 *   and when the window reopens everything waiting (up to 100 at a time) goes as ONE summary message ("N more
 *   alerts: …") — a flood pages once, not a hundred times. The window lives in the process: a restarted sink starts
 *   with an empty one.
 *
 * `step()` does what can be done now and says what it did; `run()` repeats it until aborted, sleeping as long as a
 * backoff or the rate limit asks (or `idleMs` when caught up). A delivery failure is a value in the step, not an
 * error; a damaged log entry or a store failure throws (fail closed: the sink stops rather than skip an alert).
 */
import { SEVERITIES } from '../../core/finding.js';
import type { Db } from '../../store/db.js';
import type { Ledger } from '../../store/ledger-store.js';
import { deliveryPosition } from '../../store/watch-deliveries.js';
import { type AlertItem, alertItem, jsonBody, slackBody } from './message.js';
import { checkSinkOptions, type WebhookSinkOptions } from './options.js';
import { postWebhook } from './post.js';
import { signWebhook } from './sign.js';

/** Log entries read per query. */
const READ = 100;
/** Alerts folded into one summary at most; more waiting go in the next message. */
const FOLD_MAX = 100;
const WINDOW_MS = 60_000;

export interface SinkStep {
  /** Alerts the receiver accepted in this step (a summary counts each alert it carries). */
  delivered: number;
  /** Messages the receiver accepted in this step. */
  messages: number;
  /** The next log index to deliver, after this step. */
  position: number;
  /** Why the last attempt failed (the URL masked, never the secret). */
  failure?: string;
  /** Alerts are waiting for the rate limit's window to reopen. */
  limited?: boolean;
  /** Nothing will be tried before this many milliseconds (a backoff, or the rate limit). */
  waitMs?: number;
}

export interface WebhookSink {
  name: string;
  step(): Promise<SinkStep>;
  /** Steps until `signal` aborts, sleeping `waitMs` (or `idleMs`, default 1 s, when caught up) in between. */
  run(opts: { signal: AbortSignal; idleMs?: number; onStep?: (step: SinkStep) => void }): Promise<void>;
}

/** Clocks and backoff, for tests and tuning; defaults are the process clock and 1 s doubling to 60 s. */
export interface SinkTiming {
  /** Milliseconds, for the rate window and the backoff (not for the signed timestamp: that is real time). */
  now?: () => number;
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
}

export interface Outbox {
  db: Pick<Db, 'query'>;
  ledger: Pick<Ledger, 'origin' | 'entries'>;
}

/** Full-then-half jitter: between half and all of `base·2^(n-1)`, capped. */
function backoffMs(
  failures: number,
  policy: { baseMs: number; maxMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export function webhookSink(
  outbox: Outbox,
  options: WebhookSinkOptions,
  timing: SinkTiming = {},
): WebhookSink {
  const o = checkSinkOptions(options);
  const now = timing.now ?? Date.now;
  const random = timing.random ?? Math.random;
  const policy = timing.backoff ?? { baseMs: 1_000, maxMs: 60_000 };
  const { ledger } = outbox;
  const position = deliveryPosition(outbox.db, { sink: o.name, origin: ledger.origin });
  const minRank = SEVERITIES.indexOf(o.minSeverity);
  const wanted = (i: AlertItem) => SEVERITIES.indexOf(i.severity) <= minRank;

  const sent: number[] = []; // when each message in the current window went
  let folding = false;
  let failures = 0;
  let retryAt = 0;

  /** Up to `max` wanted alerts from `from` on, and the index just past what they (and the entries skipped) cover. */
  const pending = async (from: number, max: number): Promise<{ items: AlertItem[]; end: number }> => {
    const items: AlertItem[] = [];
    let at = from;
    for (;;) {
      const records = await ledger.entries(at, at + READ);
      if (records.length === 0) return { items, end: at };
      for (const record of records) {
        const item = alertItem(record);
        if (item && wanted(item)) {
          if (items.length === max) return { items, end: record.index };
          items.push(item);
        }
        at = record.index + 1;
      }
    }
  };

  const send = (items: AlertItem[]) => {
    const body = o.kind === 'json' ? jsonBody(ledger.origin, items) : slackBody(items);
    const headers = o.kind === 'json' && o.secret ? signWebhook(o.secret, body, Date.now() / 1000) : {};
    return postWebhook(o.url, body, headers, o.timeoutMs);
  };

  const step = async (): Promise<SinkStep> => {
    let delivered = 0;
    let messages = 0;
    const done = (at: number, more: Omit<SinkStep, 'delivered' | 'messages' | 'position'> = {}) => ({
      delivered,
      messages,
      position: at,
      ...more,
    });
    if (now() < retryAt) return done(await position.load(), { waitMs: retryAt - now() });
    for (;;) {
      const from = await position.load();
      while (sent.length > 0 && (sent[0] ?? 0) <= now() - WINDOW_MS) sent.shift();
      const { items, end } = await pending(from, folding ? FOLD_MAX : 1);
      const first = items[0];
      if (!first) {
        if (end > from) await position.advance(from, end);
        return done(end);
      }
      if (sent.length >= o.maxPerMinute) {
        folding = true;
        // Step over what was skipped before the first waiting alert; the alerts themselves wait.
        if (first.logIndex > from) await position.advance(from, first.logIndex);
        return done(first.logIndex, { limited: true, waitMs: (sent[0] ?? 0) + WINDOW_MS - now() });
      }
      const outcome = await send(items);
      if (!outcome.ok) {
        failures++;
        retryAt = now() + backoffMs(failures, policy, random);
        return done(from, { failure: outcome.reason, waitMs: retryAt - now() });
      }
      failures = 0;
      sent.push(now());
      folding = items.length === FOLD_MAX;
      delivered += items.length;
      messages++;
      // Another process delivering for this sink moved it meanwhile: the next round reads where it is now.
      await position.advance(from, end);
    }
  };

  return {
    name: o.name,
    step,
    async run({ signal, idleMs = 1_000, onStep }) {
      while (!signal.aborted) {
        const s = await step();
        onStep?.(s);
        await sleep(s.waitMs ?? idleMs, signal);
      }
    },
  };
}
