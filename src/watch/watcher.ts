/**
 * The watcher's loop: blocks from the follower (and pending transactions, where the node shows them), each judged
 * by every rule, each alert appended to the transparency log as an `alert` entry exactly once — keyed by rule,
 * block hash (or pending transaction hash) and the finding's key (`appendOnce`), so a block handed out again after
 * a crash or a reorg raises nothing twice — and only then emitted.
 *
 * Order and what it promises: respond first, log second, emit third. The response (the pause) goes before the
 * alert's durable write because every millisecond before the brake is the attacker's; it is on the record anyway
 * (the pause is stored before it is broadcast and logged right after). Responses run for every finding a rule
 * returns, new or not: a watcher killed before it logged or paused re-reads the block and does both — responders
 * are idempotent (a paused contract, a pause in flight, a cancelled operation: nothing more is sent). A watcher
 * killed between logging and emitting has the alert in the log and not on stdout; the next run does not emit it
 * again (the log says it was raised). Delivery that must not be lost (webhooks) reads from the log, not from this
 * loop. An alert about a block later rolled back stays in the
 * log: it was seen on the chain at the time, and the rollback is reported beside it.
 */
import { type Hex, keccak256, toHex } from 'viem';
import { makeFinding } from '../analyze/catalog.js';
import { rethrowTransportFailure, rpcFailure, scrubUrls } from '../chain/rpc.js';
import { isPatchgateError } from '../core/errors.js';
import type { Severity } from '../core/finding.js';
import type { Ledger } from '../store/ledger-store.js';
import type { BlockRef, Follower } from './follow.js';
import type { BlockRule, PendingTx, WatchFinding } from './rule.js';

export interface Alert {
  rule: string;
  /** The finding id (`audit-unexplained-upgrade`, …). */
  id: string;
  severity: Severity;
  message: string;
  /** The block it was seen in, or for a pending transaction the head it was judged on. */
  block: { number: bigint; hash: Hex };
  /** Set when the alert is about a transaction not yet mined. */
  pending?: Hex;
  tx?: Hex;
  /** The log entry this alert was recorded as. */
  logIndex: number;
}

export type WatchEvent =
  | { kind: 'alert'; alert: Alert }
  | { kind: 'rollback'; to: bigint; dropped: BlockRef[] };

/** What a responder is told about each finding (new or seen before): the log source keys it. */
export interface Judged {
  rule: string;
  finding: WatchFinding;
  source: string;
  block: BlockRef;
  /** The pending transaction judged, when it was one. */
  pending?: PendingTx;
}

export interface WatcherOptions {
  follower: Follower;
  rules: readonly BlockRule[];
  ledger: Pick<Ledger, 'appendOnce'>;
  emit: (event: WatchEvent) => void | Promise<void>;
  /** Called for every finding after it is logged (and emitted if new). */
  respond?: (judged: Judged) => Promise<void>;
  now?: () => Date;
}

export interface Watcher {
  /** One pass: every new block through every rule; returns how many blocks and rollbacks were handled. */
  step(): Promise<number>;
  /** Judge a pending transaction on `head` with every rule that can; returns the findings. */
  pending(tx: PendingTx, head: BlockRef): Promise<WatchFinding[]>;
}

/** A rule that throws this many times in a row on one block (not for want of a node) is reported and passed over. */
const RULE_ATTEMPTS = 3;

