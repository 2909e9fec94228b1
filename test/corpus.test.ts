/**
 * The precision corpus (test/fixtures/corpus, issue 10): every upgrade pair checked in ONE run of the
 * many-pairs runner (one compile, one process), then each pair's verdict and finding ids held against
 * expected.json — one test per pair, named after it, so a failure names the case.
 *
 * An expectation lists ids, optionally qualified by a severity or a status (`function-changed:low`,
 * `implementation-initializable:fixed`):
 * - blocking: each must be reported, introduced by the patch, and block the gate;
 * - present: each must be reported and NOT block the gate (info, acknowledged by annotation, fixed, …);
 * - notBlocking: may be reported, but must not block the gate;
 * - absent: must not be reported at all.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PairError, type PairReport, type PairSpec, runPairs } from '../src/analyze/run-pairs.js';
import { SEVERITIES } from '../src/core/finding.js';
import { blocksGate } from '../src/report/common.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const DIR = fileURLToPath(new URL('./fixtures/corpus/', import.meta.url));

interface Expectation {
  class: string;
  safe: boolean;
  verdict: 'pass' | 'fail';
  blocking: string[];
  present?: string[];
  notBlocking?: string[];
  absent?: string[];
}

const pairs = JSON.parse(readFileSync(`${DIR}pairs.json`, 'utf8')) as PairSpec[];
const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Record<string, Expectation>;

const reports = new Map<string, PairReport>();
const errors = new Map<string, PairError>();

beforeAll(async () => {
  const run = await runPairs({
    projectDir: DIR,
    stateDir: TEST_STATE_DIR,
    pairs,
    cache: false,
    keepGoing: true,
  });
  for (const r of run.pairs) reports.set(r.name, r);
  for (const e of run.errors ?? []) errors.set(e.name, e);
});

/** `id` or `id:qualifier` (a severity or a status) → does finding `f` match it? */
function matcher(spec: string) {
  const [id, qualifier] = spec.split(':') as [string, string | undefined];
  return (f: PairReport['findings'][number]) =>
    f.id === id &&
    (qualifier === undefined ||
      ((SEVERITIES as readonly string[]).includes(qualifier)
        ? f.severity === qualifier
        : (f.status ?? 'introduced') === qualifier));
}

function reportOf(name: string): PairReport {
  const error = errors.get(name);
  if (error) throw new Error(`${name} could not be checked: ${error.code}: ${error.message}`);
  const report = reports.get(name);
  if (!report) throw new Error(`${name} has no report`);
  return report;
}

const brief = (r: PairReport) =>
  r.findings.map((f) => `${f.id}:${f.severity}${blocksGate(f) ? '(blocking)' : ''}/${f.status ?? '-'}`);

describe('precision corpus: the files agree', () => {
  it('lists every pair once in pairs.json and expected.json, at least 60 of them', () => {
    const names = pairs.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(Object.keys(expected).sort());
    expect(names.length).toBeGreaterThanOrEqual(60);
  });

  it('has a safe and an unsafe pair in every class, but for two one-sided ones', () => {
    // policy: blocking by design, so only unsafe pairs; issue 7: a wrong order is a review warning (the unsafe
    // initializer cases, missing and duplicate calls, are in "initializers").
    const onlyUnsafe = new Set(['policy']);
    const onlySafe = new Set(['issue-7-initializer-order']);
    const classes = new Set(Object.values(expected).map((e) => e.class));
    for (const c of classes) {
      const members = Object.values(expected).filter((e) => e.class === c);
      if (!onlySafe.has(c))
        expect(
          members.some((e) => !e.safe),
          `${c} has no unsafe pair`,
        ).toBe(true);
      if (!onlyUnsafe.has(c))
        expect(
          members.some((e) => e.safe),
          `${c} has no safe pair`,
        ).toBe(true);
    }
    for (const [name, e] of Object.entries(expected)) {
      expect(e.verdict, `${name}: a safe pair passes, an unsafe one fails`).toBe(e.safe ? 'pass' : 'fail');
      if (!e.safe) expect(e.blocking.length, `${name} names what must block`).toBeGreaterThan(0);
    }
  });

  it('never marks a finding the patch fixes as blocking, in any pair', () => {
    const fixed = [...reports.values()].flatMap((r) => r.findings.filter((f) => f.status === 'fixed'));
    expect(fixed.length).toBeGreaterThan(0);
    expect(fixed.filter((f) => f.blocking)).toEqual([]);
  });
});

describe('precision corpus: each pair', () => {
  for (const pair of pairs) {
    const want = expected[pair.name] as Expectation;
    it(`${pair.name} (${want.class}, ${want.safe ? 'safe' : 'unsafe'}): ${want.verdict}`, () => {
      const report = reportOf(pair.name);
      const seen = brief(report);
      expect(report.verdict, `verdict; findings: ${seen.join(' ')}`).toBe(want.verdict);
      for (const spec of want.blocking) {
        const hit = report.findings.filter(matcher(spec));
        expect(
          hit.some((f) => blocksGate(f) && (f.status ?? 'introduced') === 'introduced'),
          `${spec} must block, introduced; findings: ${seen.join(' ')}`,
        ).toBe(true);
      }
      for (const spec of want.present ?? []) {
        const hit = report.findings.filter(matcher(spec));
        expect(hit.length, `${spec} must be reported; findings: ${seen.join(' ')}`).toBeGreaterThan(0);
        expect(hit.some(blocksGate), `${spec} must not block; findings: ${seen.join(' ')}`).toBe(false);
      }
      for (const spec of want.notBlocking ?? []) {
        expect(
          report.findings.filter(matcher(spec)).some(blocksGate),
          `${spec} must not block; findings: ${seen.join(' ')}`,
        ).toBe(false);
      }
      for (const spec of want.absent ?? []) {
        expect(
          report.findings.filter(matcher(spec)),
          `${spec} must not be reported; findings: ${seen.join(' ')}`,
        ).toEqual([]);
      }
    });
  }
});
