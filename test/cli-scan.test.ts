/**
 * `patchgate scan` end to end (the compiled CLI) on the scan corpus: a project scan blocks on a high finding, a
 * patch scan reports what the fix removed as fixed and passes, bad input is exit 2, and every format renders.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { TEST_STATE_DIR } from './helpers/example.js';
import { SCAN_CORPUS } from './helpers/scan-corpus.js';

const scan = (...args: string[]) =>
  runCli(['scan', '--project', SCAN_CORPUS, '--state-dir', TEST_STATE_DIR, ...args]);

interface ScanJson {
  verdict: string;
  report: string;
  contracts: { fullyQualifiedName: string; findings: number }[];
  findings: {
    id: string;
    status?: string;
    blocking: boolean;
    acknowledged?: boolean;
    location?: { function?: string };
  }[];
  detectors: string[];
}

describe('patchgate scan', () => {
  it('scans one contract and exits 1 on a high finding, naming it', () => {
    const r = scan('OriginWallet', '--format', 'json');
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc).toMatchObject({ verdict: 'fail', report: 'scan' });
    expect(doc.contracts).toEqual([
      { fullyQualifiedName: 'src/tx-origin/OriginWallet.sol:OriginWallet', findings: 1 },
    ]);
    expect(doc.findings.map((f) => [f.id, f.location?.function, f.blocking])).toEqual([
      ['scan-tx-origin', 'withdrawAll', true],
    ]);
    expect(doc.detectors).toContain('scan-tx-origin');
  });

  it('judges a patch: the fix is reported fixed first, and passes', () => {
    const r = scan('OriginMinterFixed', '--reference', 'OriginMinter');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe(
      'fixed by this patch: scan-tx-origin in OriginMinter.mint (high), scan-tx-origin in OriginMinter.bridgeOut (high)',
    );
  });

  it('passes a clean contract, and with no contract named scans every deployable one', () => {
    expect(scan('OriginWalletFixed').code).toBe(0);
    const all = JSON.parse(scan('--format', 'json').stdout) as ScanJson;
    expect(all.contracts.map((c) => c.fullyQualifiedName)).toContain(
      'src/tx-origin/OriginModifier.sol:OriginFeeSwitch',
    );
    expect(all.findings.filter((f) => f.acknowledged)).toHaveLength(2); // suppressed in source, with reasons
  });

  it('renders SARIF with the CWE as a tag and the detector confidence as precision', () => {
    const r = scan('OriginWallet', '--format', 'sarif');
    const sarif = JSON.parse(r.stdout) as {
      runs: {
        tool: { driver: { rules: { id: string; properties: { tags: string[]; precision: string } }[] } };
      }[];
    };
    const rule = sarif.runs[0]?.tool.driver.rules.find((x) => x.id === 'scan-tx-origin');
    expect(rule?.properties.tags).toContain('external/cwe/cwe-477');
    expect(rule?.properties.precision).toBe('high');
  });

  it('refuses an unknown contract and --reference with two contracts, exit 2', () => {
    const unknown = scan('NoSuchContract');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/NoSuchContract/);
    const two = scan('OriginWallet', 'OriginWalletFixed', '--reference', 'OriginWallet');
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--reference needs exactly one contract to compare it with (2 given)');
  });
});