export function watcher(options: WatcherOptions): Watcher {
  const { follower, rules, ledger, emit } = options;
  const now = options.now ?? (() => new Date());
  /** `<rule>:<block hash>` → the failed attempts so far. */
  const failures = new Map<string, number>();

  /**
   * A rule's failure on a block: a node that did not answer (or any environment failure) fails the pass, retried
   * from the same block for as long as it takes. Anything else (a bug, a value it cannot decode) is retried too,
   * but after RULE_ATTEMPTS on the same block it becomes a `watch-rule-failed` finding and the other rules go on:
   * one broken rule must not blind the watcher.
   */
  function failed(rule: BlockRule, block: BlockRef, error: unknown): WatchFinding[] {
    rethrowTransportFailure(error);
    if (isPatchgateError(error) && error.exitCode === 3) throw error;
    // The node's own refusal ("header not found" from a node a block behind, a log query over its cap): the
    // environment's, retried from the same block — never counted against the rule, never a block passed over.
    const node = rpcFailure(error);
    if (node && node.exitCode === 3) throw node;
    const key = `${rule.name}:${block.hash}`;
    const attempts = (failures.get(key) ?? 0) + 1;
    if (attempts < RULE_ATTEMPTS) {
      failures.set(key, attempts);
      throw error;
    }
    failures.delete(key);
    const reason = scrubUrls(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return [
      makeFinding('watch-rule-failed', {
        message: `rule ${rule.name} could not judge block ${block.number} (${attempts} attempts): ${reason.split('\n')[0]}`,
        key: 'rule-failed',
      }),
    ];
  }

  async function handle(
    rule: BlockRule,
    findings: readonly WatchFinding[],
    block: BlockRef,
    pending?: PendingTx,
  ) {
    for (const finding of findings) {
      const where = pending ? `pending:${pending.hash}` : block.hash;
      const source = `watch:${rule.name}:${where}:${finding.id}:${finding.key ?? ''}`;
      const tx = pending?.hash ?? finding.tx;
      // The brake first: nothing on the response's path waits for the alert's durable write.
      await options.respond?.({ rule: rule.name, finding, source, block, ...(pending ? { pending } : {}) });
      const [appended] = await ledger.appendOnce([
        {
          source,
          entry: {
            kind: 'alert',
            // An alert is about no patch: its digest is its own identity (rule, block, finding, key).
            digest: keccak256(toHex(source)),
            at: now(),
            rule: rule.name,
            severity: finding.severity,
            message: finding.message,
            blockNumber: block.number,
            ...(tx ? { txHash: tx } : {}),
          },
        },
      ]);
      if (appended) {
        await emit({
          kind: 'alert',
          alert: {
            rule: rule.name,
            id: finding.id,
            severity: finding.severity,
            message: finding.message,
            block: { number: block.number, hash: block.hash },
            ...(pending ? { pending: pending.hash } : {}),
            ...(tx ? { tx } : {}),
            logIndex: appended.index,
          },
        });
      }
    }
  }

  return {
    step: () =>
      follower.step(async (event) => {
        if (event.kind === 'rollback') {
          await emit(event);
          return;
        }
        // Every rule judges the block at once (detection latency is the slowest rule, not their sum); the alerts
        // are then logged and answered in rule order.
        const judged = await Promise.all(
          rules.map((rule) =>
            rule.evaluate(event.block).then(
              (found) => ({ rule, found }),
              (error: unknown) => ({ rule, error }),
            ),
          ),
        );
        // Every failure is decided (retry the pass, or report the rule) before anything is answered.
        const found = judged.map((j) => {
          if ('error' in j) return { rule: j.rule, found: failed(j.rule, event.block, j.error) };
          failures.delete(`${j.rule.name}:${event.block.hash}`);
          return j;
        });
        for (const j of found) await handle(j.rule, j.found, event.block);
      }),
    async pending(tx, head) {
      // Every rule judges at once and each one's findings are answered as soon as they are in, in rule order. Each
      // judgement is settled into a value first: one that fails while an earlier one is awaited must fail this pass,
      // not surface later as an unhandled rejection (which ends the process).
      const judging = rules.flatMap((rule) =>
        rule.evaluatePending
          ? [
              {
                rule,
                settled: rule.evaluatePending(tx, head).then(
                  (found) => ({ found }),
                  (error: unknown) => ({ error }),
                ),
              },
            ]
          : [],
      );
      const all: WatchFinding[] = [];
      for (const { rule, settled } of judging) {
        const result = await settled;
        if ('error' in result) throw result.error;
        await handle(rule, result.found, head, tx);
        all.push(...result.found);
      }
      return all;
    },
  };
}
