/**
 * The `check` stage end to end: load (or compile) the project, analyze the upgrade, apply the team's
 * acknowledgements and produce the JSON report of DESIGN.md. The analysis is cached by content: the same
 * compiler output, contracts, kind and patchgate version give the same findings without recomputation.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedUnitKeys, loadProject } from '../build/index.js';
import type { Project } from '../build/types.js';
import { evidenceDigest } from '../core/digest.js';
import { type ReportHeader, verdictOf } from '../core/finding.js';
import { passedIf, type StageRecorder, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { type Acknowledgement, applyAcknowledgements } from './acknowledge.js';
import type { CheckResult } from './check.js';
import { type ProveOptions, timedOut } from './prove-stage.js';
import type { ProxyKind } from './upgrades.js';

export interface RunCheckParameters {
  projectDir: string;
  stateDir: string;
  reference: string;
  candidate: string;
  kind?: ProxyKind;
  acknowledge?: readonly Acknowledgement[];
  /** An already loaded project (the demo checks many patches of one project). */
  project?: Project;
  /**
   * The build the reference is looked up in, when it is not the candidate's project: a git revision's tree
   * (`gitReferenceProject`), a block explorer's sources, or the build that matches the chain.
   */
  referenceProject?: Project;
  /** Where `referenceProject` came from, written into the report (`referenceFrom`). */
  referenceFrom?: ReferenceFrom;
  /** Reuse and store analysis results in the state dir (default true). */
  cache?: boolean;
  /** Run the prove stage (SMTChecker) with these limits; `false`: turned off by the config (a skipped stage). */
  prove?: ProveOptions | false;
}

/** Where the reference build came from, when it is not the candidate's own project. */
export type ReferenceFrom =
  /** `--reference-git REV`: the project folder at a commit of its repository. */
  | { source: 'git'; rev: string; commit: string }
  /** `--reference-address ADDR`: the build whose runtime code is what ADDR runs on chain. */
  | {
      source: 'chain';
      address: string;
      /** How ADDR holds the code: a proxy kind, or `implementation` (ADDR is no proxy). */
      kind: string;
      implementation: string;
      /** The contract of the build that matched. */
      contract: string;
      /** The metadata matched too (the very same sources), not only the code. */
      exact: boolean;
      /** The build it matched in, when it was a git revision's. */
      git?: { rev: string; commit: string };
      /** The build it matched in, when it was a block explorer's sources (`--reference-sources FILE`). */
      sources?: string;
    }
  /** `--reference-sources FILE`: a block explorer's verified sources, compiled with their settings. */
  | { source: 'sources'; file: string };

export interface CheckReport extends ReportHeader<'check'> {
  reference: CheckResult['reference'];
  candidate: CheckResult['candidate'];
  kind: ProxyKind;
  cached: boolean;
  /** Present when the storage layout changed (see CheckResult): the Markdown report's layout table. */
  storageLayout?: CheckResult['storageLayout'];
  /** The prove stage's targets and outcomes, when it ran. */
  proofs?: CheckResult['proofs'];
  referenceFrom?: ReferenceFrom;
}

/**
 * Identity of the analyzer code itself, so a cached analysis is never reused across a patchgate change
 * (a version bump is not enough during development). Hashes this folder's and core/'s code files once per process.
 */
let analyzerId: string | undefined;
function analyzerIdentity(): string {
  if (analyzerId) return analyzerId;
  const h = createHash('sha256').update(VERSION);
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) visit(p);
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.includes('.test.'))
        h.update(entry.name).update(readFileSync(p));
    }
  };
  const here = dirname(fileURLToPath(import.meta.url));
  visit(here);
  visit(join(here, '..', 'prove')); // the prove stage's harness, solver and parser
  visit(join(here, '..', 'core')); // the analyzer's own leaf helpers (opcodes' code length, digests)
  analyzerId = h.digest('hex');
  return analyzerId;
}

function readCached(file: string): CheckResult | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CheckResult;
    return Array.isArray(parsed.findings) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function writeCached(file: string, result: CheckResult): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(result));
  renameSync(tmp, file);
}

/** The inputs that decide an analysis, apart from the compiler output. */
export interface CheckSpec {
  reference: string;
  candidate: string;
  kind?: ProxyKind;
  prove?: ProveOptions | false;
}

/**
 * Where the analysis of `spec` over these compilation units is cached in the state dir. A reference from another
 * build adds that build's unit keys (content hashes): a different base gives a different entry.
 */
function analysisCacheFile(
  stateDir: string,
  unitKeys: readonly string[],
  spec: CheckSpec,
  referenceKeys?: readonly string[],
): string {
  const parts: unknown[] = [analyzerIdentity(), unitKeys, spec.reference, spec.candidate, spec.kind];
  if (spec.prove !== undefined) parts.push({ prove: spec.prove === false ? 'off' : spec.prove.timeoutMs });
  if (referenceKeys) parts.push({ referenceUnits: referenceKeys });
  const key = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return join(stateDir, 'cache', 'check', `${key}.json`);
}

/**
 * The cached analysis of `spec` without reading any compiler output (every unit of the project is cached and
 * so is this very analysis), or undefined.
 */
