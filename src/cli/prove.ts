/** `patchgate prove`: SMTChecker's CHC engine on a contract's assertions and, with the config, the fix's property. */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { assertKnownIds, parseAllow } from '../analyze/acknowledge.js';
import { runProve } from '../analyze/run-prove.js';
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
import { assertStateNotCommitted } from './state-dir.js';

interface ProveOptions extends ProjectOptions, OutputOptions<ReportFormat> {
  timeout: number;
  allow: string[];
  stateDir: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseTimeout(value: string): number {
  const seconds = Number(value);
  // The config's limit too: past 3600 s a timer would not even fire as set (Node's timers stop at 2^31 ms).
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw inputError(
      'invalid-argument',
      `--timeout ${JSON.stringify(value)} is not a number of seconds from 0 to 3600`,
      'e.g. --timeout 60',
    );
  }
  return seconds;
}

export function proveCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('prove')
    .description(
      "prove a contract's assert()s with SMTChecker's CHC engine and, with the config, the fix's property " +
        '(no deposit mints shares worth more than it paid); a violation blocks with its call sequence, an ' +
        'undecided target blocks unless acknowledged',
    )
    .argument('<contract>', 'the contract to prove: Name or path/File.sol:Name');
  addProjectOptions(cmd, 'Foundry, Hardhat or plain-Solidity project directory');
  cmd
    .addOption(
      new Option('--timeout <seconds>', 'wall-clock limit per target; past it the target is unknown')
        .argParser(parseTimeout)
        .default(60),
    )
    .option('--allow <id>', 'acknowledge a finding: ID, ID@Contract (repeatable)', collect, []);
  addStoreOptions(cmd, { database: false });
  addOutputOptions(cmd, REPORT_FORMATS);
  cmd.action(async (contract: string, opts: ProveOptions) => {
    const stateDir = stateDirOf(opts);
    const { config, path, projectDir } = await loadConfig({
      file: opts.config,
      searchDir: resolve(opts.project ?? '.'),
    });
    assertStateNotCommitted(stateDir, projectDir); // its caches are trusted as they are
    const acknowledge = [...config.acknowledge, ...opts.allow.map(parseAllow)];
    assertKnownIds(acknowledge);
    const report = await runProve({
      projectDir: opts.project ? resolve(opts.project) : projectDir,
      stateDir,
      contract,
      fixProperty: path !== undefined,
      timeoutMs: opts.timeout * 1000,
      acknowledge,
    });
    writeOutput(renderReport(report, opts.format, { color: useColor(opts.out) }), opts.out);
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
