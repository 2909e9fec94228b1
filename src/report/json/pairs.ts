/**
 * A many-pairs check in JSON: DESIGN.md's top level (tool, verdict = the worst pair, digest over every pair,
 * stages, findings of every pair, each tagged `pair`), then the kind, then `pairs`: each pair's own report
 * with its name.
 */
import type { PairReport, PairsReport } from '../../analyze/run-pairs.js';
import { jsonText, orderedFinding } from '../../core/report-json.js';

const pairBody = ({ name, tool: _tool, verdict, digest, stages, findings, ...rest }: PairReport) => ({
  name,
  verdict,
  digest,
  stages,
  findings: findings.map(orderedFinding),
  ...rest,
});

export function pairsJson(report: PairsReport): string {
  const { tool, verdict, digest, stages, findings, report: kind, pairs, ...extra } = report;
  return jsonText({
    tool,
    verdict,
    digest,
    stages,
    findings: findings.map(orderedFinding),
    report: kind,
    pairs: pairs.map(pairBody),
    ...extra,
  });
}
