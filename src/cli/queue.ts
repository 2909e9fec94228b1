/** `patchgate queue`: the approved patch into the timelock, through the Safe. */
import { Command } from 'commander';
import type { Hex } from 'viem';
import { formatEta } from '../lifecycle/execute.js';
import type { QueueResult } from '../lifecycle/queue.js';
import {
  addLifecycleOptions,
  emit,
  exportSafeTxBatch,
  type LifecycleOptions,
  requiredAccount,
  withLifecycle,
} from './lifecycle.js';
import { addDigestArgument, addKeyOptions, type KeyOptions } from './options.js';

export function queueText(r: QueueResult, now: bigint): string[] {
  return [
    `${r.already ? 'ALREADY QUEUED' : 'QUEUED'}  operation ${r.operationId}${r.txHash ? `  (tx ${r.txHash})` : ''}`,
    `  executable from ${formatEta(r.eta, now)}`,
    '',
    `next: patchgate execute ${r.digest} --rpc URL --key-env SUBMITTER_KEY (after the delay; --wait polls)`,
  ];
}

export function queueCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('queue').description(
    'schedule the approved patch on the timelock through the Safe (approvals verified again)',
  );
  addDigestArgument(cmd);
  addLifecycleOptions(cmd, { formats: ['text', 'json', 'safe-tx-builder'] });
  addKeyOptions(cmd, 'the submitter (pays gas; any account)');
  cmd.action(async (digest: Hex, opts: LifecycleOptions & KeyOptions) => {
    if (opts.format === 'safe-tx-builder') {
      await exportSafeTxBatch(opts, digest, 'schedule');
      onExit(0);
      return;
    }
    const submitter = requiredAccount(opts);
    const { result, now } = await withLifecycle(opts, async (lc) => {
      const { queue } = await import('../lifecycle/queue.js');
      const { chainNow } = await import('../lifecycle/context.js');
      return { result: await queue(lc, { digest, submitter }), now: await chainNow(lc) };
    });
    emit(opts, result, () => queueText(result, now));
    onExit(0);
  });
  return cmd;
}
