/**
 * `patchgate ci`: what a pull request needs, in one command — every patch of the config checked against the base
 * revision (`check --all --reference-git BASE`), simulated where the config can deploy the system, and the result
 * published where the CI shows it: on GitHub Actions the job summary, one sticky pull-request comment, annotations
 * on the diff, SARIF files for code scanning and the step outputs. Exit 1 on blocking findings only; a stage that
 * could not run is exit 2 or 3 (fail closed) and says so in the summary and the comment too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { proveOf } from '../analyze/prove-stage.js';
import { type PairsReport, runPairs } from '../analyze/run-pairs.js';
import { fileAtRevision, gitReferenceProject } from '../build/git.js';
import { findContract, loadProject } from '../build/index.js';
import { loadConfig, parseConfig } from '../config/load.js';
import { configPairs, type PairEntry } from '../config/pairs.js';
import type { Config } from '../config/schema.js';
import { inputError, isPatchgateError, PatchgateError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { blocksGate } from '../report/common.js';
import { type Report, renderReport } from '../report/index.js';
import { code, text } from '../report/markdown/escape.js';
import type { SimulateReport } from '../simulate/run-simulate.js';
import {
  annotation,
  appendSummary,
  commandsOff,
  commandsOn,
  commentMarker,
  type GitHubContext,
  gitHubContext,
  setOutputs,
  upsertComment,
} from './github.js';
import {
  addProjectOptions,
  addStoreOptions,
  choiceOption,
  type ProjectOptions,
  stateDirOf,
} from './options.js';
import { addSourceRootOption, addSourceUrlOption, sarifPlacement } from './sarif-placement.js';
import { assertStateNotCommitted } from './state-dir.js';

type Placement = ReturnType<typeof sarifPlacement>;

const SIMULATE = ['auto', 'always', 'never'] as const;

interface CiOptions extends ProjectOptions {
  base?: string;
  simulate: (typeof SIMULATE)[number];
  sarifDir?: string;
  markdown?: string;
  comment: boolean;
  github?: boolean;
  sourceRoot?: string;
  sourceUrl?: string;
  stateDir: string;
}

export function ciCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('ci').description(
    'check (and simulate) every patch of the config against the base revision, and publish the result to the CI',
  );
  addProjectOptions(cmd);
  cmd
    .option(
      '--base <rev>',
      "the reference revision (default on GitHub: the pull request's base commit, or the commit before a push)",
    )
    .addOption(
      choiceOption(
        '--simulate <when>',
        'simulate each patch: auto (when the config declares a system to deploy), always, never',
        SIMULATE,
      ).default('auto'),
    )
    .option('--sarif-dir <dir>', 'write one SARIF file per report here (default: <state-dir>/sarif)')
    .option('--markdown <file>', 'also write the Markdown report to this file')
    .option('--no-comment', 'do not write the pull-request comment')
    .option('--github', 'publish to GitHub Actions (the default when GITHUB_ACTIONS=true)');
  addStoreOptions(cmd, { database: false });
  addSourceRootOption(cmd);
  addSourceUrlOption(cmd);
  cmd.action(async (opts: CiOptions) => {
    onExit(await runCi(opts));
  });
  return cmd;
}

interface Published {
  /** What the pull request changed in the config that the check does not take from it. */
  notes?: string[];
  check?: PairsReport;
  simulations: SimulateReport[];
  error?: { code: string; message: string; hint?: string };
}

/** What the report says of a stage that could not run. */
function errorOf(err: PatchgateError): NonNullable<Published['error']> {
  return { code: err.code, message: err.shortMessage, ...(err.hint ? { hint: err.hint } : {}) };
}

