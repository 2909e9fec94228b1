import { describe, expect, it } from 'vitest';
import { sampleReport } from './sample-report.fixture.js';
import { renderText } from './text/index.js';

describe('renderText', () => {
  const text = renderText(sampleReport(), { color: false });
  const lines = text.split('\n');

  it('starts with the verdict, the versions compared and a short digest', () => {
    expect(lines[0]).toBe(`FAIL VaultV1 → VaultV2AccessDropped (uups)  digest 0x${'ab'.repeat(8)}…`);
  });

  it('groups by status: introduced, then unchanged, then fixed', () => {
    const introduced = text.indexOf('Introduced by this patch');
    const unchanged = text.indexOf('Already in the live version (unchanged)');
    const fixed = text.indexOf('Fixed by this patch');
    expect(introduced).toBeGreaterThan(0);
    expect(introduced).toBeLessThan(unchanged);
    expect(unchanged).toBeLessThan(fixed);
  });

  it('sorts each group by severity, most severe first', () => {
    const ids = lines.filter((l) => /^ {2}\w/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
    expect(ids).toEqual([
      'access-control-removed',
      'storage-layout-incompatible',
      'access-control-missing',
      'function-added',
      'bytecode-delegatecall',
      'implementation-initializable',
    ]);
  });

  it('writes each finding as severity, id and where, then the message and the fix', () => {
    const at = lines.findIndex((l) => l.includes('access-control-removed'));
    expect(lines[at]).toBe(
      '  critical  access-control-removed  src/bad/VaultV2AccessDropped.sol:42 VaultV2AccessDropped.setFeeRecipient  [blocking]',
    );
    expect(lines[at + 1]).toMatch(/^ {6}VaultV2AccessDropped\.setFeeRecipient had onlyRole/);
    expect(lines[at + 2]).toMatch(/^ {6}> fix: Restore the modifier or caller check/);
  });

  it('keeps multi-line messages indented and findings without a location readable', () => {
    const at = lines.findIndex((l) => l.includes('storage-layout-incompatible'));
    expect(lines[at]).toBe('  critical  storage-layout-incompatible  [blocking]');
    expect(lines[at + 2]).toBe('        > New variables should be placed after existing ones');
  });

  it('marks acknowledged findings with their reason, and does not call them blocking', () => {
    const at = lines.findIndex((l) => l.includes('access-control-missing'));
    expect(lines[at]).toMatch(/access-control-missing .*\(acknowledged\)$/);
    expect(lines[at]).not.toMatch(/\[blocking\]/);
    expect(lines.slice(at, at + 4).join('\n')).toMatch(/> acknowledged: permissionless by design/);
  });

  it('gives no fix for what the patch fixed or for an informational note', () => {
    const fixedAt = lines.findIndex((l) => l.includes('implementation-initializable'));
    expect(lines[fixedAt + 2] ?? '').not.toMatch(/> fix/);
    const infoAt = lines.findIndex((l) => l.includes('function-added'));
    expect(lines[infoAt + 2] ?? '').not.toMatch(/> fix/);
  });

  it('ends with the tally line and uses no color unless asked', () => {
    expect(lines.at(-2)).toBe('2 blocking, 1 acknowledged, 1 fixed by this patch');
    expect(text.includes('\u001b[')).toBe(false);
  });

  it('says PASS with an empty tally when nothing was found', () => {
    const pass = renderText({ ...sampleReport(), verdict: 'pass', findings: [] }, { color: false });
    expect(pass).toMatch(/^PASS /);
    expect(pass.trimEnd().split('\n').at(-1)).toBe('0 blocking, 0 acknowledged, 0 fixed by this patch');
  });

  it('prints control characters from the reviewed code escaped: a file name cannot erase lines or repaint the verdict', () => {
    const base = sampleReport();
    const [first] = base.findings;
    if (!first?.location) throw new Error('the sample has a located finding');
    const evil = {
      ...first,
      message: 'looks fine\u001b[2K\u001b[1A\rPASS',
      location: { ...first.location, file: 'src/\u001b[2J\u001b[HV.sol' },
      acknowledged: true,
      acknowledgedReason: 'ok\u001b]8;;https://evil\u0007',
    };
    const out = renderText({ ...base, findings: [evil] }, { color: false });
    const controls = [...out].filter((ch) => {
      const n = ch.charCodeAt(0);
      return (n < 32 && ch !== '\n' && ch !== '\t') || (n >= 127 && n < 160);
    });
    expect(controls).toEqual([]);
    expect(out).toContain('src/\\x1b[2J\\x1b[HV.sol');
    expect(out).toContain('looks fine\\x1b[2K\\x1b[1A\\x0dPASS');
    expect(out).toContain('ok\\x1b]8;;https://evil\\x07');
  });
});
