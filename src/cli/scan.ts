/** `patchgate scan`: the vulnerability scan of a project's contracts, or of one patch (`--reference`). */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { assertKnownIds, parseAllow } from '../analyze/acknowledge.js';
import { runScan } from '../analyze/run-scan.js';
import { loadConfig } from '../config/load.js';
import { inputError } from '../core/errors.js';
import { renderReport, writeOutput } from '../report/index.js';
import {
  addOutputOptions,
  addProjectOptions,
  addStoreOptions,
  type OutputOptions,
  type ProjectOptions,
  REPORT_FORMATS,
  type ReportFormat,
  stateDirOf,
  useColor,
} from './options.js';
import { addSourceRootOption, addSourceUrlOption, sarifPlacement } from './sarif-placement.js';
import { assertStateNotCommitted } from './state-dir.js';

interface ScanOptions extends ProjectOptions, OutputOptions<ReportFormat> {
  reference?: string;
  allow: string[];
  stateDir: string;
  sourceRoot?: string;
  sourceUrl?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function scanCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('scan')
    .description(
      'scan contracts for vulnerabilities (reentrancy, unprotected functions, tx.origin, …); with --reference, ' +
        'judge a patch: what it fixed, introduced or kept (an introduced high or critical blocks)',
    )
    .argument(
      '[contracts...]',
      'contracts to scan: Name or path/File.sol:Name (default: every deployable one)',
    );
  addProjectOptions(cmd, 'Foundry, Hardhat or plain-Solidity project directory');
  cmd
    .option(
      '--reference <ref>',
      'the live version of the one contract named: scan the patch reference → contract',
    )
    .option(
      '--allow <id>',
      'acknowledge a finding: ID, ID@Contract or ID@Contract.function (repeatable)',
      collect,
      [],
    );
  addStoreOptions(cmd, { database: false });
  addOutputOptions(cmd, REPORT_FORMATS);
  addSourceRootOption(cmd);
  addSourceUrlOption(cmd);
  cmd.action(async (contracts: string[], opts: ScanOptions) => {
    const stateDir = stateDirOf(opts);
    const { config, projectDir } = await loadConfig({
      file: opts.config,
      searchDir: resolve(opts.project ?? '.'),
    });
    assertStateNotCommitted(stateDir, projectDir); // its caches are trusted as they are
    const placement = sarifPlacement(projectDir, opts.sourceRoot, opts.sourceUrl);
    const acknowledge = [...config.acknowledge, ...opts.allow.map(parseAllow)];
    assertKnownIds(acknowledge);
    if (opts.reference !== undefined && contracts.length !== 1) {
      throw inputError(
        'missing-argument',
        `--reference needs exactly one contract to compare it with (${contracts.length} given)`,
        'e.g. patchgate scan VaultV2 --reference VaultV1',
      );
    }
    const report = await runScan({
      projectDir: opts.project ? resolve(opts.project) : projectDir,
      stateDir,
      contracts,
      ...(opts.reference !== undefined ? { reference: opts.reference } : {}),
      acknowledge,
    });
    writeOutput(renderReport(report, opts.format, { color: useColor(opts.out), ...placement }), opts.out);
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
