/**
 * `patchgate log` end to end through the real binary (compiled dist/, as a user runs it): export, signed heads,
 * proofs, and offline verification of an export — passing, and failing with the first bad index — on the
 * embedded store and on a real PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEntry } from '../src/ledger/entry.js';
import { parseHash } from '../src/ledger/hash.js';
import { sampleEntries, sampleEntry } from '../src/ledger/sample-entries.fixture.js';
import { verifyConsistency, verifyInclusion } from '../src/ledger/verify.js';
import { type Db, openPostgres } from '../src/store/db.js';
import { openLedger } from '../src/store/ledger-store.js';
import { runCli } from './helpers/cli.js';
import { appendTo } from './helpers/forge-log.js';

// anvil's first well-known key: a local test key only.
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const SIGNER = privateKeyToAccount(KEY).address;
const DATABASE_URL = process.env.PATCHGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const work = mkdtempSync(join(tmpdir(), 'patchgate-cli-log-'));
const stateDir = join(work, 'state');
const file = (name: string) => join(work, name);
const log = (args: string[], env: Record<string, string> = {}) =>
  runCli(['log', ...args, '--state-dir', stateDir], { env: { PATCHGATE_LOG_KEY: '', ...env } });
const signed = { PATCHGATE_LOG_KEY: KEY };

function noStack(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

beforeAll(async () => {
  await appendTo(stateDir, sampleEntries(12));
  const earlier = log(['head', '--format', 'json', '--out', file('earlier.json')], signed);
  expect(earlier.code).toBe(0);
  await appendTo(stateDir, sampleEntries(8, 12));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('patchgate log (CLI)', () => {
  it('signs a head with the key in PATCHGATE_LOG_KEY, never printing the key', () => {
    const r = log(['head', '--format', 'json', '--out', file('head.json')], signed);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const head = JSON.parse(readFileSync(file('head.json'), 'utf8'));
    expect(head).toMatchObject({ origin: 'patchgate', size: 20, signed: true, signer: SIGNER });
    expect(head.root).toMatch(/^0x[0-9a-f]{64}$/);
    for (const text of [r.stdout, r.stderr, readFileSync(file('head.json'), 'utf8')]) {
      expect(text).not.toContain(KEY.slice(2));
    }
  });

  it('marks a head UNSIGNED when there is no key, and says so on stderr', () => {
    const json = log(['head', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ size: 20, signed: false });
    expect(json.stderr).toMatch(/UNSIGNED/);
    const text = log(['head']);
    expect(text.stdout).toMatch(/signature\s+UNSIGNED/);
  });

  it('takes the key from --key-env NAME, and refuses a missing or malformed one with exit 2 without echoing it', () => {
    const other = log(['head', '--format', 'json', '--key-env', 'LOG_SIGNER'], { LOG_SIGNER: KEY });
    expect(JSON.parse(other.stdout).signer).toBe(SIGNER);
    const missing = log(['head', '--key-env', 'NOT_SET_ANYWHERE']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/NOT_SET_ANYWHERE is not set/);
    const malformed = log(['head', '--key-env', 'LOG_SIGNER'], { LOG_SIGNER: `${KEY.slice(0, 40)}zz` });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).not.toContain(KEY.slice(4, 40));
    noStack(malformed.stderr);
  });

  it('exports JSON lines of canonical entries, the same to a file and to stdout', () => {
    const r = log(['export', '--out', file('export.jsonl')]);
    expect(r.code).toBe(0);
    const text = readFileSync(file('export.jsonl'), 'utf8');
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(20);
    expect(lines.map((l) => l.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(lines[3].entry).toBe(canonicalEntry(sampleEntry(3)).json);
    expect(lines[7].nodes).toHaveLength(4); // entry 7 completes a leaf and three parents
    expect(log(['export']).stdout).toBe(text);
    expect(log(['export', '--from', '5', '--to', '7']).stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('verifies an export against the signed head and the earlier head: exit 0', () => {
    const args = ['verify', '--file', file('export.jsonl'), '--head', file('head.json')];
    const r = log([...args, '--previous-head', file('earlier.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: 20 entries/);
    expect(r.stdout).toMatch(/consistent with the earlier head/);
    const json = JSON.parse(log([...args, '--format', 'json', '--signer', SIGNER]).stdout);
    expect(json).toMatchObject({
      tool: { name: 'patchgate' },
      verdict: 'pass',
      ok: true,
      entries: 20,
      problems: [],
    });
  });

  it('runs the README sequence: log head --key-env LOG_KEY > head.json is a head log verify --head accepts', () => {
    expect(log(['export', '--out', file('readme.jsonl')]).code).toBe(0);
    const head = log(['head', '--key-env', 'LOG_KEY'], { LOG_KEY: KEY });
    expect(head.code).toBe(0);
    expect(head.stdout).toMatch(/^origin {5}patchgate\nsize {7}20\n/);
    writeFileSync(file('readme-head.json'), head.stdout); // what `> head.json` writes
    const r = runCli(['log', 'verify', '--file', file('readme.jsonl'), '--head', file('readme-head.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: 20 entries authenticated by the head, root 0x[0-9a-f]{64}\n/);
    // The text head carries the frontier too: it reads back to the JSON head of the same tree.
    const json = JSON.parse(log(['head', '--format', 'json'], signed).stdout);
    expect(head.stdout).toContain(`frontier   ${json.frontier[0]}`);
  });

  it('fails a tampered export with exit 1, naming the first bad entry', () => {
    const lines = readFileSync(file('export.jsonl'), 'utf8').trimEnd().split('\n');
    const record = JSON.parse(lines[7] as string);
    record.entry = record.entry.replace('"at":"2026', '"at":"2027');
    lines[7] = JSON.stringify(record);
    writeFileSync(file('modified.jsonl'), `${lines.join('\n')}\n`);
    const r = log(['verify', '--file', file('modified.jsonl'), '--head', file('head.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL: first bad entry 7/);
    const deleted = lines.filter((_, i) => i !== 4);
    writeFileSync(file('deleted.jsonl'), `${deleted.join('\n')}\n`);
    const d = log([
      'verify',
      '--file',
      file('deleted.jsonl'),
      '--head',
      file('head.json'),
      '--format',
      'json',
    ]);
    expect(d.code).toBe(1);
    expect(JSON.parse(d.stdout)).toMatchObject({
      tool: { name: 'patchgate' },
      verdict: 'fail',
      firstBadIndex: 4,
    });
  });

  it('fails a head signed by someone else when the signer is pinned', () => {
    const r = log([
      'verify',
      '--file',
      file('export.jsonl'),
      '--head',
      file('head.json'),
      '--signer',
      `0x${'11'.repeat(20)}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad-head/);
  });

  it('detects a rewritten history (a fork) against an earlier head', async () => {
    const forkDir = join(work, 'fork');
    const rewritten = sampleEntries(20).map((e, i) =>
      i === 10 ? { ...e, at: new Date(Date.UTC(2030, 0, 1)) } : e,
    );
    await appendTo(forkDir, rewritten);
    const at = (args: string[]) =>
      runCli(['log', ...args, '--state-dir', forkDir], { env: { PATCHGATE_LOG_KEY: KEY } });
    expect(at(['export', '--out', file('fork.jsonl')]).code).toBe(0);
    expect(at(['head', '--format', 'json', '--out', file('fork-head.json')]).code).toBe(0);
    const r = at([
      'verify',
      '--file',
      file('fork.jsonl'),
      '--head',
      file('fork-head.json'),
      '--previous-head',
      file('earlier.json'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL: first bad entry 8/);
    expect(r.stdout).toMatch(/fork/);
  });

  it('gives an inclusion proof that verifies against the signed head', () => {
    const head = JSON.parse(readFileSync(file('head.json'), 'utf8'));
    const r = log(['proof', '--index', '5', '--format', 'json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ origin: 'patchgate', index: 5, size: 20, root: head.root });
    const ok = verifyInclusion({
      index: p.index,
      size: p.size,
      leafHash: parseHash(p.leafHash) as Uint8Array,
      proof: p.proof.map((h: Hex) => parseHash(h) as Uint8Array),
      root: parseHash(head.root) as Uint8Array,
    });
    expect(ok).toBe(true);
    expect(log(['proof', '--index', '3', '--size', '12']).stdout).toMatch(/entry 3 in the tree of 12/);
  });

  it('gives a consistency proof from the earlier head to the current one', () => {
    const earlier = JSON.parse(readFileSync(file('earlier.json'), 'utf8'));
    const head = JSON.parse(readFileSync(file('head.json'), 'utf8'));
    const c = JSON.parse(log(['consistency', '--from', '12', '--to', '20', '--format', 'json']).stdout);
    expect(c).toMatchObject({ from: 12, to: 20, fromRoot: earlier.root, toRoot: head.root });
    const ok = verifyConsistency({
      from: 12,
      to: 20,
      fromRoot: parseHash(earlier.root) as Uint8Array,
      toRoot: parseHash(head.root) as Uint8Array,
      proof: c.proof.map((h: Hex) => parseHash(h) as Uint8Array),
    });
    expect(ok).toBe(true);
  });

  it('refuses a mistyped --origin (exit 2) instead of signing an empty head for a log that does not exist', () => {
    for (const args of [['head'], ['export'], ['proof', '--index', '0']]) {
      const r = log([...args, '--origin', 'patchgat']);
      expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([
        2,
        '',
        'patchgate: no log "patchgat" in the store (did you mean `patchgate`?)',
      ]);
    }
    expect(JSON.parse(log(['head', '--format', 'json']).stdout)).toMatchObject({ size: 20 });
  });

  it('refuses bad numbers, out-of-range indexes and unreadable or malformed files with exit 2', () => {
    writeFileSync(file('garbage.jsonl'), 'not json\n');
    writeFileSync(file('garbage.json'), '{"origin": 1}');
    const cases: Array<[string[], RegExp]> = [
      [['proof', '--index', 'abc'], /--index "abc" is not a non-negative integer/],
      [['proof', '--index', '20'], /entry index 20 is out of range/],
      [['consistency', '--from', '21'], /earlier tree size 21 is out of range/],
      [['verify', '--file', file('missing.jsonl')], /cannot read --file .*missing\.jsonl: ENOENT/],
      [['verify', '--file', file('garbage.jsonl')], /line 1 is not JSON/],
      [
        ['verify', '--file', file('export.jsonl'), '--head', file('garbage.json')],
        /is not a patchgate log head/,
      ],
      [['verify', '--file', file('export.jsonl'), '--signer', 'bob'], /--signer "bob" is not an address/],
      [['verify'], /--file <export>/],
    ];
    for (const [args, message] of cases) {
      const r = log(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^patchgate: /);
      expect(r.stderr).toMatch(message);
      noStack(r.stderr);
    }
  });
});

describe('patchgate log on PostgreSQL (--database-url)', () => {
  const schema = `patchgate_cli_log_${randomBytes(4).toString('hex')}`;
  const url = `${DATABASE_URL}?options=-c%20search_path%3D${schema}`;
  let admin: Db;

  beforeAll(async () => {
    admin = await openPostgres(DATABASE_URL);
    await admin.query(`create schema ${schema}`);
    const db = await openPostgres(DATABASE_URL, { schema });
    try {
      await (await openLedger(db, { origin: 'example.com/team' })).appendMany(sampleEntries(9));
    } finally {
      await db.close();
    }
  }, 60_000);

  afterAll(async () => {
    await admin?.query(`drop schema ${schema} cascade`);
    await admin?.close();
  });

  it('exports, signs and verifies the log kept in PostgreSQL', () => {
    const pg = (args: string[]) =>
      runCli(['log', ...args, '--database-url', url, '--origin', 'example.com/team'], { env: signed });
    expect(pg(['export', '--out', file('pg.jsonl')]).code).toBe(0);
    const head = pg(['head', '--format', 'json', '--out', file('pg-head.json')]);
    expect(head.code).toBe(0);
    expect(JSON.parse(readFileSync(file('pg-head.json'), 'utf8'))).toMatchObject({
      origin: 'example.com/team',
      size: 9,
    });
    const r = runCli(['log', 'verify', '--file', file('pg.jsonl'), '--head', file('pg-head.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK: 9 entries/);
  });
});
