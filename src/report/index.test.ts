import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PairsReport } from '../analyze/run-pairs.js';
import { isPatchgateError } from '../core/errors.js';
import { FORMATS, renderReport, reportFormat, writeOutput } from './index.js';
import { sampleReport, sampleSimulateReport } from './sample-report.fixture.js';

const simulateReport = sampleSimulateReport;

describe('renderReport', () => {
  it('renders every format it advertises', () => {
    const report = sampleReport();
    expect(FORMATS).toEqual(['text', 'json', 'md', 'sarif']);
    expect(renderReport(report, 'text')).toMatch(/^FAIL /);
    expect(JSON.parse(renderReport(report, 'json')).verdict).toBe('fail');
    expect(renderReport(report, 'md')).toMatch(/^### patchgate: FAIL/);
    expect(JSON.parse(renderReport(report, 'sarif')).version).toBe('2.1.0');
  });

  it('renders each kind with its own sections: a simulation shows its governance path and PoCs', () => {
    const text = renderReport(simulateReport(), 'text');
    expect(text).toMatch(/^PASS {2}digest 0xcdcd/);
    expect(text).toContain('Governance path (patch fix-flashloan)');
    expect(text).toContain('time-warp      +172800 s');
    expect(text).toContain('✓ drain: before succeeded (profit 1000), after failed');
    expect(renderReport(sampleReport(), 'text')).not.toContain('Governance path');
  });

  it('shows the differential fuzzing in brief: one line of counts, then each difference with its shrunk call', () => {
    const text = renderReport(simulateReport(), 'text', { color: false });
    expect(text).toContain('Differential fuzzing (seed 1): 2 of 2 functions, 26 calls, 1 difference');
    expect(text).toContain(
      '· changed by the patch maxFlashLoan(address): @user:1 calls maxFlashLoan(@token) — return: before returned "60000000000", after returned "30000000000"',
    );
    expect(renderReport(simulateReport(), 'md')).toContain(
      '_Differential fuzzing (seed 1): 2 of 2 functions, 26 generated calls, 1 difference(s)._',
    );
    const skipped = { ...simulateReport(), fuzz: { skipped: 'off in the config (fuzz.enabled)' } };
    expect(renderReport(skipped, 'text', { color: false })).toContain(
      'Differential fuzzing skipped: off in the config (fuzz.enabled)',
    );
    expect(JSON.parse(renderReport(simulateReport(), 'json')).fuzz).toMatchObject({ seed: 1, callsRun: 26 });
  });

  it('writes the kind into JSON after the contract keys; a many-pairs check nests each pair as a check', () => {
    expect(JSON.parse(renderReport(simulateReport(), 'json'))).toMatchObject({
      report: 'simulate',
      governancePath: { steps: [{ name: 'time-warp', seconds: '172800' }] },
    });
    const pair = { ...sampleReport(), name: 'vault' };
    const pairs: PairsReport = {
      ...{ tool: pair.tool, verdict: pair.verdict, digest: pair.digest, stages: pair.stages },
      findings: pair.findings.map((f) => ({ ...f, pair: 'vault' })),
      report: 'pairs',
      pairs: [pair],
    };
    const json = JSON.parse(renderReport(pairs, 'json'));
    expect(Object.keys(json)).toEqual(['tool', 'verdict', 'digest', 'stages', 'findings', 'report', 'pairs']);
    expect(json.pairs[0]).toMatchObject({ name: 'vault', report: 'check', kind: 'uups' });
    expect(renderReport(pairs, 'text')).toMatch(/^== vault\nFAIL VaultV1 → VaultV2AccessDropped \(uups\)/);
    expect(renderReport(pairs, 'md')).toMatch(/^### patchgate: FAIL \(1 pairs\)/);
  });

  it('takes a --format value only if it is a report format', () => {
    expect(reportFormat('sarif')).toBe('sarif');
    let error: unknown;
    try {
      reportFormat('xml');
    } catch (e) {
      error = e;
    }
    expect(isPatchgateError(error) && [error.code, error.exitCode]).toEqual(['usage', 2]);
  });

  it('colors text only when asked', () => {
    expect(renderReport(sampleReport(), 'text', { color: true })).toContain('\u001b[');
  });
});

describe('writeOutput', () => {
  it('replaces the file whole and leaves no temp file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-out-'));
    const file = join(dir, 'report.json');
    writeOutput('first\n', file);
    writeOutput('second\n', file);
    expect(readFileSync(file, 'utf8')).toBe('second\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('names the path it cannot write as an input error', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pg-out-')), 'missing-dir', 'report.json');
    let error: unknown;
    try {
      writeOutput('x', file);
    } catch (e) {
      error = e;
    }
    expect(isPatchgateError(error) && error.exitCode).toBe(2);
    expect((error as Error).message).toContain('missing-dir');
  });
});