export function cachedAnalysis(
  projectDir: string,
  stateDir: string,
  spec: CheckSpec,
  unitKeys = existsSync(join(stateDir, 'cache', 'check'))
    ? cachedUnitKeys({ dir: projectDir, stateDir })
    : undefined,
  referenceProject?: Project,
): CheckResult | undefined {
  return unitKeys
    ? readCached(analysisCacheFile(stateDir, unitKeys, spec, referenceKeysOf(referenceProject)))
    : undefined;
}

function referenceKeysOf(project: Project | undefined): string[] | undefined {
  return project?.units.map((u) => u.key);
}

/** The analysis of `spec` on a loaded project, from the cache when allowed, computed (and stored) otherwise. */
export async function analyzeOnProject(
  project: Project,
  stateDir: string,
  spec: CheckSpec,
  useCache = true,
  referenceProject?: Project,
): Promise<CheckResult> {
  const cacheFile = analysisCacheFile(
    stateDir,
    project.units.map((u) => u.key),
    spec,
    referenceKeysOf(referenceProject),
  );
  const hit = useCache ? readCached(cacheFile) : undefined;
  if (hit) return hit;
  // The analyzer (viem, upgrades-core, the AST walkers) loads only when there is something to analyze.
  const { analyzeUpgrade } = await import('./check.js');
  const result = await analyzeUpgrade({
    project,
    ...(referenceProject ? { referenceProject } : {}),
    ...spec,
    stateDir,
  });
  // A proof that timed out says how busy the machine was: the next run tries again.
  if (result.proofs && timedOut(result.proofs)) return result;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const { proveMs: _, ...timeless } = result; // a result read back took no time to prove
    writeCached(cacheFile, timeless);
  } catch {
    // A read-only state dir costs speed, not correctness.
  }
  return result;
}

/** The report of one analysis: the team's acknowledgements applied, the verdict, the evidence digest. */
export function checkReportOf(
  result: CheckResult,
  acknowledge: readonly Acknowledgement[],
  recorder: StageRecorder,
  cached: boolean,
  referenceFrom?: ReferenceFrom,
): CheckReport {
  const findings = applyAcknowledgements(result.findings, acknowledge);
  const verdict = verdictOf(findings);
  const { proofs, proveMs = 0 } = result;
  const check = recorder.lap('check', passedIf(verdict === 'pass'));
  if (proofs) {
    // The analysis lap holds the proofs' time: shown as a stage of its own.
    const spent = cached ? 0 : Math.min(proveMs, check.durationMs);
    check.durationMs -= spent;
    const blocked = findings.some(
      (f) => f.id.startsWith('prove-') && f.blocking && !f.acknowledged && f.status !== 'fixed',
    );
    recorder.record('prove', proofs.length === 0 ? 'skipped' : passedIf(!blocked), spent);
  } else if (result.proveOff) {
    recorder.record('prove', 'skipped', 0);
  }
  const stages = recorder.stages;
  // The layout table is derived from the compiled contracts the bytecode hashes already pin: the digest covers
  // the findings and those hashes, as it did before the table existed. Timings are not evidence.
  const { storageLayout, proveMs: _, ...evidence } = result;
  const final: CheckResult = {
    ...evidence,
    findings,
    ...(proofs ? { proofs: proofs.map((p) => ({ ...p, durationMs: 0 })) } : {}),
  };
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict,
    digest: evidenceDigest(final),
    stages,
    findings,
    report: 'check',
    reference: result.reference,
    candidate: result.candidate,
    kind: result.kind,
    cached,
    ...(storageLayout ? { storageLayout } : {}),
    ...(proofs ? { proofs } : {}),
    ...(referenceFrom ? { referenceFrom } : {}),
  };
}

/**
 * `patchgate check` as a function: load (or compile) the project, compare the reference with the candidate, and
 * return the report (verdict, digest, stages, findings).
 *
 * @example
 * ```ts
 * const report = await runCheck({
 *   projectDir: 'examples/vault',
 *   stateDir: '.patchgate',
 *   reference: 'src/VaultV1.sol:VaultV1',
 *   candidate: 'src/VaultV2.sol:VaultV2',
 * });
 * console.log(renderReport(report, 'text'));
 * ```
 */
export async function runCheck(params: RunCheckParameters): Promise<CheckReport> {
  const recorder = stageRecorder();
  const spec: CheckSpec = {
    reference: params.reference,
    candidate: params.candidate,
    kind: params.kind,
    ...(params.prove !== undefined ? { prove: params.prove } : {}),
  };
  const useCache = params.cache !== false;
  // Fast path: every unit is cached and so is the analysis of exactly these inputs — no compiler output read.
  let result =
    params.project || !useCache
      ? undefined
      : cachedAnalysis(params.projectDir, params.stateDir, spec, undefined, params.referenceProject);
  const cached = result !== undefined;
  if (!result) {
    const project =
      params.project ?? (await loadProject({ dir: params.projectDir, stateDir: params.stateDir }));
    recorder.lap('build', 'passed');
    result = await analyzeOnProject(project, params.stateDir, spec, useCache, params.referenceProject);
  } else {
    recorder.lap('build', 'passed');
  }
  return checkReportOf(result, params.acknowledge ?? [], recorder, cached, params.referenceFrom);
}
