/** A many-pairs check in text: each pair's report headed by its name, the pairs not checked, a summary line. */
import type { PairsReport } from '../../analyze/run-pairs.js';
import { checkText } from './check.js';
import type { Colors } from './findings.js';

const mark = (r: { verdict: string }) => (r.verdict === 'pass' ? 'PASS' : 'FAIL');

function summary(report: PairsReport): string {
  const failed = report.pairs.filter((p) => p.verdict !== 'pass').length;
  const errors = report.errors?.length ?? 0;
  return `${mark(report)}  ${report.pairs.length + errors} pairs: ${report.pairs.length - failed} pass, ${failed} fail${errors ? `, ${errors} not checked` : ''}  digest ${report.digest}`;
}

export function pairsText(report: PairsReport, c: Colors): string {
  const blocks = report.pairs.map((p) => `== ${p.name}\n${checkText(p, c)}`);
  for (const e of report.errors ?? []) blocks.push(`== ${e.name}\nERROR ${e.code}: ${e.message}\n`);
  return `${blocks.join('\n')}\n${summary(report)}\n`;
}
