/** `patchgate verify`: what ran on chain is exactly what was approved. */
import { Command } from 'commander';
import type { Hex } from 'viem';
import { renderReport, reportFormat, writeOutput } from '../report/index.js';
import { addLifecycleOptions, type LifecycleOptions, withLifecycle } from './lifecycle.js';
import { addDigestArgument, REPORT_FORMATS, useColor } from './options.js';

export function verifyCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('verify').description(
    'check on chain that the executed upgrade is exactly the approved one',
  );
  addDigestArgument(cmd);
  addLifecycleOptions(cmd, { formats: REPORT_FORMATS });
  cmd.action(async (digest: Hex, opts: LifecycleOptions) => {
    const report = await withLifecycle(opts, async (lc) =>
      (await import('../lifecycle/verify.js')).verify(lc, { digest }),
    );
    writeOutput(
      renderReport(report, reportFormat(opts.format ?? 'text'), { color: useColor(opts.out) }),
      opts.out,
    );
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
