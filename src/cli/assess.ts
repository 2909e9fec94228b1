/** `patchgate assess`: value at risk, exploit profit and cost, severity → priority and lane, exposure per lane. */
import { Argument, Command } from 'commander';
import { renderReport, reportFormat, writeOutput } from '../report/index.js';
import { addLifecycleOptions, type LifecycleOptions, withLifecycle } from './lifecycle.js';
import { REPORT_FORMATS, useColor } from './options.js';
import { assertStateNotCommitted } from './state-dir.js';

interface AssessOptions extends LifecycleOptions {
  public?: boolean;
}

export function assessCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('assess')
    .description(
      'how much the bug a patch fixes puts at risk, how severe and urgent it is, which lane it should take',
    )
    .addArgument(
      new Argument(
        '<patch>',
        'a patch name from the config (its open proposal, or check and simulate run now) or a stored digest',
      ),
    )
    .option('--public', 'the bug is known outside the team (a public report, an attack seen on chain)');
  addLifecycleOptions(cmd, {
    rpcNote: 'the live chain: balances, prices and the governance delays are read there',
    formats: REPORT_FORMATS,
  });
  cmd.action(async (patch: string, opts: AssessOptions) => {
    const report = await withLifecycle(
      opts,
      async (lc) => {
        assertStateNotCommitted(lc.stateDir, lc.projectDir);
        const { assess } = await import('../lifecycle/assess.js');
        return assess(lc, { patch, ...(opts.public ? { public: true } : {}) });
      },
      { create: true },
    );
    writeOutput(
      renderReport(report, reportFormat(opts.format ?? 'text'), { color: useColor(opts.out) }),
      opts.out,
    );
    onExit(0);
  });
  return cmd;
}
