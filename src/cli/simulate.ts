/** `patchgate simulate`: the patch on a shadow deployment, through the real governance path. */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { inputError } from '../core/errors.js';
import { renderReport, writeOutput } from '../report/index.js';
import { addOutputOptions, outputOptions, rpcUrlOption, useColor } from './common.js';

export function simulateCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('simulate')
    .description(
      'deploy the live system locally, apply the patch through Safe → timelock → proxy, replay the exploit',
    )
    .option('--project <dir>', 'project directory (default: the config file\'s "project")')
    .option('--config <file>', 'patchgate.config.json (default: the one in the current directory)')
    .requiredOption('--patch <name>', 'the patch to simulate, as declared in the config')
    .option(
      '--rpc <url>',
      'deploy the system on a fork of this node (the node itself is never written to)',
      rpcUrlOption('--rpc'),
    )
    .option(
      '--fork-url <url>',
      'fork a live network (the system is found at the config\'s "live" addresses)',
      rpcUrlOption('--fork-url'),
    )
    .option('--fork-block <n>', 'block number to fork at', (v) => {
      if (!/^\d+$/.test(v))
        throw inputError(
          'bad-fork-block',
          `--fork-block "${v}" is not a block number`,
          'pass a decimal block number',
        );
      return Number(v);
    });
  cmd.option(
    '--replay-blocks <from:to>',
    'with --fork-url: replay the transactions of these blocks before and after',
    (v) => {
      const m = /^(\d+):(\d+)$/.exec(v);
      if (!m || BigInt(m[1] as string) > BigInt(m[2] as string)) {
        throw inputError(
          'bad-replay-blocks',
          `--replay-blocks "${v}" is not a block range`,
          'write FROM:TO, e.g. 19000000:19000010',
        );
      }
      return [BigInt(m[1] as string), BigInt(m[2] as string)] as [bigint, bigint];
    },
  );
  addOutputOptions(cmd);
  cmd.action(
    async (opts: {
      project?: string;
      config?: string;
      patch: string;
      rpc?: string;
      forkUrl?: string;
      forkBlock?: number;
      replayBlocks?: [bigint, bigint];
      format?: string;
      out?: string;
      stateDir?: string;
    }) => {
      const out = outputOptions(opts);
      const { config, projectDir } = await loadConfig({
        file: opts.config,
        searchDir: resolve(opts.project ?? '.'),
      });
      // The chain stack (viem, anvil) loads only for this command.
      const { runSimulate } = await import('../simulate/run-simulate.js');
      const report = await runSimulate({
        config,
        projectDir: opts.project ? resolve(opts.project) : projectDir,
        stateDir: out.stateDir,
        patch: opts.patch,
        rpcUrl: opts.rpc,
        forkUrl: opts.forkUrl,
        forkBlock: opts.forkBlock,
        replayBlocks: opts.replayBlocks,
      });
      writeOutput(
        renderReport(report, out.format, { color: useColor(out.out), rootDir: projectDir }),
        out.out,
      );
      onExit(report.verdict === 'pass' ? 0 : 1);
    },
  );
  return cmd;
}
