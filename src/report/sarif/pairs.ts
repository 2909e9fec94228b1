/**
 * A many-pairs check in SARIF: ONE run holding every pair's results (GitHub code scanning rejects several runs
 * of one tool and category in an upload), each result tagged with its pair in the message, its properties and
 * its fingerprint.
 */
import { createHash } from 'node:crypto';
import type { PairsReport } from '../../analyze/run-pairs.js';
import { findingsSarif, type SarifPlacement, subjectOf } from './findings.js';

interface SarifRule {
  id: string;
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  message: { text: string };
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
interface SarifDoc {
  runs: Array<{ tool: { driver: { rules: SarifRule[] } }; results: SarifResult[] }>;
}

export function pairsSarif(report: PairsReport, placement: SarifPlacement = {}): string {
  const docs = report.pairs.map((p) => ({
    pair: p,
    doc: JSON.parse(
      findingsSarif(p, { ...placement, subject: subjectOf(p.candidate.fullyQualifiedName) }),
    ) as SarifDoc,
  }));
  const base = JSON.parse(findingsSarif({ ...report, findings: [] }, placement)) as SarifDoc;
  const run = base.runs[0] as SarifDoc['runs'][number];
  const rules: SarifRule[] = [];
  const results: SarifResult[] = [];
  for (const { pair, doc } of docs) {
    const own = doc.runs[0] as SarifDoc['runs'][number];
    for (const r of own.results) {
      const rule = own.tool.driver.rules[r.ruleIndex] as SarifRule;
      let index = rules.findIndex((x) => x.id === rule.id);
      if (index < 0) index = rules.push(rule) - 1;
      const hash = createHash('sha256')
        .update(`${pair.name}|${r.partialFingerprints.patchgateFindingHash}`)
        .digest('hex')
        .slice(0, 32);
      results.push({
        ...r,
        ruleIndex: index,
        message: { text: `[${pair.name}] ${r.message.text}` },
        partialFingerprints: { patchgateFindingHash: hash },
        properties: { ...r.properties, pair: pair.name },
      });
    }
  }
  run.tool.driver.rules = rules;
  run.results = results;
  return `${JSON.stringify(base, null, 2)}\n`;
}
