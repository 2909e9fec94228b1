/**
 * `patchgate check --pairs FILE` and `check --all` end to end (compiled dist/, as a user runs it): many pairs of
 * the precision corpus in one process, the exit code of the worst pair, the combined report in every format,
 * and bad input refused with exit 2 naming the entry.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../src/build/index.js';
import { runCli } from './helpers/cli.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const CORPUS = fileURLToPath(new URL('./fixtures/corpus/', import.meta.url));
const base = ['check', '--project', CORPUS, '--state-dir', TEST_STATE_DIR];

// Compile the corpus into the shared cache once, under the hook's timeout, before any CLI run reads it.
beforeAll(async () => {
  await loadProject({ dir: CORPUS, stateDir: TEST_STATE_DIR });
});

/** A file in a fresh temp dir with this content (JSON-encoded unless a string). */
function tempFile(name: string, content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pg-pairs-')), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const safe = { name: 'append', reference: 'AppendV1', candidate: 'AppendV2' };
const uups = { name: 'uups-next', reference: 'UupsOwnerV1', candidate: 'UupsOwnerV2', kind: 'uups' };
const unsafe = { name: 'insert', reference: 'InsertV1', candidate: 'InsertV2' };

function noStack(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('patchgate check --pairs', () => {
  it('passes with exit 0 when every pair passes', () => {
    const r = runCli([...base, '--pairs', tempFile('pairs.json', [safe, uups])]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^== append\nPASS AppendV1 → AppendV2/);
    expect(r.stdout).toMatch(/\n== uups-next\nPASS UupsOwnerV1 → UupsOwnerV2 \(uups\)/);
    expect(r.stdout).toMatch(/\nPASS {2}2 pairs: 2 pass, 0 fail {2}digest 0x[0-9a-f]{64}\n$/);
  });

  it('exits with the worst pair (1) and writes one JSON report of the documented top level, with every pair', () => {
    const r = runCli([...base, '--pairs', tempFile('pairs.json', [safe, unsafe, uups]), '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual([
      'tool',
      'verdict',
      'digest',
      'stages',
      'findings',
      'report',
      'pairs',
    ]);
    expect(report.verdict).toBe('fail');
    expect(report.digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(report.stages.map((s: { name: string }) => s.name)).toEqual(['build', 'check']);
    expect(report.pairs.map((p: { name: string; verdict: string }) => [p.name, p.verdict])).toEqual([
      ['append', 'pass'],
      ['insert', 'fail'],
      ['uups-next', 'pass'],
    ]);
    const insert = report.pairs[1];
    expect(insert).toMatchObject({
      reference: { name: 'InsertV1' },
      candidate: { name: 'InsertV2' },
      kind: 'transparent',
    });
    expect(insert.digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(insert.findings.some((f: { id: string }) => f.id === 'storage-layout-incompatible')).toBe(true);
    // The top-level findings are every pair's, each saying which pair it belongs to.
    const total = report.pairs.reduce((n: number, p: { findings: unknown[] }) => n + p.findings.length, 0);
    expect(report.findings).toHaveLength(total);
    expect(
      report.findings.filter((f: { pair: string }) => f.pair === 'insert').map((f: { id: string }) => f.id),
    ).toEqual(insert.findings.map((f: { id: string }) => f.id));
    expect(report.findings.some((f: { key?: string }) => 'key' in f)).toBe(false);
  });

  it('changes the combined digest when any one pair changes, and gives each pair the digest of a single check', () => {
    const a = JSON.parse(
      runCli([...base, '--pairs', tempFile('p.json', [safe, uups]), '--format', 'json']).stdout,
    );
    const b = JSON.parse(
      runCli([
        ...base,
        '--pairs',
        tempFile('p.json', [safe, { ...uups, candidate: 'UupsEmptyV2' }]),
        '--format',
        'json',
      ]).stdout,
    );
    expect(a.pairs[0].digest).toBe(b.pairs[0].digest);
    expect(a.digest).not.toBe(b.digest);
    // A pair's own digest is the one a single check of the same pair gives.
    const one = JSON.parse(
      runCli([
        ...base,
        '--reference',
        'UupsOwnerV1',
        '--candidate',
        'UupsOwnerV2',
        '--kind',
        'uups',
        '--format',
        'json',
      ]).stdout,
    );
    expect(a.pairs[1].digest).toBe(one.digest);
  });

  it("writes one SARIF run with every pair's results, each tagged with its pair", () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pg-pairs-')), 'check.sarif');
    const r = runCli([
      ...base,
      '--pairs',
      tempFile('p.json', [safe, unsafe]),
      '--format',
      'sarif',
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0];
    const ruleIds = run.tool.driver.rules.map((x: { id: string }) => x.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    const layout = run.results.filter((x: { ruleId: string }) => x.ruleId === 'storage-layout-incompatible');
    expect(layout.length).toBeGreaterThan(0);
    for (const res of run.results) {
      expect(ruleIds[res.ruleIndex]).toBe(res.ruleId);
      expect(res.message.text).toMatch(/^\[(append|insert)\] /);
      expect(['append', 'insert']).toContain(res.properties.pair);
    }
    expect(layout.every((x: { properties: { pair: string } }) => x.properties.pair === 'insert')).toBe(true);
  });

  it('renders Markdown with one summary row per pair, then each pair', () => {
    const r = runCli([...base, '--pairs', tempFile('p.json', [safe, unsafe]), '--format', 'md']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^### patchgate: FAIL \(2 pairs\)/);
    expect(r.stdout).toMatch(/\| append \| PASS \| 0 \|/);
    expect(r.stdout).toMatch(/\| insert \| FAIL \| [1-9]\d* \|/);
    // Each pair in its own collapsed section, the failing one open, the passing one closed.
    expect(r.stdout).toMatch(
      /<details open>\n<summary><b>FAIL<\/b> insert: \w+ → \w+ \(\w+\): [1-9]\d* blocking/,
    );
    expect(r.stdout).toMatch(/<details>\n<summary><b>PASS<\/b> append: /);
    expect(r.stdout).toContain('**Storage layout changes**');
  });
});

describe('patchgate check --pairs (bad input)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      'a misspelled key, naming the entry and the key it meant',
      ['--pairs', tempFile('p.json', [safe, { name: 'typo', reference: 'AppendV1', candiate: 'AppendV2' }])],
      /p\.json: entry 2 \("typo"\) has unknown key `candiate` \(did you mean `candidate`\?\)/,
    ],
    [
      'a bad kind',
      ['--pairs', tempFile('p.json', [{ ...safe, kind: 'diamond' }])],
      /entry 1 \("append"\) has kind "diamond", not a proxy kind/,
    ],
    [
      'a missing candidate',
      ['--pairs', tempFile('p.json', [{ reference: 'AppendV1' }])],
      /entry 1 needs "candidate"/,
    ],
    ['a file that is not JSON', ['--pairs', tempFile('p.json', '[{')], /p\.json: not JSON/],
    ['an object instead of a list', ['--pairs', tempFile('p.json', safe)], /p\.json: is not a JSON list/],
    ['an empty list', ['--pairs', tempFile('p.json', [])], /lists no pairs/],
    ['a missing file', ['--pairs', '/nonexistent/pairs.json'], /--pairs \/nonexistent\/pairs\.json: ENOENT/],
    ['a name used twice', ['--pairs', tempFile('p.json', [safe, safe])], /pair name "append" is used twice/],
    [
      'an unknown contract, naming the pair (before any analysis)',
      [
        '--pairs',
        tempFile('p.json', [safe, { name: 'ghost', reference: 'AppendV1', candidate: 'AppendV9' }]),
      ],
      /^patchgate: pair "ghost": .*AppendV9/,
    ],
    [
      '--pairs with --reference',
      ['--pairs', tempFile('p.json', [safe]), '--reference', 'AppendV1'],
      /--reference cannot be used with --pairs/,
    ],
    [
      '--pairs with --all',
      ['--pairs', tempFile('p.json', [safe]), '--all'],
      /--all and --pairs cannot be used together/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what} with exit 2 and a clear line`, () => {
      const r = runCli([...base, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      noStack(r.stderr);
    });
  }

  it('prints the error document for --format json (no report of the pairs before it)', () => {
    const pairs = [safe, { name: 'ghost', reference: 'AppendV1', candidate: 'AppendV9' }];
    const r = runCli([...base, '--pairs', tempFile('p.json', pairs), '--format', 'json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      verdict: 'error',
      error: { message: expect.stringMatching(/^pair "ghost": /) },
    });
    expect(doc).not.toHaveProperty('pairs');
  });
});

describe('patchgate check --all', () => {
  /** A config beside nothing, pointing at the corpus project, with these patches. */
  function config(patches: unknown[], extra: Record<string, unknown> = {}): string {
    return tempFile('patchgate.config.json', {
      project: CORPUS,
      contracts: {
        ledger: { reference: 'AppendV1' },
        rewards: { kind: 'uups', reference: 'UupsOwnerV1' },
      },
      patches,
      ...extra,
    });
  }
  const all = (file: string, ...more: string[]) =>
    runCli(['check', '--config', file, '--state-dir', TEST_STATE_DIR, '--all', ...more]);

  it('checks every declared patch against its contract, with its kind, exit 0 when all pass', () => {
    const r = all(
      config([
        { name: 'ledger-limit', contract: 'ledger', candidate: 'AppendV2' },
        { name: 'rewards-limit', contract: 'rewards', candidate: 'UupsOwnerV2' },
      ]),
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(
      report.pairs.map((p: { name: string; kind: string; reference: { name: string } }) => [
        p.name,
        p.reference.name,
        p.kind,
      ]),
    ).toEqual([
      ['ledger-limit', 'AppendV1', 'transparent'],
      ['rewards-limit', 'UupsOwnerV1', 'uups'],
    ]);
  });

  it('exits 1 when one patch fails, and applies the acknowledgements of the config and --allow to every pair', () => {
    const patches = [
      { name: 'ledger-limit', contract: 'ledger', candidate: 'AppendV2' },
      { name: 'ledger-insert', contract: 'ledger', candidate: 'InsertV2' },
    ];
    expect(all(config(patches)).code).toBe(1);
    const acknowledged = config(patches, {
      acknowledge: [{ id: 'storage-layout-incompatible', reason: 'fresh deployment, no live storage yet' }],
    });
    const r = all(acknowledged, '--format', 'json');
    expect(r.code).toBe(0);
    const insert = JSON.parse(r.stdout).pairs[1];
    const layout = insert.findings.filter((f: { id: string }) => f.id === 'storage-layout-incompatible');
    expect(layout.length).toBeGreaterThan(0);
    expect(layout.every((f: { acknowledged: boolean }) => f.acknowledged)).toBe(true);
    expect(all(config(patches), '--allow', 'storage-layout-incompatible@InsertV2').code).toBe(0);
  });

  it('refuses a patch of an undeclared contract with exit 2 naming the patch entry', () => {
    const r = all(config([{ name: 'lost', contract: 'ledgr', candidate: 'AppendV2' }]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/patches\[0\]\.contract: unknown contract "ledgr"; declared: ledger/);
    noStack(r.stderr);
  });

  it('refuses a config without patches, and --all with --patch', () => {
    expect(all(config([])).stderr).toMatch(/no patches in the config/);
    const r = all(config([{ name: 'p', contract: 'ledger', candidate: 'AppendV2' }]), '--patch', 'p');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--patch cannot be used with --all/);
  });
});
