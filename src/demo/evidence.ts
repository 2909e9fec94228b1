/**
 * The demo's `scan` and `prove` stages: what the fix's check found about the bug itself — the scan finding the patch
 * fixes (and that it introduces nothing blocking), and the fix's property proved on the candidate and violated on
 * the live version, with the call sequence that breaks it.
 */
import type { CheckReport } from '../analyze/run-check.js';
import type { ProofEntry } from '../prove/targets.js';
import { findingBrief } from '../report/common.js';
import { FIX, type Stage } from './lifecycle.js';
import type { DemoReport, DemoStep } from './report.js';

const shortName = (p: ProofEntry) => p.contract?.split(':').pop() ?? '?';

export async function fixEvidence(
  check: CheckReport,
  report: DemoReport,
  stage: Stage,
  say: (s: DemoStep) => void,
): Promise<void> {
  const scan = check.findings.filter((f) => f.id.startsWith('scan-'));
  const fixed = scan.filter((f) => f.status === 'fixed');
  const introduced = scan.filter((f) => f.status === 'introduced' && f.blocking && !f.acknowledged);
  const proofs = check.proofs ?? [];
  const candidate = proofs.filter((p) => p.contract === check.candidate.fullyQualifiedName);
  const reference = proofs.filter((p) => p.contract === check.reference.fullyQualifiedName);
  report.fix = {
    patch: FIX,
    scan: {
      fixed: fixed.map((f) => ({ id: f.id, severity: f.severity, location: f.location })),
      introduced: introduced.map((f) => ({ id: f.id, severity: f.severity, location: f.location })),
    },
    proofs: proofs.map(({ durationMs: _, ...p }) => p),
  };
  const scanOk = await stage(
    'scan',
    async () => fixed.length > 0 && introduced.length === 0,
    (ok) => ok,
  );
  say({
    stage: 'scan',
    ok: scanOk,
    text: `${FIX} fixes ${fixed.map(findingBrief).join(', ') || 'NO scan finding'}; ${introduced.length === 0 ? 'introduces nothing that blocks' : `INTRODUCES ${introduced.map((f) => f.id).join(', ')}`}`,
  });
  const proveOk = await stage(
    'prove',
    async () => candidate.length > 0 && candidate.every((p) => p.status === 'proved'),
    (ok) => ok,
  );
  const before = reference.find((p) => p.status === 'violated');
  say({
    stage: 'prove',
    ok: proveOk,
    text:
      candidate.map((p) => `${p.target}: ${p.status} on ${shortName(p)}`).join(', ') +
      (before ? `; violated on ${shortName(before)}: ${before.counterexample ?? ''}` : ''),
  });
}
