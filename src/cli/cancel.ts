/** `patchgate cancel`: withdraw a patch; a queued one is cancelled on the timelock through the Safe. */
import { Command } from 'commander';
import type { Hex } from 'viem';
import type { CancelResult } from '../lifecycle/cancel.js';
import {
  addLifecycleOptions,
  emit,
  type LifecycleOptions,
  optionalAccount,
  withLifecycle,
} from './lifecycle.js';
import { addDigestArgument, addKeyOptions, type KeyOptions } from './options.js';

export function cancelText(r: CancelResult): string[] {
  if (r.state === 'cancelled') {
    return [
      `${r.already ? 'ALREADY CANCELLED' : 'CANCELLED'}  ${r.digest}${r.txHash ? `  (tx ${r.txHash})` : ''}`,
    ];
  }
  const s = r.signatures;
  return [
    `SIGNED the cancel SafeTx ${s?.safeTxHash}: ${s?.have} of ${s?.need} owner signatures`,
    `next: another owner runs patchgate cancel ${r.digest} --rpc URL --key-env THEIR_KEY`,
  ];
}

export function cancelCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('cancel').description(
    'cancel a patch: in the store before it is queued, on the timelock (Safe owners) after',
  );
  addDigestArgument(cmd);
  addLifecycleOptions(cmd);
  addKeyOptions(cmd, 'a Safe owner (queued patches)');
  cmd.action(async (digest: Hex, opts: LifecycleOptions & KeyOptions) => {
    const signer = optionalAccount(opts);
    const result = await withLifecycle(opts, async (lc) =>
      (await import('../lifecycle/cancel.js')).cancel(lc, { digest, signer }),
    );
    emit(opts, result, () => cancelText(result));
    onExit(0);
  });
  return cmd;
}
