/**
 * Every SARIF document patchgate prints validates against the OASIS SARIF 2.1.0 schema committed in
 * test/fixtures (see sarif-schema-2.1.0.md there for its provenance): each report kind rendered from the sample
 * reports, the real CLI's check, many-pairs check and error documents, and their fingerprints are stable.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/audit/index.js';
import type { ProposeReport } from '../src/lifecycle/propose.js';
import type { VerifyReport } from '../src/lifecycle/verify.js';
import { errorDocument } from '../src/report/error-document.js';
import { renderReport } from '../src/report/index.js';
import type { Report } from '../src/report/report.js';
import {
  samplePairsReport,
  sampleReport,
  sampleSimulateReport,
} from '../src/report/sample-report.fixture.js';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, TEST_STATE_DIR } from './helpers/example.js';

const schema = JSON.parse(
  readFileSync(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

// A CommonJS module with a `default` export: the function is that export, however the import is interoped.
const addFormats = ((formats as unknown as { default?: unknown }).default ??
  formats) as typeof formats.default;

function validator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
const validate = validator();

/** The schema's errors for a SARIF text, [] when it is valid. */
function schemaErrors(text: string): string[] {
  const ok = validate(JSON.parse(text));
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const header = () => {
  const { tool, verdict, digest, stages, findings } = sampleReport();
  return { tool, verdict, digest, stages, findings };
};
const ADDR = '0x00000000000000000000000000000000000000b2' as const;

const verifyReport = (): VerifyReport => ({
  ...header(),
  report: 'verify',
  patch: 'fix-fee',
  state: 'executed',
  checks: [],
  evidence: `0x${'33'.repeat(32)}`,
});
const proposeReport = (): ProposeReport => ({ ...header(), report: 'propose', patch: 'fix-fee' });
const auditReport = (): AuditReport => ({
  ...header(),
  report: 'audit',
  proxy: ADDR,
  chainId: 31337,
  kind: 'transparent',
  implementation: ADDR,
  fromBlock: 0n,
  toBlock: 12n,
  log: { given: false, status: 'none', verified: false, authenticated: false, used: 0 },
  history: [],
  tally: { initial: 0, authorized: 0, unexplained: 0 },
});

const KINDS: Array<[string, () => Report]> = [
  ['check', sampleReport],
  ['pairs (check --all / --pairs)', samplePairsReport],
  ['simulate', sampleSimulateReport],
  ['propose', proposeReport],
  ['verify', verifyReport],
  ['audit', auditReport],
];

const placed = {
  rootDir: '/repo/examples/vault',
  sourceRoot: '/repo',
  inRepository: (f: string) => !f.startsWith('lib/'),
};

interface Result {
  ruleId: string;
  partialFingerprints: { patchgateFindingHash: string };
}
const resultsOf = (text: string) => JSON.parse(text).runs[0].results as Result[];

describe('SARIF against the OASIS 2.1.0 schema', () => {
  it('the committed schema is the draft-07 OASIS one', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe(
      'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json',
    );
    // The validator rejects what is not SARIF: a wrong version, a result without a message.
    expect(schemaErrors('{"version":"2.0.0","runs":[]}')).not.toEqual([]);
    expect(
      schemaErrors(
        '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"}]}]}',
      ),
    ).not.toEqual([]);
  });

  it.each(KINDS)('a %s report validates, placed or not', (_kind, make) => {
    for (const opts of [{}, placed]) {
      const text = renderReport(make(), 'sarif', opts);
      expect(schemaErrors(text)).toEqual([]);
      expect(JSON.parse(text).runs).toHaveLength(1);
    }
  });

  it('a file name with a space, #, % or a backquote is one valid, percent-encoded URI', () => {
    const base = sampleReport();
    const file = 'src/bad/Vault Collision #1 100%`.sol';
    const report = {
      ...base,
      findings: base.findings.map((f) => ({ ...f, location: { file, line: 3, contract: 'Vault' } })),
    };
    const text = renderReport(report, 'sarif');
    expect(schemaErrors(text)).toEqual([]);
    const uris = JSON.parse(text).runs[0].results.map(
      (r: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri,
    );
    expect(uris[0]).toBe('src/bad/Vault%20Collision%20%231%20100%25%60.sol');
    expect(decodeURIComponent(uris[0])).toBe(file);
  });

  it.each([2, 3])('the error document of exit %i validates', (exit) => {
    const text = errorDocument('sarif', { code: 'invalid-argument', message: 'bad', hint: 'fix it' }, exit);
    expect(schemaErrors(text)).toEqual([]);
  });

  it('the real CLI: a single-pair check, a check of every patch in the config, and exit 2 all validate', () => {
    const base = ['check', '--project', EXAMPLE_DIR, '--state-dir', TEST_STATE_DIR, '--format', 'sarif'];
    const single = runCli([...base, '--reference', 'VaultV1', '--candidate', 'VaultV2AccessDropped']);
    expect(single.code).toBe(1);
    expect(schemaErrors(single.stdout)).toEqual([]);
    expect(resultsOf(single.stdout).map((r) => r.ruleId)).toContain('access-control-removed');

    const all = runCli([...base, '--all']);
    expect(all.code).toBe(1);
    expect(schemaErrors(all.stdout)).toEqual([]);
    expect(resultsOf(all.stdout).map((r) => r.ruleId)).toContain('storage-layout-incompatible');

    const bad = runCli([...base, '--allow', 'Not An Id']);
    expect(bad.code).toBe(2);
    expect(schemaErrors(bad.stdout)).toEqual([]);
    // Another run: the same fingerprints (nothing of the run — digest, durations — is in them).
    const again = runCli([...base, '--reference', 'VaultV1', '--candidate', 'VaultV2AccessDropped']);
    expect(resultsOf(again.stdout).map((r) => r.partialFingerprints)).toEqual(
      resultsOf(single.stdout).map((r) => r.partialFingerprints),
    );
  });
});

describe('partialFingerprints', () => {
  const hashes = (report: Report) =>
    resultsOf(renderReport(report, 'sarif', placed)).map(
      (r) => `${r.ruleId} ${r.partialFingerprints.patchgateFindingHash}`,
    );

  it('are the same when unrelated lines move (a comment added above the contract shifts every line)', () => {
    const moved = sampleReport();
    moved.findings = moved.findings.map((f) =>
      f.location ? { ...f, location: { ...f.location, line: f.location.line + 7 } } : f,
    );
    expect(hashes(moved)).toEqual(hashes(sampleReport()));
  });

  it('are the same when the digest and the stage durations change', () => {
    const other = { ...sampleReport(), digest: `0x${'99'.repeat(32)}` as const };
    other.stages = other.stages.map((s) => ({ ...s, durationMs: s.durationMs * 3 + 1 }));
    expect(hashes(other)).toEqual(hashes(sampleReport()));
  });

  it('differ between different findings: another rule at one place, another subject of one rule', () => {
    const all = hashes(sampleReport()).map((h) => h.split(' ')[1]);
    expect(new Set(all).size).toBe(all.length);
    // Two storage findings without a location, told apart by what they are about (the analyzer's key).
    const report = sampleReport();
    const layout = report.findings.find((f) => f.id === 'storage-layout-incompatible');
    if (!layout) throw new Error('sample changed');
    report.findings = [
      { ...layout, key: 'insert:withdrawalLimit' },
      { ...layout, key: 'delete:feeBps', message: 'VaultV1: Deleted `feeBps`' },
    ];
    const [a, b] = hashes(report);
    expect(a).not.toBe(b);
    // Without a key, the message tells them apart — but not its numbers (a pc, a line, a slot).
    const opcode = sampleReport().findings.find((f) => f.id === 'bytecode-delegatecall');
    if (!opcode) throw new Error('sample changed');
    report.findings = [
      opcode,
      { ...opcode, message: opcode.message.replace('0x1a2f', '0x2b40') },
      { ...opcode, message: opcode.message.replace('upgradeToAndCall', 'functionDelegateCall') },
    ];
    const [x, y, z] = hashes(report);
    expect(y).toBe(x);
    expect(z).not.toBe(x);
  });

  it('differ between pairs of a many-pairs check, and are deterministic', () => {
    const pairs = hashes(samplePairsReport());
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(hashes(samplePairsReport())).toEqual(pairs);
  });
});
