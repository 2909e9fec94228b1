/** `patchgate propose`: check and simulate a patch against the live chain, then record it for approval. */
import { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { loadAccount } from '../govern/keys.js';
import type { ProposeReport } from '../lifecycle/propose.js';
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

interface ProposeOptions extends LifecycleOptions, KeyOptions {
  patch: string;
  lane: 'standard' | 'emergency';
  implementation?: Address;
  predecessor?: Hex;
  guardianKeyEnv?: string;
  again?: boolean;
}

export function proposeText(r: ProposeReport): string[] {
  if (r.verdict !== 'pass' || !r.record || !r.plan) {
    const failed = r.stages.find((s) => s.status === 'failed')?.name ?? 'a stage';
    return [
      `REFUSED  ${r.patch}: ${failed} fails — nothing was proposed`,
      ...r.findings.map((f) => `  ${f.severity.padEnd(8)} ${f.id}  ${f.message}`),
      `  run \`patchgate ${failed} --patch ${r.patch}\` for the full report`,
    ];
  }
  const { record, plan } = r;
  return [
    `${r.created ? 'PROPOSED' : 'ALREADY PROPOSED'}  ${r.patch}  (${record.lane} lane, state ${r.state})`,
    `  digest          ${r.digest}`,
    `  chain / proxy   ${record.chainId} / ${record.proxy}`,
    `  timelock call   ${record.target}  ${record.calldata.slice(0, 10)}… (${(record.calldata.length - 2) / 2} bytes)`,
    `  implementation  ${record.implementation} ${r.implementation?.reused ? '(already on chain)' : '(deployed now)'}  codehash ${record.codehash.slice(0, 18)}…`,
    `  evidence        check ${record.evidence.check?.slice(0, 18)}…  simulate ${record.evidence.simulate?.slice(0, 18)}…`,
    `  policy          ${r.policy?.threshold} of ${r.policy?.approvers.length} approvers; scheduled with a ${plan.delay} s delay on timelock ${plan.timelock}`,
    ...(r.paused
      ? [
          `  paused          ${r.paused.address} ${r.paused.already ? '(was already paused)' : `by the guardian (tx ${r.paused.txHash})`}`,
        ]
      : []),
    '',
    `next: each approver runs  patchgate approve ${r.digest} --rpc URL --key-env THEIR_KEY`,
  ];
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
    if (opts.format === 'text') writeOutput(`${proposeText(report).join('\n')}\n`, opts.out);
    else
      writeOutput(
        renderReport(report, reportFormat(opts.format ?? 'json'), { color: useColor(opts.out) }),
        opts.out,
      );
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
