import { describe, expect, it } from 'vitest';
import { GITHUB_COMMENT_LIMIT } from './markdown/fit.js';
import { renderMarkdown } from './markdown/index.js';
import { samplePairsReport, sampleReport } from './sample-report.fixture.js';

/** A 80-line source whose line N reads `line N`. */
const SOURCE = Array.from({ length: 80 }, (_, i) => `    uint256 line${i + 1};`).join('\n');

const linked = {
  rootDir: '/repo/examples/vault',
  sourceRoot: '/repo',
  sourceUrl: 'https://github.com/acme/vault/blob/0123456789abcdef0123456789abcdef01234567',
  inRepository: (file: string) => !file.startsWith('lib/'),
  sourceText: (file: string) => (file.startsWith('src/') ? SOURCE : undefined),
};

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));

  it('opens with the verdict and the tally, before any section', () => {
    expect(md).toMatch(
      /^### patchgate: FAIL\n\n2 blocking, 1 acknowledged, 1 fixed by this patch\. Digest `0x[0-9a-f]{64}`\.\n\n<details/,
    );
  });

  it('puts the pair in one collapsible section, open because it blocks, the verdict and count in its summary', () => {
    expect(md).toContain(
      '<details open>\n<summary><b>FAIL</b> VaultV1 → VaultV2AccessDropped (uups): 2 blocking, 6 findings</summary>',
    );
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
    expect(md.match(/<details/g)).toHaveLength(1);
  });

  it('has a header row and one row per finding, most important first', () => {
    expect(rows[0]).toBe('| severity | id | status | location | message |');
    const findingRows = rows.filter((r) => /^\| (critical|high|medium|low|info) \|/.test(r));
    expect(findingRows).toHaveLength(sampleReport().findings.length);
    expect(findingRows[0]).toBe(
      '| critical | `access-control-removed` | introduced **blocking** | `src/bad/VaultV2AccessDropped.sol:42` `VaultV2AccessDropped.setFeeRecipient` | VaultV2AccessDropped.setFeeRecipient had onlyRole(DEFAULT_ADMIN_ROLE) in VaultV1 and has no guard now. |',
    );
    expect(findingRows.find((r) => r.includes('access-control-missing'))).toMatch(
      /\| introduced \(acknowledged\) \|/,
    );
    expect(findingRows.at(-1)).toMatch(/^\| critical \| `implementation-initializable` \| fixed \|/);
  });

  it('keeps a multi-line message and pipes inside one table cell', () => {
    const row = rows.find((r) => r.includes('storage-layout-incompatible')) ?? '';
    expect(row).toMatch(/\| {2}\| VaultV1: Inserted `withdrawalLimit` {3}&gt; New variables/);
    const piped = renderMarkdown({
      ...sampleReport(),
      findings: sampleReport()
        .findings.slice(2, 3)
        .map((f) => ({ ...f, message: 'a | b' })),
    });
    expect(piped).toContain('| a \\| b |');
  });

  it('shows the storage layout diff as a table: slot, offset, each version’s variable, what changed', () => {
    expect(md).toContain('**Storage layout changes** (VaultV1 → VaultV2AccessDropped, 3 positions)');
    expect(md).toContain(
      [
        '| slot | offset | VaultV1 | VaultV2AccessDropped | change |',
        '| --- | --- | --- | --- | --- |',
        '| 2 | 0 | `uint256 feeBps` (VaultV1) | `uint256 withdrawalLimit` (VaultV2AccessDropped) | **different variable** |',
        '| 3 | 0 | `address feeRecipient` (VaultV1) | `uint256 feeBps` (VaultV2AccessDropped) | **different variable** |',
        '| 4 | 0 | — | `address feeRecipient` (VaultV2AccessDropped) | added |',
      ].join('\n'),
    );
    const { storageLayout: _none, ...plain } = sampleReport();
    expect(renderMarkdown(plain)).not.toContain('Storage layout changes');
  });

  it('details each finding with its fix, and the reason of an acknowledgement', () => {
    expect(md).toContain(
      '#### `access-control-removed`: Access guard removed from a state-changing function',
    );
    expect(md).toContain('> **Fix:** Restore the modifier or caller check');
    expect(md).toContain('> **Acknowledged:** permissionless by design');
  });

  it("quotes the candidate's source lines around each finding, its own line marked", () => {
    const withSource = renderMarkdown(sampleReport(), linked);
    expect(withSource).toContain(
      [
        '```solidity',
        '  40 |     uint256 line40;',
        '  41 |     uint256 line41;',
        '> 42 |     uint256 line42;',
        '  43 |     uint256 line43;',
        '  44 |     uint256 line44;',
        '```',
      ].join('\n'),
    );
    // The fixed finding is about the reference: no excerpt of the tree at hand. A source that cannot be read: none.
    const fixed = withSource.slice(withSource.indexOf('#### `implementation-initializable`'));
    expect(fixed).not.toContain('```solidity');
    const library = withSource.slice(withSource.indexOf('#### `bytecode-delegatecall`'));
    expect(library.slice(0, library.indexOf('####', 5))).not.toContain('```solidity');
  });

  it('fences an excerpt that holds backticks with a longer fence', () => {
    const text = renderMarkdown(sampleReport(), { sourceText: () => 'a\n/// ```js\nb\nc\n'.repeat(20) });
    expect(text).toContain('````solidity');
  });

  it('links each location of the repository to its line on GitHub, from the git top level', () => {
    const withLinks = renderMarkdown(sampleReport(), linked);
    expect(withLinks).toContain(
      '[`src/bad/VaultV2AccessDropped.sol:42`](https://github.com/acme/vault/blob/0123456789abcdef0123456789abcdef01234567/examples/vault/src/bad/VaultV2AccessDropped.sol#L42)',
    );
    // A library spot GitHub cannot show and a fixed finding (the reference) keep plain text.
    expect(withLinks).toContain(
      '| `lib/openzeppelin/contracts/utils/Address.sol:96` `Address.functionDelegateCall` |',
    );
    expect(withLinks).toContain('| `src/VaultV1.sol:12` `VaultV1` |');
    expect(md).not.toContain('](https://');
  });

  it('gives each pair of a many-pairs check its own section, the blocking ones open', () => {
    const pairs = renderMarkdown(samplePairsReport());
    expect(pairs).toMatch(/^### patchgate: FAIL \(2 pairs\)\n/);
    expect(pairs).toContain('| vault | FAIL | 2 | 6 |\n| rewards | PASS | 0 | 2 |');
    expect(pairs).toContain(
      '<details open>\n<summary><b>FAIL</b> vault: VaultV1 → VaultV2AccessDropped (uups): 2 blocking, 6 findings',
    );
    expect(pairs).toContain(
      '<details>\n<summary><b>PASS</b> rewards: VaultV1 → VaultV2AccessDropped (uups): 0 blocking, 2 findings',
    );
    expect(pairs.match(/<details/g)).toHaveLength(2);
    expect(pairs.match(/<\/details>/g)).toHaveLength(2);
  });

  it("stays within GitHub's comment limit: drops excerpts first, then cuts with a note, sections closed", () => {
    const many = sampleReport();
    const base = many.findings[2];
    if (!base) throw new Error('sample changed');
    const findings = Array.from({ length: 400 }, (_, i) => ({ ...base, message: `${base.message} (${i})` }));
    const big = renderMarkdown({ ...many, findings }, linked);
    expect(big.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(big).toMatch(
      /> \*\*Truncated:\*\* this report is [\d,]+ characters, more than a GitHub comment holds/,
    );
    expect(big.match(/<details/g)?.length).toBe(big.match(/<\/details>/g)?.length);
    expect((big.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(big).toMatch(/^### patchgate: FAIL/);
    // Fewer findings: the excerpts go, every finding stays, nothing is cut.
    expect(renderMarkdown({ ...many, findings: findings.slice(0, 65) }, linked)).not.toContain('```solidity');
    const mid = renderMarkdown({ ...many, findings: findings.slice(0, 65) }, linked);
    const full = renderMarkdown(
      { ...many, findings: findings.slice(0, 65) },
      { ...linked, sourceText: undefined },
    );
    expect(mid).toBe(full);
    expect(mid).not.toContain('Truncated');
  });

  it('renders no link or image of a message or reason of its own, and leaves code spans as they are', () => {
    const base = sampleReport();
    const [first] = base.findings;
    if (!first) throw new Error('the sample has a finding');
    const evil = {
      ...first,
      message: 'see [PASS](https://evil.example) and `balances[msg.sender]`',
      acknowledged: true,
      acknowledgedReason: '![ok](https://evil.example/pixel.png)',
    };
    const md = renderMarkdown({ ...base, findings: [evil] });
    expect(md).not.toMatch(/(?<!\\)\[PASS\]\(/);
    expect(md).toContain('\\[PASS\\](https://evil.example)');
    expect(md).toContain('!\\[ok\\](https://evil.example/pixel.png)');
    expect(md).toContain('`balances[msg.sender]`');
  });
});
