import { describe, expect, it } from 'vitest';
import type { Report } from './report.js';
import { sampleReport } from './sample-report.fixture.js';
import { renderSarif } from './sarif/index.js';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } };
    logicalLocations?: { fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: { status: string; acknowledged: boolean };
  suppressions?: { kind: string; justification: string }[];
}

const parse = (report: Report, rootDir?: string) => {
  const sarif = JSON.parse(renderSarif(report, { rootDir }));
  return { sarif, run: sarif.runs[0], results: sarif.runs[0].results as SarifResult[] };
};

describe('renderSarif', () => {
  const { sarif, run, results } = parse(sampleReport(), '/repo/examples/vault');
  const byId = (id: string) => results.find((r) => r.ruleId === id) as SarifResult;

  it('is a SARIF 2.1.0 log with one run by patchgate', () => {
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'patchgate', version: '0.1.0', semanticVersion: '0.1.0' });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///repo/examples/vault/');
  });

  it('declares one rule per id used, each described from the catalogue', () => {
    const rules = run.tool.driver.rules as {
      id: string;
      name: string;
      help: { text: string; markdown: string };
    }[];
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const removed = rules.find((r) => r.id === 'access-control-removed');
    expect(removed).toMatchObject({
      name: 'AccessControlRemoved',
      shortDescription: { text: 'Access guard removed from a state-changing function' },
      defaultConfiguration: { level: 'error' },
      properties: { tags: expect.arrayContaining(['security']), 'security-severity': '9.5' },
    });
    expect(removed?.help.markdown).toMatch(/\*\*Fix:\*\* Restore the modifier/);
    for (const r of results) expect(ids[r.ruleIndex]).toBe(r.ruleId);
  });

  it('leaves out what the patch fixed (nothing to alert on)', () => {
    expect(results.map((r) => r.ruleId)).not.toContain('implementation-initializable');
    expect(results).toHaveLength(sampleReport().findings.length - 1);
  });

  it('maps severities to levels: critical and high are errors, low and info notes', () => {
    expect(byId('access-control-removed').level).toBe('error');
    expect(byId('access-control-missing').level).toBe('error');
    expect(byId('function-added').level).toBe('note');
    expect(byId('bytecode-delegatecall').level).toBe('note');
  });

  it('locates every result with a relative URI and a line ≥ 1, as GitHub code scanning requires', () => {
    for (const r of results) {
      const loc = r.locations[0]?.physicalLocation;
      expect(loc?.artifactLocation.uri).not.toMatch(/^\/|\\|^[a-z]+:/);
      expect(loc?.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(loc?.region.startLine).toBeGreaterThanOrEqual(1);
    }
    const removed = byId('access-control-removed').locations[0];
    expect(removed?.physicalLocation.artifactLocation.uri).toBe('src/bad/VaultV2AccessDropped.sol');
    expect(removed?.physicalLocation.region.startLine).toBe(42);
    expect(removed?.logicalLocations?.[0]).toMatchObject({
      fullyQualifiedName: 'VaultV2AccessDropped.setFeeRecipient',
      kind: 'function',
    });
  });

  it("points a finding without a location at line 1 of the candidate's source", () => {
    const loc = byId('storage-layout-incompatible').locations[0];
    expect(loc?.physicalLocation.artifactLocation.uri).toBe('src/bad/VaultV2AccessDropped.sol');
    expect(loc?.physicalLocation.region.startLine).toBe(1);
    expect(loc?.logicalLocations?.[0]).toMatchObject({
      fullyQualifiedName: 'VaultV2AccessDropped',
      kind: 'type',
    });
    // A report that names no compiled candidate (verify's) falls back to the config file.
    const { tool, verdict, digest, stages, findings } = sampleReport();
    const verify: Report = {
      ...{ tool, verdict, digest, stages, findings },
      report: 'verify',
      patch: 'fix-fee',
      state: 'executed',
      checks: [],
      evidence: `0x${'33'.repeat(32)}`,
    };
    const bare = parse(verify).results.find((r) => r.ruleId === 'storage-layout-incompatible');
    expect(bare?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('patchgate.config.json');
  });

  it('makes absolute source paths relative to the project directory', () => {
    const report = sampleReport();
    const f = report.findings[2];
    if (f?.location)
      f.location = { ...f.location, file: '/repo/examples/vault/src/bad/VaultV2AccessDropped.sol' };
    const { results: rs } = parse(report, '/repo/examples/vault');
    expect(
      rs.find((r) => r.ruleId === 'access-control-removed')?.locations[0]?.physicalLocation.artifactLocation
        .uri,
    ).toBe('src/bad/VaultV2AccessDropped.sol');
  });

  it("roots URIs at the repository's top level when given: a project in a subdirectory keeps its path", () => {
    const sarif = JSON.parse(
      renderSarif(sampleReport(), { rootDir: '/repo/examples/vault', sourceRoot: '/repo' }),
    );
    expect(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///repo/');
    const uris = (sarif.runs[0].results as SarifResult[]).map(
      (r) => r.locations[0]?.physicalLocation.artifactLocation.uri,
    );
    expect(uris).toContain('examples/vault/src/bad/VaultV2AccessDropped.sol');
    for (const u of uris) expect(u).toMatch(/^examples\/vault\//);
  });

  it('places a finding in library code at the candidate, with the library spot as a related location', () => {
    const sarif = JSON.parse(
      renderSarif(sampleReport(), {
        rootDir: '/repo',
        inRepository: (file) => !file.startsWith('lib/'),
      }),
    );
    const result = (sarif.runs[0].results as (SarifResult & { relatedLocations?: unknown[] })[]).find(
      (r) => r.ruleId === 'bytecode-delegatecall',
    );
    expect(result?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'src/bad/VaultV2AccessDropped.sol', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1 },
    });
    expect(result?.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: {
          artifactLocation: { uri: 'lib/openzeppelin/contracts/utils/Address.sol' },
          region: { startLine: 96 },
        },
        message: {
          text: 'in library code: lib/openzeppelin/contracts/utils/Address.sol (Address.functionDelegateCall)',
        },
      },
    ]);
    // The repository's own files keep their place.
    expect(
      (sarif.runs[0].results as SarifResult[]).find((r) => r.ruleId === 'access-control-removed')
        ?.locations[0]?.physicalLocation.artifactLocation.uri,
    ).toBe('src/bad/VaultV2AccessDropped.sol');
  });

  it('gives no security-severity to an info rule (GitHub would show "0.0" as a Low alert)', () => {
    const rules = run.tool.driver.rules as { id: string; properties: Record<string, unknown> }[];
    const info = rules.find((r) => r.id === 'function-added');
    expect(info?.properties).not.toHaveProperty('security-severity');
    expect(rules.find((r) => r.id === 'access-control-removed')?.properties['security-severity']).toBe('9.5');
  });

  it('suppresses acknowledged findings with the reason and records status in properties', () => {
    expect(byId('access-control-missing').suppressions).toEqual([
      { kind: 'external', justification: 'permissionless by design: rewards always go to the staker' },
    ]);
    expect(byId('access-control-missing').properties).toMatchObject({
      status: 'introduced',
      acknowledged: true,
    });
    expect(byId('access-control-removed')).not.toHaveProperty('suppressions');
    expect(byId('bytecode-delegatecall').properties).toMatchObject({
      status: 'unchanged',
      acknowledged: false,
    });
  });

  it('fingerprints a finding by what it is, not by its line', () => {
    const moved = sampleReport();
    const f = moved.findings[2];
    if (f?.location) f.location = { ...f.location, line: 90 };
    const again = parse(moved).results.find((r) => r.ruleId === 'access-control-removed');
    expect(again?.partialFingerprints).toEqual(byId('access-control-removed').partialFingerprints);
    expect(byId('access-control-removed').partialFingerprints.patchgateFindingHash).toMatch(/^[0-9a-f]{32}$/);
    const hashes = results.map((r) => r.partialFingerprints.patchgateFindingHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
