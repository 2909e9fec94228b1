/** `patchgate pause`: the guardian's emergency brake on a live contract named in the config. */
import { Command } from 'commander';
import type { Address } from 'viem';
import { inputError } from '../core/errors.js';
import { addLifecycleOptions, emit, type LifecycleOptions, requiredAccount, withChain } from './lifecycle.js';
import { addKeyOptions, type KeyOptions } from './options.js';

export function pauseCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('pause')
    .description('pause a live contract with the guardian key (pause only: it can do nothing else)')
    .requiredOption('--contract <name>', 'the contract, by its name under "live" in the config');
  addLifecycleOptions(cmd, { rpcNote: 'the contract is paused there' });
  addKeyOptions(cmd, 'the guardian');
  cmd.action(async (opts: LifecycleOptions & KeyOptions & { contract: string }) => {
    const guardian = requiredAccount(opts);
    const result = await withChain(opts, async (lc) => {
      const address = lc.config.live?.[opts.contract]?.address;
      if (!address) {
        throw inputError(
          'unknown-contract',
          `"${opts.contract}" is not under "live" in the config`,
          `live: ${Object.keys(lc.config.live ?? {}).join(', ') || 'none'}`,
        );
      }
      const { pauseTarget } = await import('../lifecycle/pause.js');
      return pauseTarget(lc, { address: address as Address, guardian });
    });
    emit(opts, result, () => [
      result.already
        ? `ALREADY PAUSED  ${result.address}`
        : `PAUSED  ${result.address}  (tx ${result.txHash})`,
    ]);
    onExit(0);
  });
  return cmd;
}
