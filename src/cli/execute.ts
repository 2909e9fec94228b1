/** `patchgate execute`: the queued patch, once its delay has passed, through the Safe and the timelock. */
import { Command } from 'commander';
import type { Hex } from 'viem';
import type { ExecuteResult } from '../lifecycle/execute.js';
import {
  addLifecycleOptions,
  emit,
  exportSafeTxBatch,
  type LifecycleOptions,
  requiredAccount,
  withLifecycle,
} from './lifecycle.js';
import { addDigestArgument, addKeyOptions, type KeyOptions } from './options.js';

interface ExecuteOptions extends LifecycleOptions, KeyOptions {
  wait?: boolean;
  warp?: boolean;
}

export function executeText(r: ExecuteResult): string[] {
  return [
    `${r.already ? 'ALREADY EXECUTED' : 'EXECUTED'}  operation ${r.operationId}${r.txHash ? `  (tx ${r.txHash})` : ''}`,
    ...(r.warped !== undefined ? [`  local clock moved forward ${r.warped} s to the ETA`] : []),
    '',
    `next: patchgate verify ${r.digest} --rpc URL`,
  ];
}

export function executeCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('execute')
    .description('execute the queued patch once the timelock delay has passed')
    .option('--wait', 'poll until the operation is ready (live chain), showing the ETA')
    .option('--warp', "move a local node's clock (anvil, Hardhat) to the ETA");
  addDigestArgument(cmd);
  addLifecycleOptions(cmd, { formats: ['text', 'json', 'safe-tx-builder'] });
  addKeyOptions(cmd, 'the submitter (pays gas; any account)');
  cmd.action(async (digest: Hex, opts: ExecuteOptions) => {
    if (opts.format === 'safe-tx-builder') {
      await exportSafeTxBatch(opts, digest, 'execute');
      onExit(0);
      return;
    }
    const submitter = requiredAccount(opts);
    const result = await withLifecycle(opts, async (lc) => {
      const { execute, formatEta } = await import('../lifecycle/execute.js');
      return execute(lc, {
        digest,
        submitter,
        wait: opts.warp ? 'warp' : opts.wait ? 'poll' : 'no',
        onWaiting: (eta, now) =>
          process.stderr.write(`waiting for the timelock: ready at ${formatEta(eta, now)}\n`),
      });
    });
    emit(opts, result, () => executeText(result));
    onExit(0);
  });
  return cmd;
}
