import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown/index.js';
import { sampleReport } from './sample-report.fixture.js';

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));

  it('opens with the verdict and the tally', () => {
    expect(md).toMatch(
      /^### patchgate: FAIL\n\n2 blocking, 1 acknowledged, 1 fixed by this patch\. Digest `0x/,
    );
  });

  it('has a header row and one row per finding, most important first', () => {
    expect(rows[0]).toBe('| severity | id | status | location | message |');
    expect(rows).toHaveLength(1 + sampleReport().findings.length);
    expect(rows[1]).toBe(
      '| critical | `access-control-removed` | introduced **blocking** | `src/bad/VaultV2AccessDropped.sol:42 VaultV2AccessDropped.setFeeRecipient` | VaultV2AccessDropped.setFeeRecipient had onlyRole(DEFAULT_ADMIN_ROLE) in VaultV1 and has no guard now. |',
    );
    expect(rows.find((r) => r.includes('access-control-missing'))).toMatch(
      /\| introduced \(acknowledged\) \|/,
    );
    expect(rows.at(-1)).toMatch(/^\| critical \| `implementation-initializable` \| fixed \|/);
  });

  it('keeps a multi-line message and pipes inside one table cell', () => {
    const row = rows.find((r) => r.includes('storage-layout-incompatible')) ?? '';
    expect(row).toMatch(/\| {2}\| VaultV1: Inserted `withdrawalLimit` {3}> New variables/);
    const piped = renderMarkdown({
      ...sampleReport(),
      findings: sampleReport()
        .findings.slice(2, 3)
        .map((f) => ({ ...f, message: 'a | b' })),
    });
    expect(piped).toContain('| a \\| b |');
  });

  it('details each finding with its fix, and the reason of an acknowledgement', () => {
    expect(md).toContain(
      '#### `access-control-removed`: Access guard removed from a state-changing function',
    );
    expect(md).toContain('> **Fix:** Restore the modifier or caller check');
    expect(md).toContain('> **Acknowledged:** permissionless by design');
    expect(md).toMatch(/<details>[\s\S]*<\/details>\n$/);
  });
});