async function runCi(opts: CiOptions): Promise<number> {
  const onGitHub = opts.github ?? process.env.GITHUB_ACTIONS === 'true';
  const ctx = onGitHub ? gitHubContext() : undefined;
  const out = (line: string) => process.stdout.write(line);
  // Workflow commands off for the whole run; on only around patchgate's own escaped annotations (below).
  const stopped = ctx ? commandsOff(out) : undefined;
  const stateDir = stateDirOf(opts);
  let setup: Awaited<ReturnType<typeof prepare>>;
  try {
    setup = await prepare(opts, ctx);
  } catch (err) {
    // Nothing could be checked (a bad config, project or base): the job summary and the outputs say so too.
    if (ctx && isPatchgateError(err)) {
      appendSummary(
        ctx,
        ciMarkdown({ simulations: [], error: errorOf(err) }, opts.base ?? '', ctx, 0, undefined),
      );
      setOutputs(ctx, { verdict: 'error', blocking: '0' });
    }
    throw err;
  }
  const { config, projectDir, placement, base } = setup;
  const published: Published = { simulations: [] };
  let failure: unknown;
  try {
    const reference = await gitReferenceProject({ projectDir, stateDir, rev: base }).catch((err: unknown) => {
      // The revision is ci's --base here (or the event's base commit), not check's --reference-git.
      if (!isPatchgateError(err)) throw err;
      const say = (s: string) => s.replaceAll('--reference-git', '--base');
      throw new PatchgateError(say(err.shortMessage), {
        code: err.code,
        ...(err.hint ? { hint: say(err.hint) } : {}),
        cause: err,
      });
    });
    const project = await loadProject({ dir: projectDir, stateDir });
    const hasContract = (ref: string) => {
      try {
        findContract(project, ref);
        return true;
      } catch {
        return false;
      }
    };
    const policy = await basePolicy(config, setup.configPath, reference.commit, hasContract);
    published.notes = policy.notes;
    published.check = await runPairs({
      projectDir,
      stateDir,
      project,
      pairs: policy.pairs,
      acknowledge: policy.acknowledge,
      referenceProject: reference.project,
      referenceFrom: { source: 'git', rev: base, commit: reference.commit },
      ...proveOf(policy),
    });
    if (opts.simulate === 'always' || (opts.simulate === 'auto' && policy.simulate)) {
      const { runSimulate } = await import('../simulate/run-simulate.js');
      for (const patch of config.patches) {
        published.simulations.push(await runSimulate({ config, projectDir, stateDir, patch: patch.name }));
      }
    }
  } catch (err) {
    if (!isPatchgateError(err)) throw err;
    failure = err;
    published.error = errorOf(err);
  }
  const reports: Report[] = [...(published.check ? [published.check] : []), ...published.simulations];
  const blocking = reports.flatMap((r) => r.findings.filter(blocksGate));
  const markdown = ciMarkdown(published, base, ctx, blocking.length, placement);
  const sarifDir = resolve(opts.sarifDir ?? join(stateDir, 'sarif'));
  const sarifFiles = writeSarif(sarifDir, published, placement);
  if (opts.markdown) writeFileSync(opts.markdown, markdown);
  if (ctx) {
    appendSummary(ctx, markdown);
    const lines = blocking.slice(0, 50).map((f) => annotation(annotationOf(f, placement)));
    if (opts.comment) {
      const key = relative(placement.sourceRoot ?? projectDir, projectDir) || '.';
      const result = await upsertComment(ctx, commentMarker(key), markdown);
      if (result.action === 'failed') {
        // A fork's read-only token cannot comment: the verdict stands, the summary has the report.
        lines.push(
          annotation({ level: 'warning', message: `pull-request comment not written: ${result.reason}` }),
        );
      } else if (result.action !== 'skipped') {
        process.stdout.write(
          `patchgate: pull-request comment ${result.action}${result.url ? `: ${result.url}` : ''}\n`,
        );
      }
    }
    if (stopped) commandsOn(stopped, out);
    for (const line of lines) out(`${line}\n`);
    commandsOff(out); // what follows (an error naming the pull request's files) is only text
    setOutputs(ctx, {
      verdict: published.error ? 'error' : blocking.length > 0 ? 'fail' : 'pass',
      blocking: String(blocking.length),
      'sarif-dir': sarifDir,
    });
  }
  process.stdout.write(summaryLine(published, blocking.length, sarifFiles.length, sarifDir));
  if (failure) throw failure;
  return blocking.length > 0 ? 1 : 0;
}

async function prepare(opts: CiOptions, ctx: GitHubContext | undefined) {
  const {
    config,
    path: configPath,
    projectDir: configured,
  } = await loadConfig({
    file: opts.config,
    searchDir: resolve(opts.project ?? '.'),
  });
  const projectDir = opts.project ? resolve(opts.project) : configured;
  // A bad --source-root or --source-url: exit 2 before any work.
  const placement = sarifPlacement(projectDir, opts.sourceRoot, opts.sourceUrl);
  const base = baseRevision(opts.base, ctx);
  assertStateNotCommitted(stateDirOf(opts), projectDir, '--state-dir "$RUNNER_TEMP/patchgate"');
  if (ctx) fetchIfMissing(projectDir, base);
  return { config, configPath, projectDir, placement, base };
}

interface BasePolicy {
  pairs: PairEntry[];
  acknowledge: Config['acknowledge'];
  /** The prove stage's settings: the base's (a pull request cannot turn the proofs off for itself). */
  prove: Config['prove'];
  simulate: boolean;
  notes: string[];
}

