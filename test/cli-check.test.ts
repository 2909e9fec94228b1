/**
 * The `patchgate` binary end to end (compiled dist/, as a user runs it): exit codes, formats, bad input.
 * The example's compiler output comes from the shared test cache.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, TEST_STATE_DIR } from './helpers/example.js';

const base = ['check', '--project', EXAMPLE_DIR, '--state-dir', TEST_STATE_DIR];
const good = [...base, '--reference', 'VaultV1', '--candidate', 'VaultV2'];
const dropped = [...base, '--reference', 'VaultV1', '--candidate', 'VaultV2AccessDropped'];

function noStack(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('patchgate check (CLI)', () => {
  it('passes the correct fix with exit 0 and a JSON report of the documented shape', () => {
    const r = runCli([...good, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).slice(0, 5)).toEqual(['tool', 'verdict', 'digest', 'stages', 'findings']);
    expect(report.tool).toEqual({ name: 'patchgate', version: expect.any(String) });
    expect(report.verdict).toBe('pass');
    expect(report.digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(report.stages.map((s: { name: string }) => s.name)).toEqual(['build', 'check', 'prove']);
    for (const s of report.stages) expect(s.durationMs).toBeGreaterThanOrEqual(0);
    expect(report.proofs.map((p: { contract: string; status: string }) => [p.contract, p.status])).toEqual([
      ['src/VaultV2.sol:VaultV2', 'proved'],
      ['src/VaultV1.sol:VaultV1', 'violated'],
    ]);
    for (const f of report.findings) {
      expect(f.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['critical', 'high', 'medium', 'low', 'info']).toContain(f.severity);
      expect(typeof f.title).toBe('string');
      expect(typeof f.message).toBe('string');
    }
  });

  it('blocks a dropped access check with exit 1, naming the function and its line', () => {
    const r = runCli(dropped);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/access-control-removed/);
    expect(r.stdout).toMatch(/src\/bad\/VaultV2AccessDropped\.sol:\d+/);
  });

  it('lets a team acknowledge a deliberate finding with --allow, still listing it', () => {
    const r = runCli([...dropped, '--allow', 'access-control-removed', '--format', 'json']);
    const report = JSON.parse(r.stdout);
    const f = report.findings.find((x: { id: string }) => x.id === 'access-control-removed');
    expect(f.acknowledged).toBe(true);
    expect(r.code).toBe(report.verdict === 'pass' ? 0 : 1);
  });

  it('writes SARIF 2.1.0 with a rule for every result to --out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pg-sarif-')), 'check.sarif');
    const r = runCli([...dropped, '--format', 'sarif', '--out', out]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    const ruleIds = run.tool.driver.rules.map((x: { id: string }) => x.id);
    expect(run.results.length).toBeGreaterThan(0);
    for (const res of run.results) {
      expect(ruleIds).toContain(res.ruleId);
      expect(res.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
    }
    expect(run.results.some((x: { ruleId: string }) => x.ruleId === 'access-control-removed')).toBe(true);
  });

  it('roots SARIF URIs at --source-root when given, and refuses one that is not a directory (exit 2) before any work', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pg-sarif-')), 'check.sarif');
    const above = resolve(EXAMPLE_DIR, '..');
    expect(runCli([...dropped, '--format', 'sarif', '--out', out, '--source-root', above]).code).toBe(1);
    const run = JSON.parse(readFileSync(out, 'utf8')).runs[0];
    expect(fileURLToPath(run.originalUriBaseIds['%SRCROOT%'].uri)).toBe(`${above}/`);
    for (const res of run.results) {
      expect(res.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^vault\//);
    }
    const bad = runCli([...dropped, '--format', 'sarif', '--source-root', '/nonexistent/top']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--source-root "/nonexistent/top" is not a directory');
  });

  it('roots SARIF URIs at the git top level, so GitHub finds each file (the example is not at the repository root)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pg-sarif-')), 'check.sarif');
    runCli([...dropped, '--format', 'sarif', '--out', out]);
    const run = JSON.parse(readFileSync(out, 'utf8')).runs[0];
    const top = fileURLToPath(run.originalUriBaseIds['%SRCROOT%'].uri);
    // A checkout with its .git (as CI has): rooted there, the example's own path in each URI. (A source tarball
    // has none: then the project directory is the root.)
    const inGit = existsSync(join(top, '.git'));
    expect(resolve(top)).toBe(inGit ? resolve(EXAMPLE_DIR, '../..') : resolve(EXAMPLE_DIR));
    for (const res of run.results) {
      const uri = res.locations[0].physicalLocation.artifactLocation.uri as string;
      if (inGit) expect(uri.startsWith('examples/vault/'), uri).toBe(true);
      expect(existsSync(join(top, uri)), uri).toBe(true);
    }
  });

  it('renders Markdown for a pull-request comment', () => {
    const r = runCli([...dropped, '--format', 'md']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\|.*access-control-removed.*\|/);
  });

  it('renders Markdown for review: the layout table, source lines, and links to the reviewed commit', () => {
    const collision = [...base, '--patch', 'storage-collision', '--format', 'md'];
    const url = 'https://github.com/acme/vault/blob/0123456789abcdef0123456789abcdef01234567';
    const r = runCli([...collision, '--source-url', url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^### patchgate: FAIL\n/);
    expect(r.stdout).toContain('<details open>\n<summary><b>FAIL</b> VaultV1 → VaultV2StorageCollision');
    // What the check's storage findings mean, position by position.
    expect(r.stdout).toMatch(
      /\| 0 \| 0 \| `uint256 flashFeeBps` \(VaultV1\) \| `uint256 withdrawalLimit` \(WithdrawalLimits\) \| \*\*different variable\*\* \|/,
    );
    expect(r.stdout).toContain('>  8 |     uint256 public withdrawalLimit;');
    // Links from the git top level when the example sits in a checkout, else from the project.
    const path = existsSync(resolve(EXAMPLE_DIR, '../../.git')) ? 'examples/vault/' : '';
    expect(r.stdout).toContain(`(${url}/${path}src/bad/VaultV2StorageCollision.sol#L8)`);
    // The JSON report carries the same table, as an optional key after the fixed ones.
    const json = JSON.parse(runCli([...base, '--patch', 'storage-collision', '--format', 'json']).stdout);
    expect(json.storageLayout[0]).toMatchObject({ slot: '0', offset: 0, change: 'replaced' });
    // In GitHub Actions the links need no option: the pull request's head commit from the event.
    const dir = mkdtempSync(join(tmpdir(), 'pg-gh-'));
    const head = 'fedcba9876543210fedcba9876543210fedcba98';
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ pull_request: { head: { sha: head } } }));
    const env = {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/vault',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_EVENT_PATH: join(dir, 'event.json'),
    };
    const gh = runCli(collision, { env });
    expect(gh.stdout).toContain(
      `(https://github.com/acme/vault/blob/${head}/${path}src/bad/VaultV2StorageCollision.sol#L8)`,
    );
    const bad = runCli([...collision, '--source-url', 'github.com/acme']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--source-url "github.com/acme" is not an http(s) address');
  });

  it('runs a patch declared in the config with --patch', () => {
    const r = runCli([
      'check',
      '--project',
      EXAMPLE_DIR,
      '--state-dir',
      TEST_STATE_DIR,
      '--patch',
      'storage-collision',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/storage-layout-incompatible/);
  });
});

describe('patchgate check (bad input)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      'a missing project directory',
      ['check', '--project', '/nonexistent/dir', '--reference', 'A', '--candidate', 'B'],
      /\/nonexistent\/dir/,
    ],
    [
      'an unknown contract, suggesting close names',
      [...base, '--reference', 'VaultV1', '--candidate', 'VaultV3'],
      /VaultV3.*\n.*VaultV2/s,
    ],
    [
      'a contract that cannot sit behind a proxy (an interface)',
      [...base, '--reference', 'VaultV1', '--candidate', 'IFlashVault'],
      /IFlashVault is an interface, not a contract that can sit behind a proxy/,
    ],
    ['a wrong --kind', [...good, '--kind', 'diamond'], /diamond/],
    ['a wrong --format', [...good, '--format', 'xml'], /xml/],
    ['a missing --candidate', [...base, '--reference', 'VaultV1'], /--candidate/],
    ['an unknown --patch', [...base, '--patch', 'nope'], /nope/],
    ['a malformed --allow', [...good, '--allow', 'Not An Id'], /Not An Id/],
    [
      'a misspelled --allow id, naming the id it meant',
      [...good, '--allow', 'acess-control-removed'],
      /^patchgate: --allow "acess-control-removed" is not a finding id \(did you mean `access-control-removed`\?\)\n/,
    ],
    ['an unknown option', [...good, '--frobnicate'], /frobnicate/],
    [
      'an --out path in a missing directory',
      [...good, '--out', '/nonexistent/dir/report.json'],
      /\/nonexistent\/dir\/report\.json/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what} with exit 2 and one clear line`, () => {
      const r = runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      noStack(r.stderr);
    });
  }

  /** A throwaway project made of the given files, checked for contracts A → B. */
  function checkFiles(files: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'pg-bad-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const args = ['check', '--project', dir, '--reference', 'A', '--candidate', 'B'];
    return runCli([...args, '--state-dir', join(dir, '.pg')]);
  }

  it('rejects a corrupt build-info with exit 2, naming the file', () => {
    const r = checkFiles({
      'hardhat.config.js': 'module.exports = {};\n',
      'artifacts/build-info/abc.json': '{"_format": "hh-sol-build-info-1", "input": {',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/abc\.json/);
    noStack(r.stderr);
  });

  it("rejects a source that does not compile with exit 2 and solc's own message", () => {
    const r = checkFiles({
      'src/Broken.sol': 'pragma solidity ^0.8.0;\ncontract Broken { function f( public {} }\n',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ParserError/);
    expect(r.stderr).toMatch(/Broken\.sol/);
    noStack(r.stderr);
  });
});
