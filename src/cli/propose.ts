/** `patchgate propose`: check and simulate a patch against the live chain, then record it for approval. */
import { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { loadAccount } from '../govern/keys.js';
import { renderReport, reportFormat, writeOutput } from '../report/index.js';
import { addLifecycleOptions, type LifecycleOptions, optionalAccount, withLifecycle } from './lifecycle.js';
import {
  addKeyOptions,
  addPatchOption,
  bytes32,
  choiceOption,
  type KeyOptions,
  REPORT_FORMATS,
  useColor,
} from './options.js';
import { address } from './options-address.js';
import { assertStateNotCommitted } from './state-dir.js';

interface ProposeOptions extends LifecycleOptions, KeyOptions {
  patch: string;
  lane: 'standard' | 'emergency';
  implementation?: Address;
  predecessor?: Hex;
  guardianKeyEnv?: string;
  again?: boolean;
}

export function proposeCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('propose').description(
    'check and simulate a patch against the live chain, deploy its implementation, record it for approval',
  );
  addPatchOption(cmd, 'the patch, as declared in the config', { required: true });
  cmd
    .addOption(
      choiceOption('--lane <lane>', 'standard (review window) or emergency', [
        'standard',
        'emergency',
      ]).default('standard'),
    )
    .option(
      '--implementation <address>',
      'use this already deployed implementation (checked against the build)',
      address('--implementation'),
    )
    .option(
      '--predecessor <id>',
      'a timelock operation that must execute first',
      bytes32('--predecessor', 'bad-predecessor', 'pass the timelock operation id: 0x and 64 hex digits'),
    )
    .option(
      '--guardian-key-env <name>',
      'emergency lane: environment variable holding the guardian key, to pause at once',
    )
    .option('--again', 'propose anew with fresh evidence even when this patch is already open');
  addLifecycleOptions(cmd, {
    rpcNote: 'checked and simulated on a fork of it, then deployed and recorded there',
    formats: REPORT_FORMATS,
  });
  addKeyOptions(cmd, 'the deployer');
  cmd.action(async (opts: ProposeOptions) => {
    const deployer = optionalAccount(opts);
    const guardian = opts.guardianKeyEnv
      ? loadAccount({ keyEnv: opts.guardianKeyEnv, keyEnvOption: '--guardian-key-env' })
      : undefined;
    // propose starts state: the one lifecycle command that may create the store.
    const report = await withLifecycle(
      opts,
      async (lc) => {
        assertStateNotCommitted(lc.stateDir, lc.projectDir); // its check and simulate caches are trusted as they are
        const { propose } = await import('../lifecycle/propose.js');
        return propose(lc, {
          patch: opts.patch,
          lane: opts.lane,
          deployer,
          guardian,
          implementation: opts.implementation,
          predecessor: opts.predecessor,
          again: opts.again,
        });
      },
      { create: true },
    );
    writeOutput(
      renderReport(report, reportFormat(opts.format ?? 'text'), { color: useColor(opts.out) }),
      opts.out,
    );
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
