/** Target results → findings: `prove-violated` per violated assertion, `prove-unknown` per undecided target. */
import { makeFinding } from '../analyze/catalog.js';
import type { ContractHandle } from '../build/types.js';
import type { Finding } from '../core/finding.js';
import { renderTrace } from './counterexample.js';
import type { TargetResult } from './prove.js';

export function proveFindings(handle: ContractHandle, results: readonly TargetResult[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of results) {
    if (r.status === 'violated') {
      for (const a of r.assertions) {
        if (a.status !== 'violated') continue;
        findings.push(
          makeFinding('prove-violated', {
            message: `${r.name}: the assertion at ${a.at.file}:${a.at.line} fails after ${renderTrace(a.trace, r.params)}`,
            location: { file: a.at.file, line: a.at.line, contract: handle.name },
            key: `${r.name}@${a.at.file}:${a.at.line}`,
          }),
        );
      }
    } else if (r.status === 'unknown') {
      findings.push(
        makeFinding('prove-unknown', {
          message: `${r.name}: not decided — ${r.reason ?? 'unknown'}`,
          key: r.name,
        }),
      );
    }
  }
  return findings;
}
