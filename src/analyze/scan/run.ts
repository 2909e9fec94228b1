/**
 * Runs the scan detectors on a contract and makes their hits findings: located, fingerprinted, suppressed where
 * the source says so. `scanContract` judges one version (`patchgate scan`); `scanDiff` judges a patch, each
 * finding `fixed`, `introduced` or `unchanged` relative to the live version, matched by detector, function and
 * a fingerprint of the normalised source of what was flagged — never by line, so moving code does not make a
 * finding new. Only an introduced high or critical finding blocks: an old one is known risk, listed, and the
 * report leads with what the patch fixed.
 */
import { createHash } from 'node:crypto';
import type { FunctionDefinition, ModifierDefinition } from 'solidity-ast';
import type { Finding, Severity } from '../../core/finding.js';
import { type ContractView, functionLabel } from '../ast.js';
import { catalogEntry, makeFinding } from '../catalog.js';
import type { ScanContext, ScanDetector, ScanHit } from './detector.js';
import { DETECTORS } from './registry.js';
import { suppressionAt } from './suppress.js';

/** Dependency sources: npm packages (`@scope/…`, node_modules/) and Foundry's lib/. */
export function isDependencySource(file: string): boolean {
  return file.startsWith('@') || file.includes('node_modules/') || file.startsWith('lib/');
}

function scanContext(view: ContractView): ScanContext {
  const isOwn = (node: { src: string }) => !isDependencySource(view.fileOfNode(node));
  const own: (FunctionDefinition | ModifierDefinition)[] = [];
  for (const base of view.linearized) {
    if (!isOwn(base)) continue;
    for (const node of base.nodes) {
      if ((node.nodeType === 'FunctionDefinition' || node.nodeType === 'ModifierDefinition') && node.body) {
        own.push(node);
      }
    }
  }
  return { view, own, isOwn };
}

/** The source text of a node (`src` counts UTF-8 bytes). */
function sourceOf(view: ContractView, node: { src: string }): string {
  const [start = 0, length = 0] = node.src.split(':').map(Number);
  const content = view.unit.input.sources[view.fileOfNode(node)]?.content ?? '';
  return Buffer.from(content)
    .subarray(start, start + length)
    .toString('utf8');
}

/** Comments dropped, whitespace collapsed: what a reformat or a moved line does not change. */
function normalizeSource(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(){}[\];,.=+\-*/<>!&|^%?:])\s*/g, '$1')
    .trim();
}

function withinLabel(fn: FunctionDefinition | ModifierDefinition | undefined): string | undefined {
  if (!fn) return undefined;
  return fn.nodeType === 'FunctionDefinition' ? functionLabel(fn) : fn.name;
}

const BLOCKING_SEVERITIES: ReadonlySet<Severity> = new Set(['critical', 'high']);

function findingOf(view: ContractView, detector: ScanDetector, hit: ScanHit, key: string): Finding {
  const entry = catalogEntry(detector.id);
  const fn = withinLabel(hit.within);
  const file = view.fileOfNode(hit.node);
  const line = view.lineOf(hit.node);
  const owner = hit.within ? view.ownerOf.get(hit.within.id) : undefined;
  const severity = hit.severity ?? entry.severity;
  const finding: Finding = {
    ...makeFinding(detector.id, {
      message: hit.message,
      location: { file, line, contract: owner?.name ?? view.def.name, ...(fn ? { function: fn } : {}) },
      severity,
      blocking: BLOCKING_SEVERITIES.has(severity),
      key,
    }),
    confidence: hit.confidence ?? detector.confidence,
    ...(entry.swc ? { swc: entry.swc } : {}),
    ...(entry.cwe ? { cwe: entry.cwe } : {}),
  };
  const content = view.unit.input.sources[file]?.content;
  const found =
    content === undefined ? ({ kind: 'none' } as const) : suppressionAt(content, line, detector.id);
  if (found.kind === 'suppressed') {
    return {
      ...finding,
      acknowledged: true,
      acknowledgedReason: `${file}:${found.suppression.line}: ${found.suppression.reason}`,
    };
  }
  if (found.kind === 'no-reason') {
    return {
      ...finding,
      message: `${finding.message} (The patchgate-disable comment at ${file}:${found.line} gives no reason after " -- ", so it suppresses nothing.)`,
    };
  }
  return finding;
}

/**
 * The scan findings of one contract. A detector that throws is a bug in patchgate: the error propagates (the
 * check fails closed, exit 3) rather than a detector silently finding nothing.
 */
export function scanContract(view: ContractView, detectors: readonly ScanDetector[] = DETECTORS): Finding[] {
  const ctx = scanContext(view);
  const out: Finding[] = [];
  for (const detector of detectors) {
    const seen = new Map<string, number>();
    for (const hit of detector.run(ctx)) {
      const fingerprint = createHash('sha256')
        .update(`${normalizeSource(sourceOf(view, hit.node))}\n${hit.detail ?? ''}`)
        .digest('hex')
        .slice(0, 16);
      const base = `${withinLabel(hit.within) ?? view.def.name}:${fingerprint}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      out.push(findingOf(view, detector, hit, n === 1 ? base : `${base}#${n}`));
    }
  }
  return out;
}

const identity = (f: Finding) => `${f.id}|${f.key ?? ''}`;

/**
 * A patch's scan findings relative to the live version: `fixed` (the live version has it, the candidate not),
 * `introduced`, `unchanged`. Only an introduced high or critical finding blocks.
 */
export function scanDiff(
  reference: ContractView,
  candidate: ContractView,
  detectors: readonly ScanDetector[] = DETECTORS,
): Finding[] {
  const before = scanContract(reference, detectors);
  const after = scanContract(candidate, detectors);
  const old = new Set(before.map(identity));
  const now = new Set(after.map(identity));
  const fixed = before
    .filter((f) => !now.has(identity(f)))
    .map((f): Finding => ({ ...f, status: 'fixed', blocking: false }));
  const rest = after.map(
    (f): Finding =>
      old.has(identity(f)) ? { ...f, status: 'unchanged', blocking: false } : { ...f, status: 'introduced' },
  );
  return [...fixed, ...rest];
}
