/**
 * The report of a many-pairs `check` (`--all`, `--pairs`), in every format, built from the one-pair renderers:
 * - text: one report after another, each headed by its pair, then a one-line summary;
 * - json: DESIGN.md's top level (tool, verdict = the worst pair, digest over every pair, stages, findings of
 *   every pair, each tagged `pair`), then `pairs`: each pair's own report with its name;
 * - md: a summary table (one row per pair), then each pair's comment;
 * - sarif: ONE run holding every pair's results (GitHub code scanning rejects several runs of one tool and
 *   category in an upload), each result tagged with its pair in the message, its properties and its fingerprint.
 */
import { createHash } from 'node:crypto';
import type { PairReport, PairsReport } from '../analyze/run-pairs.js';
import { orderedFinding } from '../core/report-json.js';
import { tally } from './common.js';
import type { ReportFormat } from './index.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

const mark = (r: { verdict: string }) => (r.verdict === 'pass' ? 'PASS' : 'FAIL');

function summary(report: PairsReport): string {
  const failed = report.pairs.filter((p) => p.verdict !== 'pass').length;
  const errors = report.errors?.length ?? 0;
  return `${mark(report)}  ${report.pairs.length + errors} pairs: ${report.pairs.length - failed} pass, ${failed} fail${errors ? `, ${errors} not checked` : ''}  digest ${report.digest}`;
}

function renderPairsText(report: PairsReport, color: boolean): string {
  const blocks = report.pairs.map((p) => `== ${p.name}\n${renderText(p, { color })}`);
  for (const e of report.errors ?? []) blocks.push(`== ${e.name}\nERROR ${e.code}: ${e.message}\n`);
  return `${blocks.join('\n')}\n${summary(report)}\n`;
}

function renderPairsJson(report: PairsReport): string {
  const { tool, verdict, digest, stages, findings, pairs, ...extra } = report;
  const pair = ({ name, tool: _tool, verdict, digest, stages, findings, ...rest }: PairReport) => ({
    name,
    verdict,
    digest,
    stages,
    findings: findings.map(orderedFinding),
    ...rest,
  });
  const body = {
    tool,
    verdict,
    digest,
    stages,
    findings: findings.map(orderedFinding),
    pairs: pairs.map(pair),
    ...extra,
  };
  return `${JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

function renderPairsMarkdown(report: PairsReport): string {
  const out = [
    `### patchgate: ${mark(report)} (${report.pairs.length + (report.errors?.length ?? 0)} pairs)`,
    '',
    '| pair | verdict | blocking | findings |',
    '| --- | --- | --- | --- |',
    ...report.pairs.map(
      (p) =>
        `| ${p.name.replace(/\|/g, '\\|')} | ${mark(p)} | ${tally(p.findings).blocking} | ${p.findings.length} |`,
    ),
    ...(report.errors ?? []).map((e) => `| ${e.name.replace(/\|/g, '\\|')} | ERROR | | ${e.code} |`),
    '',
    `Digest \`${report.digest}\`.`,
  ];
  for (const p of report.pairs) {
    out.push('', `#### ${p.name}`, '', renderMarkdown(p).replace(/^### /, '##### ').trimEnd());
  }
  return `${out.join('\n')}\n`;
}

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

function renderPairsSarif(report: PairsReport, rootDir?: string): string {
  const docs = report.pairs.map((p) => ({
    pair: p,
    doc: JSON.parse(renderSarif(p, { rootDir })) as SarifDoc,
  }));
  const base = JSON.parse(renderSarif({ ...report, findings: [] }, { rootDir })) as SarifDoc;
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

export function renderPairsReport(
  report: PairsReport,
  format: ReportFormat,
  opts: { color?: boolean; rootDir?: string } = {},
): string {
  switch (format) {
    case 'json':
      return renderPairsJson(report);
    case 'md':
      return renderPairsMarkdown(report);
    case 'sarif':
      return renderPairsSarif(report, opts.rootDir);
    case 'text':
      return renderPairsText(report, opts.color ?? false);
  }
}
