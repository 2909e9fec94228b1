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
import { VERSION } from '../version.js';
import { type Acknowledgement, applyAcknowledgements, evidenceDigest } from './acknowledge.js';
import type { CheckResult } from './check.js';
import { type Report, type StageResult, verdictOf } from './finding.js';
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
  /** Reuse and store analysis results in the state dir (default true). */
  cache?: boolean;
}

export interface CheckReport extends Report {
  reference: CheckResult['reference'];
  candidate: CheckResult['candidate'];
  kind: ProxyKind;
  cached: boolean;
}

/**
 * Identity of the analyzer code itself, so a cached analysis is never reused across a patchgate change
 * (a version bump is not enough during development). Hashes this folder's own code files once per process.
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
  visit(dirname(fileURLToPath(import.meta.url)));
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

export async function runCheck(params: RunCheckParameters): Promise<CheckReport> {
  const stages: StageResult[] = [];
  let t = performance.now();
  const cacheDir = join(params.stateDir, 'cache', 'check');
  const keyOf = (unitKeys: string[]) =>
    createHash('sha256')
      .update(JSON.stringify([analyzerIdentity(), unitKeys, params.reference, params.candidate, params.kind]))
      .digest('hex');
  // Fast path: every unit is cached and so is the analysis of exactly these inputs — no compiler output read.
  const useCache = params.cache !== false;
  const known =
    params.project || !useCache || !existsSync(cacheDir)
      ? undefined
      : cachedUnitKeys({ dir: params.projectDir, stateDir: params.stateDir });
  let result = known ? readCached(join(cacheDir, `${keyOf(known)}.json`)) : undefined;
  const cached = result !== undefined;
  if (result) {
    stages.push({ name: 'build', status: 'passed', durationMs: Math.round(performance.now() - t) });
    t = performance.now();
  } else {
    const project =
      params.project ?? (await loadProject({ dir: params.projectDir, stateDir: params.stateDir }));
    stages.push({ name: 'build', status: 'passed', durationMs: Math.round(performance.now() - t) });
    t = performance.now();
    const cacheFile = join(cacheDir, `${keyOf(project.units.map((u) => u.key))}.json`);
    result = useCache ? readCached(cacheFile) : undefined;
    if (!result) {
      // The analyzer (viem, upgrades-core, the AST walkers) loads only when there is something to analyze.
      const { analyzeUpgrade } = await import('./check.js');
      result = await analyzeUpgrade({
        project,
        reference: params.reference,
        candidate: params.candidate,
        kind: params.kind,
        stateDir: params.stateDir,
      });
      try {
        mkdirSync(cacheDir, { recursive: true });
        writeCached(cacheFile, result);
      } catch {
        // A read-only state dir costs speed, not correctness.
      }
    }
  }
  const findings = applyAcknowledgements(result.findings, params.acknowledge ?? []);
  const verdict = verdictOf(findings);
  stages.push({
    name: 'check',
    status: verdict === 'pass' ? 'passed' : 'failed',
    durationMs: Math.round(performance.now() - t),
  });
  const final: CheckResult = { ...result, findings };
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict,
    digest: evidenceDigest(final),
    stages,
    findings,
    reference: result.reference,
    candidate: result.candidate,
    kind: result.kind,
    cached,
  };
}
