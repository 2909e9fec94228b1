/** `patchgate check`: static upgrade safety of a patch (reference = live, candidate = the patch). */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { assertKnownIds, parseAllow } from '../analyze/acknowledge.js';
import { type RunCheckParameters, runCheck } from '../analyze/run-check.js';
import { runPairs } from '../analyze/run-pairs.js';
import { gitReferenceProject } from '../build/git.js';
import { loadConfig } from '../config/load.js';
import { configPairs, readPairsFile } from '../config/pairs.js';
import { inputError } from '../core/errors.js';
import { renderReport, writeOutput } from '../report/index.js';
import {
  addOutputOptions,
  addPatchOption,
  addProjectOptions,
  addStoreOptions,
  choiceOption,
  type OutputOptions,
  type ProjectOptions,
  REPORT_FORMATS,
  type ReportFormat,
  stateDirOf,
  useColor,
} from './options.js';
import { addSourceRootOption, addSourceUrlOption, sarifPlacement } from './sarif-placement.js';

const KINDS = ['transparent', 'uups', 'beacon'] as const;

interface CheckOptions extends ProjectOptions, OutputOptions<ReportFormat> {
  sourceRoot?: string;
  sourceUrl?: string;
  patch?: string;
  reference?: string;
  candidate?: string;
  kind?: (typeof KINDS)[number];
  all?: boolean;
  pairs?: string;
  allow: string[];
  stateDir: string;
  referenceGit?: string;
}

export function checkCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('check').description(
    'check a patch statically: storage layout, upgrade safety, ABI, access control, initializers',
  );
  addProjectOptions(cmd, 'Foundry, Hardhat or plain-Solidity project directory');
  addPatchOption(cmd, 'a patch declared in the config (gives reference, candidate and kind)');
  cmd
    .option('--reference <ref>', 'the live implementation: Name or path/File.sol:Name')
    .option('--candidate <ref>', 'the patched implementation: Name or path/File.sol:Name')
    .option(
      '--reference-git <rev>',
      'take the reference from git revision REV of this repository (e.g. origin/main): the same contract name ' +
        'built from the project as it is there; --reference then names it in that build',
    )
    .addOption(choiceOption('--kind <kind>', 'proxy kind (inferred when omitted)', KINDS, 'bad-kind'))
    .option('--all', 'check every patch declared in the config, in one run (exit code of the worst)')
    .option(
      '--pairs <file>',
      'check every pair of a JSON list [{name?, reference, candidate, kind?}], in one run (exit code of the worst)',
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
  cmd.action(async (opts: CheckOptions) => {
    const stateDir = stateDirOf(opts);
    const searchDir = resolve(opts.project ?? '.');
    const { config, projectDir } = await loadConfig({ file: opts.config, searchDir });
    const placement = sarifPlacement(projectDir, opts.sourceRoot, opts.sourceUrl); // a bad --source-root: exit 2 before any work
    const acknowledge = [...config.acknowledge, ...opts.allow.map(parseAllow)];
    assertKnownIds(acknowledge); // before compiling: a typo should not cost a compile
    const dir = opts.project ? resolve(opts.project) : projectDir;
    if (opts.all || opts.pairs) {
      assertManyPairsAlone(opts);
      const pairs = opts.pairs ? readPairsFile(resolve(opts.pairs)) : configPairs(config);
      const report = await runPairs({
        projectDir: dir,
        stateDir,
        pairs,
        acknowledge,
        ...(await referenceBuild(opts, dir, stateDir)),
      });
      const text = renderReport(report, opts.format, {
        color: useColor(opts.out),
        ...placement,
      });
      writeOutput(text, opts.out);
      onExit(report.verdict === 'pass' ? 0 : 1);
      return;
    }
    let reference = opts.reference;
    let candidate = opts.candidate;
    let kind = opts.kind;
    if (opts.patch) {
      const patch = config.patches.find((p) => p.name === opts.patch);
      if (!patch) {
        throw inputError(
          'unknown-patch',
          `patch "${opts.patch}" is not declared in the config`,
          `declared patches: ${config.patches.map((p) => p.name).join(', ') || 'none'}`,
        );
      }
      const target = config.contracts[patch.contract];
      reference ??= target?.reference;
      candidate ??= patch.candidate;
      kind ??= target?.kind;
    }
    // From a git revision the reference is, by default, the candidate's own name as it is there.
    if (opts.referenceGit) reference ??= candidate;
    if (!reference || !candidate) {
      throw inputError(
        'missing-argument',
        `check needs ${!reference ? '--reference' : '--candidate'}`,
        'pass --reference REF --candidate REF (REF = Name or path/File.sol:Name), or --patch NAME from the config',
      );
    }
    const report = await runCheck({
      projectDir: dir,
      stateDir,
      reference,
      candidate,
      kind,
      acknowledge,
      ...(await referenceBuild(opts, dir, stateDir)),
    });
    const text = renderReport(report, opts.format, {
      color: useColor(opts.out),
      ...placement,
    });
    writeOutput(text, opts.out);
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}

/** The reference's own build, when an option says where it comes from (else: the candidate's project). */
async function referenceBuild(
  opts: CheckOptions,
  projectDir: string,
  stateDir: string,
): Promise<Pick<RunCheckParameters, 'referenceProject' | 'referenceFrom'>> {
  if (opts.referenceGit === undefined) return {};
  const rev = opts.referenceGit;
  const { project, commit } = await gitReferenceProject({ projectDir, stateDir, rev });
  return { referenceProject: project, referenceFrom: { source: 'git', rev, commit } };
}

/** `--all` and `--pairs` name their own pairs: a single pair's options beside them are a mistake, not a filter. */
function assertManyPairsAlone(opts: CheckOptions): void {
  const single = (['patch', 'reference', 'candidate', 'kind'] as const).find((k) => opts[k] !== undefined);
  if (opts.all && opts.pairs) {
    throw inputError(
      'conflicting-option',
      '--all and --pairs cannot be used together',
      '--all checks the patches of the config, --pairs those of a file: pick one',
    );
  }
  if (single) {
    throw inputError(
      'conflicting-option',
      `--${single} cannot be used with ${opts.all ? '--all' : '--pairs'}`,
      opts.all
        ? `drop --all to check one pair, or drop --${single} (each contract in the config gives its kind)`
        : 'drop --pairs to check one pair, or put it in the pairs file (each entry has its own "kind")',
    );
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
