/**
 * Many upgrade pairs of one project in one run (`check --all`, `check --pairs FILE`): one project load (one
 * compile at most), every pair resolved before any analysis (a bad pair is an input error naming it, and nothing
 * was analyzed), then one analysis per pair. The combined report keeps DESIGN.md's top level — verdict is the
 * worst of the pairs, digest covers every pair's digest, findings are all pairs' findings (each tagged with its
 * pair) — and carries each pair's own report under `pairs`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cachedUnitKeys, findContract, loadProject } from '../build/index.js';
import type { Project } from '../build/types.js';
import { evidenceDigest } from '../core/digest.js';
import { type ErrorCode, inputError, isPatchgateError, PatchgateError } from '../core/errors.js';
import type { Finding, ReportHeader, StageResult } from '../core/finding.js';
import { passedIf, type StageRecorder, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import type { Acknowledgement } from './acknowledge.js';
import type { CheckResult } from './check.js';
import type { ProveOptions } from './prove-stage.js';
import { findReference } from './reference.js';
import {
  analyzeOnProject,
  type CheckReport,
  type CheckSpec,
  cachedAnalysis,
  checkReportOf,
  type ReferenceFrom,
} from './run-check.js';

export interface PairSpec extends CheckSpec {
  name: string;
}

export interface PairReport extends CheckReport {
  name: string;
}

/** A pair that could not be analyzed (only with `keepGoing`): its error instead of a report. */
export interface PairError {
  name: string;
  code: ErrorCode;
  message: string;
  exitCode: number;
}

export interface PairsReport extends ReportHeader<'pairs'> {
  /** Each finding of the top-level list says which pair it belongs to. */
  findings: Array<Finding & { pair: string }>;
  pairs: PairReport[];
  errors?: PairError[];
}

export interface RunPairsParameters {
  projectDir: string;
  stateDir: string;
  pairs: readonly PairSpec[];
  acknowledge?: readonly Acknowledgement[];
  /** An already loaded project (tests and benches that load it once for other uses too). */
  project?: Project;
  /** The build every pair's reference is looked up in, when not the candidates' (a git revision's tree). */
  referenceProject?: Project;
  /** Where `referenceProject` came from, written into each pair's report. */
  referenceFrom?: ReferenceFrom;
  /** Reuse and store analysis results in the state dir (default true). */
  cache?: boolean;
  /**
   * Record a pair's analysis error and go on with the next (the corpus test names every failing pair); by
   * default the first error ends the run, naming its pair (fail closed: the CLI exits 2 or 3).
   */
  keepGoing?: boolean;
  /** Run every pair's prove stage (SMTChecker) with these limits; `false`: turned off (a skipped stage). */
  prove?: ProveOptions | false;
}

/** The same error, its message prefixed with the pair it belongs to. */
function inPair(name: string, e: unknown): PatchgateError {
  if (isPatchgateError(e)) {
    return new PatchgateError(`pair "${name}": ${e.shortMessage}`, {
      code: e.code,
      hint: e.hint,
      details: e.details,
      cause: e,
    });
  }
  return new PatchgateError(`pair "${name}": ${(e as Error)?.message ?? String(e)}`, {
    code: 'internal',
    hint: 'this is a bug in patchgate or in a library it uses; the other pairs were not affected by it',
    cause: e,
  });
}

/** Every pair's contracts exist, unambiguously, and differ — checked before anything is analyzed. */
function resolvePairs(project: Project, pairs: readonly PairSpec[], referenceProject?: Project): void {
  const seen = new Set<string>();
  for (const pair of pairs) {
    if (seen.has(pair.name)) {
      throw inputError(
        'duplicate-pair',
        `pair name "${pair.name}" is used twice`,
        'give every pair its own name (the name heads its report)',
      );
    }
    seen.add(pair.name);
    try {
      const reference = findReference(referenceProject ?? project, pair.reference);
      const candidate = findContract(project, pair.candidate);
      if (!referenceProject && reference.fullyQualifiedName === candidate.fullyQualifiedName) {
        throw inputError(
          'same-contract',
          `reference and candidate are the same contract (${reference.fullyQualifiedName})`,
          'the reference is the live implementation, the candidate the patched one',
        );
      }
    } catch (e) {
      throw inPair(pair.name, e);
    }
  }
}

/**
 * Several reference/candidate pairs of one project checked in one run (the config's `pairs`), one report each.
 *
 * @example
 * ```ts
 * const { pairs } = await runPairs({
 *   projectDir: 'examples/vault',
 *   stateDir: '.patchgate',
 *   pairs: [{ name: 'vault', reference: 'VaultV1', candidate: 'VaultV2' }],
 * });
 * for (const p of pairs) console.log(p.name, p.verdict);
 * ```
 */
export async function runPairs(params: RunPairsParameters): Promise<PairsReport> {
  const acks = params.acknowledge ?? [];
  const useCache = params.cache !== false;
  const recorder = stageRecorder();
  // Fast path: every analysis is cached — no compiler output is read at all (a cached analysis exists only
  // for pairs that resolved when it was made, on exactly this compiler output).
  const hits = new Map<string, CheckResult>();
  const unitKeys =
    !params.project && useCache && existsSync(join(params.stateDir, 'cache', 'check'))
      ? cachedUnitKeys({ dir: params.projectDir, stateDir: params.stateDir })
      : undefined;
  const { prove } = params;
  const pairs = prove !== undefined ? params.pairs.map((p) => ({ ...p, prove })) : params.pairs;
  if (unitKeys) {
    for (const pair of pairs) {
      const hit = cachedAnalysis(params.projectDir, params.stateDir, pair, unitKeys, params.referenceProject);
      if (!hit) break;
      hits.set(pair.name, hit);
    }
  }
  const allCached = hits.size === pairs.length && pairs.length > 0;
  const project = allCached
    ? undefined
    : (params.project ?? (await loadProject({ dir: params.projectDir, stateDir: params.stateDir })));
  if (project) resolvePairs(project, pairs, params.referenceProject);
  const build = recorder.lap('build', 'passed');
  const reports: PairReport[] = [];
  const errors: PairError[] = [];
  for (const pair of pairs) {
    const pairRecorder = stageRecorder();
    try {
      const result =
        hits.get(pair.name) ??
        (await analyzeOnProject(
          project as Project,
          params.stateDir,
          pair,
          useCache,
          params.referenceProject,
        ));
      const report = checkReportOf(result, acks, pairRecorder, allCached, params.referenceFrom);
      reports.push({ name: pair.name, ...report });
    } catch (e) {
      const error = inPair(pair.name, e);
      if (!params.keepGoing) throw error;
      errors.push({
        name: pair.name,
        code: error.code,
        message: error.shortMessage,
        exitCode: error.exitCode,
      });
    }
  }
  return combine(reports, errors, build, recorder);
}

function combine(
  reports: PairReport[],
  errors: PairError[],
  build: StageResult,
  recorder: StageRecorder,
): PairsReport {
  const verdict = reports.some((r) => r.verdict === 'fail') || errors.length > 0 ? 'fail' : 'pass';
  const check = recorder.lap('check', passedIf(verdict === 'pass'));
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict,
    digest: evidenceDigest(reports.map((r) => ({ name: r.name, digest: r.digest }))),
    stages: [build, check],
    findings: reports.flatMap((r) => r.findings.map((f) => ({ ...f, pair: r.name }))),
    report: 'pairs',
    pairs: reports,
    ...(errors.length > 0 ? { errors } : {}),
  };
}
