/** `patchgate check`: static upgrade safety of a patch (reference = live, candidate = the patch). */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { assertKnownIds, parseAllow } from '../analyze/acknowledge.js';
import { proveOf } from '../analyze/prove-stage.js';
import { type RunCheckParameters, runCheck } from '../analyze/run-check.js';
import { runPairs } from '../analyze/run-pairs.js';
import { gitReferenceProject } from '../build/git.js';
import { loadProject } from '../build/load.js';
import { sourcesFileProject } from '../build/sources-file.js';
import type { Project } from '../build/types.js';
import { loadConfig } from '../config/load.js';
import { configPairs, readPairsFile } from '../config/pairs.js';
import { inputError } from '../core/errors.js';
import { renderReport, writeOutput } from '../report/index.js';
import {
  addOutputOptions,
  addPatchOption,
  addProjectOptions,
  addRpcOption,
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
import { assertStateNotCommitted } from './state-dir.js';

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
  referenceAddress?: string;
  referenceSources?: string;
  rpc?: string;
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
    .option(
      '--reference-address <addr>',
      'take the reference from chain (needs --rpc): the build whose runtime code is what the proxy (or ' +
        'implementation) at ADDR runs; no matching build blocks (exit 1)',
    )
    .option(
      '--reference-sources <file>',
      "take the reference from a block explorer's verified sources (standard-JSON input, or Etherscan's " +
        'getsourcecode JSON), compiled with their settings; with --reference-address they must match the chain',
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
  addRpcOption(cmd, { note: 'with --reference-address' });
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
    assertStateNotCommitted(stateDir, dir); // its caches are trusted as they are
    if (opts.all || opts.pairs) {
      assertManyPairsAlone(opts);
      const pairs = opts.pairs ? readPairsFile(resolve(opts.pairs)) : configPairs(config);
      const { referenceProject, referenceFrom } = await referenceBuild(opts, dir, stateDir);
      const report = await runPairs({
        projectDir: dir,
        stateDir,
        pairs,
        acknowledge,
        ...(referenceProject ? { referenceProject, referenceFrom } : {}),
        ...proveOf(config),
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
    // From a git revision the reference is, by default, the candidate's own name as it is there; from chain, the
    // build that matches the code there (a named reference must be that build).
    if ((opts.referenceGit || opts.referenceSources) && !opts.referenceAddress) reference ??= candidate;
    if ((!reference && !opts.referenceAddress) || !candidate) {
      throw inputError(
        'missing-argument',
        `check needs ${!reference ? '--reference' : '--candidate'}`,
        'pass --reference REF --candidate REF (REF = Name or path/File.sol:Name), or --patch NAME from the config',
      );
    }
    const source = await referenceBuild(opts, dir, stateDir, reference);
    const report = await runCheck({
      projectDir: dir,
      stateDir,
      reference: source.reference ?? (reference as string),
      candidate,
      kind,
      acknowledge,
      ...source,
      ...proveOf(config),
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
  preferred?: string,
): Promise<
  Pick<RunCheckParameters, 'referenceProject' | 'referenceFrom' | 'project'> & { reference?: string }
> {
  const git = opts.referenceGit;
  if (git !== undefined && opts.referenceSources !== undefined) {
    throw inputError(
      'conflicting-option',
      '--reference-git and --reference-sources cannot be used together',
      'both name the build the reference comes from: pick one',
    );
  }
  const fromGit =
    git === undefined ? undefined : await gitReferenceProject({ projectDir, stateDir, rev: git });
  const gitFrom = fromGit && git ? { rev: git, commit: fromGit.commit } : undefined;
  const file = opts.referenceSources;
  const fromSources = file === undefined ? undefined : await sourcesFileProject({ file, stateDir });
  if (opts.referenceAddress === undefined) {
    if (fromSources) {
      return { referenceProject: fromSources, referenceFrom: { source: 'sources', file: file as string } };
    }
    return fromGit
      ? { referenceProject: fromGit.project, referenceFrom: { source: 'git', ...(gitFrom as GitFrom) } }
      : {};
  }
  if (!opts.rpc) {
    throw inputError(
      'missing-rpc',
      '--reference-address needs --rpc URL',
      'pass the JSON-RPC URL of the chain the proxy lives on',
    );
  }
  // viem loads only here: a check without a live reference never pays for it.
  const [{ parseAddress }, { connect }, { liveImplementation, matchLiveCode }] = await Promise.all([
    import('../govern/address.js'),
    import('../chain/clients.js'),
    import('../chain/reference.js'),
  ]);
  const address = parseAddress(opts.referenceAddress, '--reference-address');
  const built = fromGit?.project ?? fromSources;
  const project = built ? undefined : await loadProject({ dir: projectDir, stateDir });
  const clients = await connect(opts.rpc);
  const live = await liveImplementation(clients.public, address);
  const match = matchLiveCode([built ?? (project as Project)], live, preferred);
  return {
    ...(project ? { project } : {}),
    referenceProject: match.project,
    reference: match.handle.fullyQualifiedName,
    referenceFrom: {
      source: 'chain',
      address,
      kind: live.kind,
      implementation: live.implementation,
      contract: match.handle.fullyQualifiedName,
      exact: match.result.exact,
      ...(gitFrom ? { git: gitFrom } : {}),
      ...(file !== undefined ? { sources: file } : {}),
    },
  };
}

type GitFrom = { rev: string; commit: string };

/** `--all` and `--pairs` name their own pairs: a single pair's options beside them are a mistake, not a filter. */
function assertManyPairsAlone(opts: CheckOptions): void {
  const named = {
    patch: 'patch',
    reference: 'reference',
    candidate: 'candidate',
    kind: 'kind',
    referenceAddress: 'reference-address', // one address is one contract's reference, not every pair's
  } as const;
  const key = (Object.keys(named) as (keyof typeof named)[]).find((k) => opts[k] !== undefined);
  const single = key ? named[key] : undefined;
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
