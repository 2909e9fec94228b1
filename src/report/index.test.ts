import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPatchgateError } from '../core/errors.js';
import { FORMATS, renderReport, writeOutput } from './index.js';
import { sampleReport } from './sample-report.fixture.js';

describe('renderReport', () => {
  it('renders every format it advertises', () => {
    const report = sampleReport();
    expect(FORMATS).toEqual(['text', 'json', 'md', 'sarif']);
    expect(renderReport(report, 'text')).toMatch(/^FAIL /);
    expect(JSON.parse(renderReport(report, 'json')).verdict).toBe('fail');
    expect(renderReport(report, 'md')).toMatch(/^### patchgate: FAIL/);
    expect(JSON.parse(renderReport(report, 'sarif')).version).toBe('2.1.0');
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