/**
 * What the check holds a pull request to comes from the base revision's config, not from the pull request's: each
 * patch is compared with the reference (and kind) the base declares for its contract, and only the base's
 * acknowledgements apply — otherwise a pull request could point its contract's reference at a harmless contract, or
 * acknowledge its own blocking finding, and pass. The patches themselves (the candidates) are the pull request's.
 * Every difference is named in the report. A base without a config (the pull request that adopts patchgate) or with a
 * config module (not read from git) leaves the pull request's own config, and says so.
 */
async function basePolicy(
  head: Config,
  headPath: string | undefined,
  commit: string,
  hasContract: (ref: string) => boolean,
): Promise<BasePolicy> {
  const own = (note: string): BasePolicy => ({
    pairs: configPairs(head),
    acknowledge: head.acknowledge,
    prove: head.prove,
    simulate: Boolean(head.system?.deploy),
    notes: [note],
  });
  if (!headPath) return own('there is no patchgate config: nothing to compare with the base revision');
  if (!headPath.endsWith('.json')) {
    return own(
      `the config is a module (${basename(headPath)}): the pull request's own config is used as it is`,
    );
  }
  const text = fileAtRevision(headPath, commit);
  if (text === undefined) {
    return own(
      "the base revision has no patchgate config at this path: the pull request's own config is used",
    );
  }
  const baseConfig = await parseConfig(text, `${basename(headPath)} at the base revision`);
  const notes: string[] = [];
  const pairs = configPairs(head).map((pair) => {
    const patch = head.patches.find((p) => p.name === pair.name);
    const target = patch ? baseConfig.contracts[patch.contract] : undefined;
    if (!patch || !target) {
      notes.push(
        `${code(pair.name)}: contract ${code(patch?.contract ?? '?')} is new in this pull request (not in the base config)`,
      );
      return pair;
    }
    if (target.reference !== pair.reference || target.kind !== pair.kind) {
      notes.push(
        `${code(pair.name)}: this pull request changes contract ${code(patch.contract)}'s reference or kind; the base's ` +
          `(${code(target.reference)}${target.kind ? `, ${target.kind}` : ''}) is used`,
      );
    }
    return { ...pair, reference: target.reference, ...(target.kind ? { kind: target.kind } : {}) };
  });
  const known = new Set(baseConfig.acknowledge.map((a) => JSON.stringify(a)));
  for (const a of head.acknowledge.filter((x) => !known.has(JSON.stringify(x)))) {
    notes.push(
      `acknowledgement ${code([a.id, a.contract, a.function].filter(Boolean).join('@'))} is added by this pull request: ` +
        'not applied until it is on the base branch',
    );
  }
  const dropped = baseConfig.patches.filter((p) => !head.patches.some((h) => h.name === p.name));
  if (dropped.length > 0)
    notes.push(`patches removed by this pull request: ${dropped.map((p) => `${code(p.name)}`).join(', ')}`);
  // A patch the base declares keeps being checked with the base's candidate while that contract is still in the
  // pull request's code: removing the patch, or pointing it at an unchanged contract, does not hide an edit of it.
  for (const patch of baseConfig.patches) {
    const now = head.patches.find((h) => h.name === patch.name);
    const target = baseConfig.contracts[patch.contract];
    if (!target || (now && now.candidate === patch.candidate)) continue;
    if (!hasContract(patch.candidate)) {
      notes.push(
        `${code(patch.name)}: the base's candidate ${code(patch.candidate)} is no longer in the code`,
      );
      continue;
    }
    pairs.push({
      name: `${patch.name} (the base's candidate)`,
      reference: target.reference,
      candidate: patch.candidate,
      ...(target.kind ? { kind: target.kind } : {}),
    });
    notes.push(
      `${code(patch.name)}: ${now ? 'its candidate is changed' : 'removed'} by this pull request; the base's candidate ` +
        `${code(patch.candidate)} is still checked`,
    );
  }
  if (JSON.stringify(head.prove) !== JSON.stringify(baseConfig.prove)) {
    notes.push(
      `this pull request changes the prove settings (${code(JSON.stringify(head.prove))}): not applied until they are ` +
        `on the base branch; the base's (${code(JSON.stringify(baseConfig.prove))}) are used`,
    );
  }
  return {
    pairs,
    acknowledge: baseConfig.acknowledge,
    prove: baseConfig.prove,
    simulate: Boolean(baseConfig.system?.deploy ?? head.system?.deploy),
    notes,
  };
}

/** `--base`, else the pull request's base commit, else the commit before a push; none is exit 2. */
function baseRevision(base: string | undefined, ctx: GitHubContext | undefined): string {
  const found =
    base ?? ctx?.pullRequest?.baseSha ?? (ctx?.before && !/^0+$/.test(ctx.before) ? ctx.before : undefined);
  if (!found) {
    throw inputError(
      'missing-argument',
      'ci needs the base revision to check against',
      'pass --base REV (e.g. --base origin/main), or run on a pull_request or push event in GitHub Actions',
    );
  }
  return found;
}

