import { describe, expect, it } from 'vitest';
import { renderJson } from '../core/report-json.js';
import { sampleReport } from './sample-report.fixture.js';

describe('renderJson', () => {
  it('puts the report contract keys first, in order, then the kind, then the extra keys', () => {
    const json = JSON.parse(renderJson(sampleReport()));
    expect(Object.keys(json)).toEqual([
      'tool',
      'verdict',
      'digest',
      'stages',
      'findings',
      'report',
      'reference',
      'candidate',
      'kind',
      'cached',
      'storageLayout',
    ]);
    expect(json.report).toBe('check');
    expect(json.tool).toEqual({ name: 'patchgate', version: '0.1.0' });
    expect(json.stages[1]).toEqual({ name: 'check', status: 'failed', durationMs: 112 });
  });

  it('writes every finding with the same key order and without the internal match key', () => {
    const report = sampleReport();
    const json = JSON.parse(renderJson(report));
    const removed = json.findings[2];
    expect(Object.keys(removed)).toEqual([
      'id',
      'severity',
      'title',
      'message',
      'location',
      'status',
      'hint',
      'blocking',
    ]);
    expect(removed.location).toEqual(report.findings[2]?.location);
    expect(json.findings[1]).toMatchObject({
      acknowledged: true,
      acknowledgedReason: expect.stringMatching(/by design/),
    });
    expect(json.findings.some((f: object) => 'key' in f)).toBe(false);
    expect(json.findings[5]).not.toHaveProperty('location');
  });

  it('writes bigints as decimal strings and ends with a newline', () => {
    const withWei = { ...sampleReport(), valueAtRisk: 12345678901234567890n };
    const text = renderJson(withWei);
    expect(JSON.parse(text).valueAtRisk).toBe('12345678901234567890');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toMatch(/^\{\n {2}"tool"/);
  });
});
