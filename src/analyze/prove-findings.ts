/** Target results → findings: `prove-violated` per violated assertion, `prove-unknown` per undecided target. */
import type { Finding, Location } from '../core/finding.js';
import { renderTrace } from '../prove/counterexample.js';
import { HARNESS_FILE } from '../prove/harness.js';
import type { TargetResult } from '../prove/prove.js';
import { makeFinding } from './catalog.js';

/**
 * @param at where the proved contract is declared: a generated harness's assertion is reported there (the
 *   harness is not a file of the project), and so is an undecided target, so that `--allow prove-unknown@Name`
 *   names it.
 */
export function proveFindings(at: Location, results: readonly TargetResult[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of results) {
    if (r.status === 'violated') {
      for (const a of r.assertions) {
        if (a.status !== 'violated') continue;
        const own = a.at.file !== HARNESS_FILE;
        findings.push(
          makeFinding('prove-violated', {
            message: `${r.name}: the assertion at ${a.at.file}:${a.at.line} fails after ${renderTrace(a.trace, r.params)}`,
            location: own ? { file: a.at.file, line: a.at.line, contract: at.contract } : at,
            key: `${r.name}@${a.at.file}:${a.at.line}`,
          }),
        );
      }
    } else if (r.status === 'unknown') {
      findings.push(
        makeFinding('prove-unknown', {
          message: `${r.name}: not decided — ${r.reason ?? 'unknown'}`,
          location: at,
          key: r.name,
        }),
      );
    }
  }
  return findings;
}
