/**
 * check's `prove` stage: SMTChecker on the candidate's own assertions and, where it applies, the fix's property on
 * both versions — so a property the reference breaks and the candidate proves is reported as fixed by the patch.
 * A violation on the candidate blocks; an undecided target blocks unless acknowledged (docs/prove.md).
 */
import type { Config } from '../config/schema.js';
import type { Finding, Location } from '../core/finding.js';
import { proveTargets } from '../prove/prove.js';
import { type ProofEntry, proofEntry, proveTargetsFor } from '../prove/targets.js';
import type { ContractView } from './ast.js';
import { proveFindings } from './prove-findings.js';

export interface ProveOptions {
  /** Wall-clock limit per target. */
  timeoutMs: number;
  concurrency?: number;
  /** Where solver runs are cached (`<stateDir>/cache`). */
  cacheDir?: string;
}

export interface ProveStageResult {
  proofs: ProofEntry[];
  findings: Finding[];
  /** Wall time of the stage. */
  durationMs: number;
}

/** The config's `prove` section as check's parameter: its limits, or `false` when the team turned the stage off. */
export function proveOf(config: Pick<Config, 'prove'>): { prove: ProveOptions | false } {
  return { prove: config.prove.enabled ? { timeoutMs: config.prove.timeout * 1000 } : false };
}

/** Where a contract is declared: the location of its undecided targets and harness violations. */
export function declaredAt(view: ContractView): Location {
  return { file: view.handle.sourceName, line: view.lineOf(view.def), contract: view.def.name };
}

/** A timeout depends on the machine, not on the code: a result holding one is not reused. */
export function timedOut(proofs: readonly ProofEntry[]): boolean {
  return proofs.some((p) => p.status === 'unknown' && p.reason?.startsWith('timeout'));
}

export async function proveUpgrade(
  reference: ContractView,
  candidate: ContractView,
  options: ProveOptions,
): Promise<ProveStageResult> {
  const started = performance.now();
  const ownTargets = proveTargetsFor(candidate.handle, { fixProperty: true });
  const refTargets = proveTargetsFor(reference.handle, { assertions: false, fixProperty: true });
  const results = await proveTargets({
    targets: [...ownTargets, ...refTargets],
    timeoutMs: options.timeoutMs,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  });
  const mine = results.slice(0, ownTargets.length);
  const before = results.slice(ownTargets.length);
  const was = new Map(before.map((r) => [r.name, r.status]));
  const findings: Finding[] = proveFindings(declaredAt(candidate), mine).map((f) => ({
    ...f,
    status: was.get(targetOf(f)) === 'violated' && f.id === 'prove-violated' ? 'unchanged' : 'introduced',
  }));
  // The reference's violation of a property the candidate proves: what the patch fixed.
  for (const r of before) {
    const now = mine.find((m) => m.name === r.name);
    if (r.status !== 'violated' || now?.status !== 'proved') continue;
    for (const f of proveFindings(declaredAt(reference), [r]))
      findings.push({ ...f, status: 'fixed', blocking: false });
  }
  return {
    proofs: [
      ...mine.map((r) => proofEntry(r, candidate.handle.fullyQualifiedName)),
      ...before.map((r) => proofEntry(r, reference.handle.fullyQualifiedName)),
    ],
    findings,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The target a prove finding is about: its key is `target` or `target@file:line`. */
function targetOf(f: Finding): string {
  const key = f.key ?? '';
  const at = key.lastIndexOf('@');
  return at < 0 ? key : key.slice(0, at);
}
