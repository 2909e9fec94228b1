/** `patchgate simulate`: the patch on a shadow deployment, through the real governance path. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { renderReport, writeOutput } from '../report/index.js';
import {
  addOutputOptions,
  addPatchOption,
  addProjectOptions,
  addRpcOption,
  addSeedOption,
  addStoreOptions,
  blockNumber,
  blockRange,
  type OutputOptions,
  type ProjectOptions,
  REPORT_FORMATS,
  type ReportFormat,
  rpcUrl,
  stateDirOf,
  useColor,
} from './options.js';
import { addSourceRootOption, addSourceUrlOption, sarifPlacement } from './sarif-placement.js';
import { assertStateNotCommitted } from './state-dir.js';

interface SimulateOptions extends ProjectOptions, OutputOptions<ReportFormat> {
  sourceRoot?: string;
  sourceUrl?: string;
  patch: string;
  rpc?: string;
  forkUrl?: string;
  forkBlock?: bigint;
  replayBlocks?: [bigint, bigint];
  seed?: number;
  stateDir: string;
}

export function simulateCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('simulate').description(
    'deploy the live system locally, apply the patch through Safe → timelock → proxy, replay the exploit',
  );
  addProjectOptions(cmd);
  addPatchOption(cmd, 'the patch to simulate, as declared in the config', { required: true });
  addRpcOption(cmd, {
    note: 'the system there is simulated on a fork of it; the node itself is never written to',
  });
  cmd
    .option(
      '--fork-url <url>',
      'fork a live network (the system is found at the config\'s "live" addresses)',
      rpcUrl('--fork-url'),
    )
    .option('--fork-block <n>', 'block number to fork at', blockNumber('--fork-block', 'bad-fork-block'))
    .option(
      '--replay-blocks <from:to>',
      'with --fork-url: replay the transactions of these blocks before and after',
      blockRange('--replay-blocks'),
    );
  addSeedOption(cmd);
  addStoreOptions(cmd, { database: false });
  addOutputOptions(cmd, REPORT_FORMATS);
  addSourceRootOption(cmd);
  addSourceUrlOption(cmd);
  cmd.action(async (opts: SimulateOptions) => {
    const stateDir = stateDirOf(opts);
    const { config, projectDir } = await loadConfig({
      file: opts.config,
      searchDir: resolve(opts.project ?? '.'),
    });
    assertStateNotCommitted(stateDir, projectDir); // its caches are trusted as they are
    const placement = sarifPlacement(projectDir, opts.sourceRoot, opts.sourceUrl); // a bad --source-root: exit 2 before any work
    // The chain stack (viem, anvil) loads only for this command.
    const { runSimulate } = await import('../simulate/run-simulate.js');
    const report = await runSimulate({
      config,
      projectDir: opts.project ? resolve(opts.project) : projectDir,
      stateDir,
      patch: opts.patch,
      rpcUrl: opts.rpc,
      forkUrl: opts.forkUrl,
      forkBlock: opts.forkBlock === undefined ? undefined : Number(opts.forkBlock),
      replayBlocks: opts.replayBlocks,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    });
    writeOutput(
      renderReport(report, opts.format, {
        color: useColor(opts.out),
        ...placement,
      }),
      opts.out,
    );
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
