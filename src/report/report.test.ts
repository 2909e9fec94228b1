import { describe, expect, it } from 'vitest';
import { makeFinding } from '../analyze/catalog.js';
import type { Report } from '../analyze/finding.js';
import { renderReport } from './index.js';

const report: Report = {
  tool: { name: 'patchgate', version: '0.1.0' },
  verdict: 'fail',
  digest: `0x${'ab'.repeat(32)}`,
  stages: [{ name: 'check', status: 'failed', durationMs: 12 }],
  findings: [
    makeFinding('access-control-removed', {
      message: 'VaultV2.setFeeRecipient lost onlyRole',
      location: { file: 'src/VaultV2.sol', line: 42, contract: 'VaultV2', function: 'setFeeRecipient' },
      status: 'introduced',
      key: '0x1',
    }),
    {
      ...makeFinding('access-control-missing', {
        message: 'claimFor is new and unguarded',
        location: { file: 'src/R.sol', line: 7, contract: 'R', function: 'claimFor' },
        status: 'introduced',
      }),
      acknowledged: true,
      acknowledgedReason: 'permissionless by design',
    },
    makeFinding('implementation-initializable', {
      message: 'V1 constructor does not lock',
      location: { file: 'src/V1.sol', line: 3, contract: 'V1' },
      status: 'fixed',
    }),
    makeFinding('namespaces-unchecked', { message: 'no location here', status: 'introduced' }),
  ],
  reference: { name: 'V1' },
  candidate: { name: 'VaultV2' },
};

describe('renderers', () => {
  it('JSON keeps the contract keys first and drops internal matching keys', () => {
    const json = JSON.parse(renderReport(report, 'json'));
    expect(Object.keys(json).slice(0, 5)).toEqual(['tool', 'verdict', 'digest', 'stages', 'findings']);
    expect(json.findings[0].key).toBeUndefined();
    expect(json.findings[0].location).toEqual(report.findings[0]?.location);
  });

  it('text groups by status, marks blocking and acknowledged findings, and gives the fix', () => {
    const text = renderReport(report, 'text', { color: false });
    expect(text.indexOf('Introduced by this patch')).toBeLessThan(text.indexOf('Fixed by this patch'));
    expect(text).toMatch(
      /access-control-removed \[blocking\]\s+src\/VaultV2\.sol:42 VaultV2\.setFeeRecipient/,
    );
    expect(text).toMatch(/access-control-missing \(acknowledged\)/);
    expect(text).toMatch(/> fix: Restore the modifier/);
    expect(text).toMatch(/2 blocking, 1 acknowledged, 1 fixed by this patch/);
    expect(text.includes('\u001b[')).toBe(false);
  });

  it('Markdown renders a table row per finding', () => {
    const md = renderReport(report, 'md');
    expect(md).toMatch(/^### patchgate: FAIL/);
    expect(md).toMatch(
      /\| critical \| `access-control-removed` \| introduced \*\*blocking\*\* \| src\/VaultV2\.sol:42 VaultV2\.setFeeRecipient \|/,
    );
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).length).toBe(1 + 4);
  });

  it('SARIF 2.1.0: rules for results, levels, relative URIs, suppressions, a location for every result', () => {
    const sarif = JSON.parse(renderReport(report, 'sarif', { rootDir: '/repo/examples/vault' }));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    const run = sarif.runs[0];
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///repo/examples/vault/');
    const rules = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(new Set(rules).size).toBe(rules.length);
    // Fixed findings are not alerts.
    expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toEqual([
      'access-control-removed',
      'access-control-missing',
      'namespaces-unchecked',
    ]);
    for (const r of run.results) {
      expect(rules[r.ruleIndex]).toBe(r.ruleId);
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\//);
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(r.partialFingerprints.patchgateFindingHash).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(run.results[0].level).toBe('error');
    expect(run.results[1].suppressions[0]).toEqual({
      kind: 'external',
      justification: 'permissionless by design',
    });
    expect(run.results[2].locations[0].physicalLocation.artifactLocation.uri).toBe('patchgate.config.json');
  });
});