/**
 * A shallow checkout (actions/checkout's default depth of 1) lacks the base commit: fetch just that commit. Only a
 * full commit id is fetched — a branch name is the user's to fetch — and only after `--`, so a revision can never be
 * read as an option of git.
 */
function fetchIfMissing(dir: string, base: string): void {
  if (!/^[0-9a-f]{40}$/.test(base)) return;
  try {
    execFileSync('git', ['cat-file', '-e', `${base}^{commit}`], { cwd: dir, stdio: 'ignore' });
    return;
  } catch {
    // missing: fetch it below
  }
  try {
    execFileSync('git', ['fetch', '--no-tags', '--depth=1', 'origin', '--', base], {
      cwd: dir,
      stdio: 'ignore',
    });
  } catch {
    // check --reference-git then reports the missing revision with its fix (fetch-depth: 0).
  }
}

function annotationOf(f: Finding, placement: Placement) {
  const file = f.location?.file;
  const inRepo = file !== undefined && placement.inRepository?.(file);
  const root = placement.sourceRoot ?? placement.rootDir ?? '.';
  return {
    level: 'error' as const,
    title: `patchgate ${f.id}: ${f.title}`,
    message: f.message,
    ...(inRepo && file ? { file: relative(root, resolve(placement.rootDir ?? '.', file)) } : {}),
    ...(inRepo && f.location?.line ? { line: f.location.line } : {}),
  };
}

function ciMarkdown(
  p: Published,
  base: string,
  ctx: GitHubContext | undefined,
  blocking: number,
  placement: Placement | undefined,
): string {
  const head = ctx?.pullRequest?.headSha ?? ctx?.sha;
  const verdict = p.error ? 'ERROR' : blocking > 0 ? 'FAIL' : 'PASS';
  const out = [
    `## patchgate: ${verdict}`,
    '',
    [
      base ? `Against \`${short(base)}\`${head ? ` → \`${short(head)}\`` : ''}` : '',
      p.check ? `checked ${p.check.pairs.length} patch${p.check.pairs.length === 1 ? '' : 'es'}` : '',
      p.simulations.length > 0 ? `simulated ${p.simulations.length}` : '',
      blocking > 0 ? `**${blocking} blocking finding${blocking === 1 ? '' : 's'}**` : '',
    ]
      .filter(Boolean)
      .join(' · '),
    '',
  ];
  if (p.error) {
    out.push(
      `**The check could not run** (\`${p.error.code}\`): ${text(p.error.message, { cell: true })}`,
      ...(p.error.hint ? ['', `> ${text(p.error.hint, { cell: true })}`] : []),
      '',
      'A stage that could not run never passes: the gate stays closed until it does.',
      '',
    );
  }
  if (p.notes && p.notes.length > 0) {
    out.push('**The config, base against this pull request:**', '', ...p.notes.map((n) => `- ${n}`), '');
  }
  if (p.check) out.push(renderReport(p.check, 'md', placement ?? {}));
  for (const s of p.simulations)
    out.push(`### simulate \`${s.patch}\``, '', renderReport(s, 'md', placement ?? {}));
  return `${out.join('\n')}\n`;
}

function short(rev: string): string {
  return /^[0-9a-f]{40}$/.test(rev) ? rev.slice(0, 12) : rev;
}

/** One SARIF file per report, each run with its own category (code scanning refuses two runs of one category). */
function writeSarif(dir: string, p: Published, placement: Placement): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, Report, string]> = [
    ...(p.check ? [['check.sarif', p.check, 'patchgate/check/'] as [string, Report, string]] : []),
    ...p.simulations.map(
      (s) =>
        [`simulate-${fileSafe(s.patch)}.sarif`, s, `patchgate/simulate/${s.patch}/`] as [
          string,
          Report,
          string,
        ],
    ),
  ];
  for (const [name, report, category] of files) {
    const log = JSON.parse(renderReport(report, 'sarif', placement)) as {
      runs: Array<Record<string, unknown>>;
    };
    for (const run of log.runs) run.automationDetails = { id: category };
    writeFileSync(join(dir, name), `${JSON.stringify(log, null, 2)}\n`);
  }
  return files.map(([name]) => join(dir, name));
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

function summaryLine(p: Published, blocking: number, sarif: number, dir: string): string {
  if (p.error) return `patchgate ci: could not run (${p.error.code}): ${p.error.message}\n`;
  const verdict = blocking > 0 ? `FAIL (${blocking} blocking)` : 'PASS';
  return `patchgate ci: ${verdict} · ${p.check?.pairs.length ?? 0} checked, ${p.simulations.length} simulated · ${sarif} SARIF file(s) in ${dir}\n`;
}
