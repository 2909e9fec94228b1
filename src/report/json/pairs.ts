/**
 * A many-pairs check in JSON: DESIGN.md's top level (tool, verdict = the worst pair, digest over every pair,
 * stages, findings of every pair, each tagged `pair`), then the kind, then `pairs`: each pair's own report
 * with its name.
 */
import type { PairReport, PairsReport } from '../../analyze/run-pairs.js';
import { jsonText, orderedFinding, reportBody } from '../../core/report-json.js';

const pairBody = ({ name, tool: _tool, verdict, digest, stages, findings, ...rest }: PairReport) => ({
  name,
  verdict,
  digest,
  stages,
  findings: findings.map(orderedFinding),
  ...rest,
});

export function pairsJson(report: PairsReport): string {
  // The pairs keep their place among the report's own keys; each is written in the contract's order too.
  return jsonText({ ...reportBody(report), pairs: report.pairs.map(pairBody) });
}
