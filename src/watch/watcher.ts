/**
 * The watcher's loop: blocks from the follower, each judged by every rule, each alert appended to the transparency
 * log as an `alert` entry exactly once — keyed by rule, block hash and the finding's key (`appendOnce`), so a block
 * handed out again after a crash or a reorg raises nothing twice — and only then emitted.
 *
 * Order and what it promises: log first, emit second. A watcher killed between the two has the alert in the log
 * and not on stdout; the next run does not emit it again (the log says it was raised). Delivery that must not be
 * lost (webhooks) reads from the log, not from this loop. An alert about a block later rolled back stays in the
 * log: it was seen on the chain at the time, and the rollback is reported beside it.
 */
import { type Hex, keccak256, toHex } from 'viem';
import type { Severity } from '../core/finding.js';
import type { Ledger } from '../store/ledger-store.js';
import type { BlockRef, Follower } from './follow.js';
import type { BlockRule } from './rule.js';

export interface Alert {
  rule: string;
  /** The finding id (`audit-unexplained-upgrade`, …). */
  id: string;
  severity: Severity;
  message: string;
  block: { number: bigint; hash: Hex };
  /** The log entry this alert was recorded as. */
  logIndex: number;
}

export type WatchEvent =
  | { kind: 'alert'; alert: Alert }
  | { kind: 'rollback'; to: bigint; dropped: BlockRef[] };

export interface WatcherOptions {
  follower: Follower;
  rules: readonly BlockRule[];
  ledger: Pick<Ledger, 'appendOnce'>;
  emit: (event: WatchEvent) => void | Promise<void>;
}

export interface Watcher {
  /** One pass: every new block through every rule; returns how many blocks and rollbacks were handled. */
  step(): Promise<number>;
}

export function watcher(options: WatcherOptions): Watcher {
  const { follower, rules, ledger, emit } = options;
  return {
    step: () =>
      follower.step(async (event) => {
        if (event.kind === 'rollback') {
          await emit(event);
          return;
        }
        const { block } = event;
        for (const rule of rules) {
          for (const finding of await rule.evaluate(block)) {
            const source = `watch:${rule.name}:${block.hash}:${finding.id}:${finding.key ?? ''}`;
            const [appended] = await ledger.appendOnce([
              {
                source,
                entry: {
                  kind: 'alert',
                  // An alert is about no patch: its digest is its own identity (rule, block, finding, key).
                  digest: keccak256(toHex(source)),
                  at: new Date(),
                  rule: rule.name,
                  severity: finding.severity,
                  message: finding.message,
                  blockNumber: block.number,
                },
              },
            ]);
            if (!appended) continue; // raised before this block was handed out again
            await emit({
              kind: 'alert',
              alert: {
                rule: rule.name,
                id: finding.id,
                severity: finding.severity,
                message: finding.message,
                block: { number: block.number, hash: block.hash },
                logIndex: appended.index,
              },
            });
          }
        }
      }),
  };
}
