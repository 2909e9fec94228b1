/** `patchgate verify`: what ran on chain is exactly what was approved. */
import { Command } from 'commander';
import pc from 'picocolors';
import type { Hex } from 'viem';
import type { VerifyReport } from '../lifecycle/verify.js';
import { renderReport, reportFormat, writeOutput } from '../report/index.js';
import { addLifecycleOptions, type LifecycleOptions, withLifecycle } from './lifecycle.js';
import { addDigestArgument, REPORT_FORMATS, useColor } from './options.js';

export function verifyText(r: VerifyReport, color = false): string[] {
  const c = pc.createColors(color);
  const width = Math.max(...r.checks.map((k) => k.name.length));
  const lines = [
    `${r.verdict === 'pass' ? c.green(c.bold('PASS')) : c.red(c.bold('FAIL'))}  verify ${r.patch}  digest ${r.digest.slice(0, 18)}…  (state ${r.state})`,
    ...r.checks.map((k) => `  ${k.ok ? c.green('✓') : c.red('✗')} ${k.name.padEnd(width)}  ${k.detail}`),
  ];
  for (const f of r.findings) lines.push('', `  ${c.red(f.id)}: ${f.message}`, `    > fix: ${f.hint}`);
  return lines;
}

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
    if (opts.format === 'text')
      writeOutput(`${verifyText(report, useColor(opts.out)).join('\n')}\n`, opts.out);
    else writeOutput(renderReport(report, reportFormat(opts.format ?? 'json')), opts.out);
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
