/** `patchgate propose`: check and simulate a patch against the live chain, then record it for approval. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { inputError } from '../core/errors.js';
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
  embargo?: boolean;
  bundle?: string;
}

/** The bundle for the approvers, readable by its owner only (0600), written whole or not at all. */
function writeBundle(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw inputError(
      'out-unwritable',
      `cannot write --bundle ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'pass a path in a directory you can write; the patch is recorded: run propose again to write the file',
    );
  }
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
    .option('--again', 'propose anew with fresh evidence even when this patch is already open')
    .option(
      '--embargo',
      'embargoed: the public log gets only a commitment until `patchgate reveal` (docs/embargo.md)',
    )
    .option('--bundle <file>', 'with --embargo: write the bundle for the approvers here (mode 0600)');
  addLifecycleOptions(cmd, {
    rpcNote: 'checked and simulated on a fork of it, then deployed and recorded there',
    formats: REPORT_FORMATS,
  });
  addKeyOptions(cmd, 'the deployer');
  cmd.action(async (opts: ProposeOptions) => {
    if (Boolean(opts.embargo) !== (opts.bundle !== undefined)) {
      throw inputError(
        'embargo-needs-bundle',
        opts.embargo ? '--embargo needs --bundle FILE' : '--bundle FILE is for an embargoed proposal',
        'pass both: --embargo --bundle FILE (the file the approvers receive privately)',
      );
    }
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
          embargo: opts.embargo,
        });
      },
      { create: true },
    );
    if (opts.bundle && report.embargo?.bundle) writeBundle(opts.bundle, report.embargo.bundle);
    // The bundle goes to its file only: the report (often a CI log) says where, and its commitment.
    const shown = report.embargo
      ? { ...report, embargo: { commitment: report.embargo.commitment, bundleFile: opts.bundle } }
      : report;
    writeOutput(
      renderReport(shown, reportFormat(opts.format ?? 'text'), { color: useColor(opts.out) }),
      opts.out,
    );
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
