/**
 * Attacks on a published transparency log, through `patchgate log verify` as an auditor runs it (the built
 * CLI, files only). The log: 20 entries in a real store, exported and signed by the CLI (`log head`), with an
 * earlier head at 12. Each test is one attack — by someone who holds the export and the head but not the log
 * key, unless it says otherwise — and pins the exit code and the first bad index or the message it meets.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEntry } from '../../src/ledger/entry.js';
import { EMPTY_ROOT } from '../../src/ledger/hash.js';
import { signHead, treeHead } from '../../src/ledger/head.js';
import { sampleEntries } from '../../src/ledger/sample-entries.fixture.js';
import { runCli } from '../helpers/cli.js';
import {
  appendForged,
  appendTo,
  entriesOf,
  exportOf,
  highSTwin,
  recoveryBitV,
  signedHeadOf,
} from '../helpers/forge-log.js';

// anvil's first two well-known keys: local test keys only.
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const OTHER = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b69078d';
const SIGNER = privateKeyToAccount(KEY).address;
const ATTACKER = privateKeyToAccount(OTHER).address;

const work = mkdtempSync(join(tmpdir(), 'patchgate-adv-log-'));
const stateDir = join(work, 'state');
const file = (name: string) => join(work, name);
const write = (name: string, text: string) => {
  writeFileSync(file(name), text);
  return file(name);
};
const store = (args: string[]) =>
  runCli(['log', ...args, '--state-dir', stateDir], { env: { PATCHGATE_LOG_KEY: KEY } });
const verify = (args: string[]) => runCli(['log', 'verify', ...args], { env: { PATCHGATE_LOG_KEY: '' } });
const json = (args: string[]) => {
  const r = verify([...args, '--format', 'json']);
  return { code: r.code, report: JSON.parse(r.stdout) };
};

let exported: string;
let head: Record<string, unknown> & { signature: Hex; size: number };
/** The forged pair: a patch nobody approved, and its "execution". */
const digest = `0x${'f0'.repeat(32)}` as Hex;
const forgedPair = [
  {
    kind: 'patch-proposed',
    digest,
    at: new Date(Date.UTC(2026, 10, 3)),
    chainId: 1,
    proxy: `0x${'aa'.repeat(20)}`,
    target: `0x${'bb'.repeat(20)}`,
    implementation: `0x${'cc'.repeat(20)}`,
    codehash: `0x${'dd'.repeat(32)}`,
    calldata: '0x',
    lane: 'emergency',
  },
  {
    kind: 'executed',
    digest,
    at: new Date(Date.UTC(2026, 10, 3, 1)),
    txHash: `0x${'ee'.repeat(32)}`,
    blockNumber: 21_000_100n,
  },
] as const;

/** stderr is one `patchgate: …` line (and at most a hint), never a stack. */
function oneLine(stderr: string, message: RegExp) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^patchgate: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(lines.slice(1).every((l) => l.startsWith('  hint: '))).toBe(true);
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

beforeAll(async () => {
  await appendTo(stateDir, sampleEntries(12));
  expect(store(['head', '--format', 'json', '--out', file('earlier.json')]).code).toBe(0);
  await appendTo(stateDir, sampleEntries(8, 12));
  expect(store(['export', '--out', file('log.jsonl')]).code).toBe(0);
  expect(store(['head', '--format', 'json', '--out', file('head.json')]).code).toBe(0);
  exported = readFileSync(file('log.jsonl'), 'utf8');
  head = JSON.parse(readFileSync(file('head.json'), 'utf8'));
  expect(head).toMatchObject({ size: 20, signer: SIGNER });
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const withHead = (exportFile: string, headFile = file('head.json')) => [
  '--file',
  exportFile,
  '--head',
  headFile,
  '--signer',
  SIGNER,
];

describe('log verify under attack', () => {
  it('a forged patch-proposed + executed pair appended after the signed entries fails, naming the unsigned tail', () => {
    const forged = write('forged.jsonl', appendForged(exported, [...forgedPair]));
    const r = verify(withHead(forged));
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('FAIL: first bad entry 20');
    expect(r.stdout).toContain(`  unsigned     entry 20: patch-proposed ${digest}`);
    expect(r.stdout).toContain(`  unsigned     entry 21: executed ${digest}`);
    expect(r.stdout).toContain(
      '  entry 20: unsigned-tail: entries 20…21 come after the head (size 20): no signed head commits to them',
    );
    const { report } = json(withHead(forged));
    expect(report).toMatchObject({
      ok: false,
      authenticated: true,
      committed: 20,
      entries: 22,
      firstBadIndex: 20,
      unsigned: {
        from: 20,
        to: 22,
        entries: [
          { index: 20, kind: 'patch-proposed', digest },
          { index: 21, kind: 'executed', digest },
        ],
      },
    });
    expect(report.problems.map((p: { code: string }) => p.code)).toEqual(['unsigned-tail']);
  });

  it('with --allow-unsigned-tail the forged pair is accepted only as named UNSIGNED entries, outside the 20 authenticated', () => {
    const forged = write('forged-allowed.jsonl', appendForged(exported, [...forgedPair]));
    const r = verify([...withHead(forged), '--allow-unsigned-tail']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      `OK: 20 entries authenticated by the head, root ${head.root}; entries 20…21 after it UNSIGNED (not authenticated)`,
    );
    expect(r.stdout).toContain(`  unsigned     entry 21: executed ${digest}`);
    const { code, report } = json([...withHead(forged), '--allow-unsigned-tail']);
    expect([code, report.ok, report.committed, report.unsigned.from, report.unsigned.to]).toEqual([
      0,
      true,
      20,
      20,
      22,
    ]);
  });

  it('a size-0 signed head (a store opened by mistake) does not vouch for a non-empty export', async () => {
    const empty = await signHead(
      treeHead('patchgate', 0, EMPTY_ROOT, new Date()),
      privateKeyToAccount(KEY),
      [],
    );
    const headFile = write('empty-head.json', JSON.stringify(empty));
    const r = verify(withHead(file('log.jsonl'), headFile));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('FAIL: first bad entry 0');
    expect(r.stdout).toContain('entry 0: unsigned-tail: entries 0…19 come after the head (size 0)');
    const allowed = json([...withHead(file('log.jsonl'), headFile), '--allow-unsigned-tail']);
    expect(allowed.code).toBe(0);
    expect(allowed.report).toMatchObject({
      authenticated: true,
      committed: 0,
      unsigned: { from: 0, to: 20 },
    });
    // An empty export is exactly what a size-0 head commits to.
    expect(verify(withHead(write('empty.jsonl', ''), headFile)).code).toBe(0);
  });

  it('the high-s twin of a valid head signature is refused', () => {
    const twin = { ...head, signature: highSTwin(head.signature) };
    const r = verify(withHead(file('log.jsonl'), write('twin.json', JSON.stringify(twin))));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL: the heads do not check out/);
    expect(r.stdout).toContain(
      'head: bad-head: head: the head signature has a high s value (the malleable twin of a signature): refused',
    );
    expect(json(withHead(file('log.jsonl'), file('twin.json'))).report.heads[0]).toMatchObject({
      signature: 'invalid',
    });
  });

  it('a head signature re-spelled with v 0/1 instead of 27/28 is refused', () => {
    const respelled = { ...head, signature: recoveryBitV(head.signature) };
    const r = verify(withHead(file('log.jsonl'), write('v01.json', JSON.stringify(respelled))));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad-head: head: the head signature's v is [01], not 27 or 28: refused/);
  });

  it('an edited entry is named exactly when its hashes were left alone', () => {
    const lines = exported.trimEnd().split('\n');
    const record = JSON.parse(lines[7] as string);
    record.entry = record.entry.replace('"at":"2026', '"at":"2027');
    lines[7] = JSON.stringify(record);
    const r = json(withHead(write('edited.jsonl', `${lines.join('\n')}\n`)));
    expect(r.code).toBe(1);
    expect(r.report.firstBadIndex).toBe(7);
    expect(r.report.problems.map((p: { code: string }) => p.code)).toEqual([
      'hash-mismatch',
      'root-mismatch',
    ]);
  });

  it('an edited entry with every hash recomputed is still refused, and the entries before its subtree stay proven', () => {
    const entries = entriesOf(exported);
    entries[18] = (entries[18] as string).replace('"at":"2026', '"at":"2027');
    const r = json(withHead(write('edited-recomputed.jsonl', exportOf(entries))));
    expect(r.code).toBe(1);
    // The head's frontier is [0,16) and [16,20): the rewrite is pinned to the second, nothing earlier.
    expect(r.report.firstBadIndex).toBe(16);
    expect(r.report.problems).toEqual([expect.objectContaining({ code: 'root-mismatch', range: [16, 20] })]);
    expect(r.report.heads[0].provenBefore).toBe(16);
  });

  it('a deleted entry is named', () => {
    const lines = exported.trimEnd().split('\n');
    const deleted = lines.filter((_, i) => i !== 4);
    const r = json(withHead(write('deleted.jsonl', `${deleted.join('\n')}\n`)));
    expect([r.code, r.report.firstBadIndex]).toEqual([1, 4]);
    expect(r.report.problems.map((p: { code: string }) => p.code)).toContain('index-out-of-sequence');
  });

  it('two reordered entries: the first is named', () => {
    const lines = exported.trimEnd().split('\n');
    [lines[3], lines[4]] = [lines[4] as string, lines[3] as string];
    const r = json(withHead(write('reordered.jsonl', `${lines.join('\n')}\n`)));
    expect([r.code, r.report.firstBadIndex]).toEqual([1, 3]);
  });

  it('an inserted entry is named, renumbered and re-hashed or not', () => {
    const entries = entriesOf(exported);
    const inserted = [...entries.slice(0, 5), canonicalEntry(forgedPair[0]).json, ...entries.slice(5)];
    const r = json(withHead(write('inserted.jsonl', exportOf(inserted))));
    expect(r.code).toBe(1);
    expect(r.report.firstBadIndex).toBe(0); // every hash recomputed: the head proves [0,16) wrong, no finer
    const lines = exported.trimEnd().split('\n');
    const raw = [...lines.slice(0, 5), exportOf(inserted).split('\n')[5], ...lines.slice(5)];
    const naive = json(withHead(write('inserted-raw.jsonl', `${raw.join('\n')}\n`)));
    expect([naive.code, naive.report.firstBadIndex]).toEqual([1, 5]);
  });

  it('a truncated export is named at its first missing entry', () => {
    const lines = exported.trimEnd().split('\n').slice(0, 17);
    const r = verify(withHead(write('truncated.jsonl', `${lines.join('\n')}\n`)));
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('FAIL: first bad entry 17');
    expect(r.stdout).toContain('entries 17…19 are missing');
  });

  it('a history rewritten after an earlier head (a fork), re-signed by the log key, fails against that head', async () => {
    const entries = entriesOf(exported);
    entries[10] = (entries[10] as string).replace('"at":"2026', '"at":"2030');
    const rewritten = exportOf(entries);
    const forkHead = await signedHeadOf(rewritten, privateKeyToAccount(KEY));
    const args = [
      ...withHead(write('fork.jsonl', rewritten), write('fork-head.json', JSON.stringify(forkHead))),
      '--previous-head',
      file('earlier.json'),
    ];
    const r = verify(args);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('FAIL: first bad entry 8');
    expect(r.stdout).toMatch(
      /entries 8…11: fork: the log's history was rewritten after the earlier head \(size 12\)/,
    );
  });

  it('a rolled-back log (a head smaller than an earlier one) fails', () => {
    const lines = exported.trimEnd().split('\n').slice(0, 12);
    const args = [
      ...withHead(write('rolled-back.jsonl', `${lines.join('\n')}\n`), file('earlier.json')),
      '--previous-head',
      file('head.json'),
    ];
    const r = json(args);
    expect([r.code, r.report.firstBadIndex]).toEqual([1, 12]);
    expect(r.report.problems.map((p: { code: string }) => p.code)).toEqual(
      expect.arrayContaining(['head-rollback', 'truncated']),
    );
  });

  it('a log forged whole and signed with another key fails when --signer pins the log key, and says "not pinned" when it does not', async () => {
    const forged = appendForged(exported, [...forgedPair]);
    const forgedHead = await signedHeadOf(forged, privateKeyToAccount(OTHER));
    const args = [
      '--file',
      write('resigned.jsonl', forged),
      '--head',
      write('resigned.json', JSON.stringify(forgedHead)),
    ];
    const pinned = verify([...args, '--signer', SIGNER]);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toContain(
      `head: bad-head: head: the head is signed by ${ATTACKER}, not by ${SIGNER}`,
    );
    const unpinned = verify(args);
    expect(unpinned.code).toBe(0);
    expect(unpinned.stdout).toContain(
      `  signer not pinned: the head proves only that ${ATTACKER} signed it; pass --signer with the log's published address`,
    );
    expect(JSON.parse(verify([...args, '--format', 'json']).stdout).signerPinned).toBe(false);
  });

  it('an entry re-spelled in non-canonical JSON (keys reordered, whitespace) is refused even with every hash recomputed', () => {
    const entries = entriesOf(exported);
    const value = JSON.parse(entries[5] as string);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(value).reverse()));
    for (const [name, respelled] of [
      ['reordered', reordered],
      ['spaced', JSON.stringify(value, null, 1)],
    ]) {
      const copy = [...entries];
      copy[5] = respelled as string;
      const r = json(withHead(write(`${name}.jsonl`, exportOf(copy))));
      expect([r.code, r.report.firstBadIndex], name).toEqual([1, 5]);
      expect(r.report.problems.find((p: { code: string }) => p.code === 'bad-entry')).toMatchObject({
        index: 5,
        code: 'bad-entry',
        message: 'entry 5: log entry is not in canonical form (sorted keys, no whitespace, lower-case hex)',
      });
    }
  });

  it('an UNSIGNED head is refused, even with --allow-unsigned-tail', () => {
    const { signer: _s, signature: _sig, ...rest } = head;
    const unsignedHead = write('unsigned.json', JSON.stringify({ ...rest, signed: false }));
    const r = verify(['--file', file('log.jsonl'), '--head', unsignedHead, '--allow-unsigned-tail']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('head: unsigned-head: head: the head is not signed');
  });

  it('a frontier swapped in the head file (it is not signed, the root authenticates it) is refused', () => {
    const frontier = [...(head.frontier as Hex[])].reverse();
    const r = verify(
      withHead(file('log.jsonl'), write('swapped.json', JSON.stringify({ ...head, frontier }))),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("head: bad-head: head: the head's frontier does not fold to its root");
  });

  it('without --head, says loudly that nothing is authenticated: exit 1, or 0 with --allow-unsigned-tail', () => {
    const r = verify(['--file', file('log.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      'NOT AUTHENTICATED: no --head given: the 20 entries are consistent with each other, but nothing proves who wrote them',
    );
    const allowed = verify(['--file', file('log.jsonl'), '--allow-unsigned-tail']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout.split('\n')[0]).toMatch(/^NOT AUTHENTICATED: /);
    const { code, report } = json(['--file', file('log.jsonl'), '--allow-unsigned-tail']);
    expect([code, report.ok, report.authenticated, report.committed]).toEqual([0, true, false, 0]);
    const bare = json(['--file', file('log.jsonl')]).report;
    expect(bare.problems[0]).toMatchObject({ index: 0, code: 'unsigned-tail' });
    expect(bare.problems[0].message).toMatch(/^no head given: nothing in this export is authenticated/);
  });

  it('an earlier head without a head is bad usage: exit 2', () => {
    const r = verify(['--file', file('log.jsonl'), '--previous-head', file('earlier.json')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /--previous-head needs --head/);
  });

  it('a 50 MB line is bad input: exit 2, one line, no crash', () => {
    const huge = write('huge.jsonl', `${'A'.repeat(50 * 1024 * 1024)}\n`);
    const r = verify(['--file', huge, '--head', file('head.json')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /--file .*huge\.jsonl line 1 is not JSON/);
    const bigHead = write('huge-head.json', 'A'.repeat(50 * 1024 * 1024));
    const h = verify(['--file', file('log.jsonl'), '--head', bigHead]);
    expect(h.code).toBe(2);
    oneLine(h.stderr, /--head .*huge-head\.json is not a patchgate log head: line 1 is not/);
    expect(h.stderr.length).toBeLessThan(1000);
  });

  it('a 50 MB entry inside a well-formed record fails verification (exit 1) without crashing', () => {
    const line = `${JSON.stringify({ index: 0, entry: `{"kind":"${'x'.repeat(50 * 1024 * 1024)}"}` })}\n`;
    const r = verify(['--file', write('huge-entry.jsonl', line), '--head', file('head.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('FAIL: first bad entry 0');
    expect(r.stdout.length).toBeLessThan(10_000);
  });

  it('binary garbage is bad input, for the export and for the head: exit 2, one line', () => {
    const garbage = Buffer.concat([Buffer.from([0, 0xff, 0xfe]), randomBytes(1 << 20)]);
    writeFileSync(file('garbage.bin'), garbage);
    const r = verify(['--file', file('garbage.bin')]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /line 1 is not JSON/);
    const h = verify(['--file', file('log.jsonl'), '--head', file('garbage.bin')]);
    expect(h.code).toBe(2);
    oneLine(h.stderr, /is not a patchgate log head/);
    const nested = verify(['--file', write('nested.jsonl', `${'['.repeat(5_000_000)}\n`)]);
    expect(nested.code).toBe(2);
    oneLine(nested.stderr, /line 1 is not JSON/);
  });
});

describe('a failed run never clobbers the last good artifact in --out', () => {
  it('an export that fails (no store there) leaves the previous export byte for byte, exit 2', () => {
    const out = write('kept.jsonl', exported);
    const r = runCli([
      'log',
      'export',
      '--state-dir',
      join(work, 'no-store-here'),
      '--out',
      out,
      '--format',
      'json',
    ]);
    expect(r.code).toBe(2);
    oneLine(r.stderr, /no-store-here/);
    expect(readFileSync(out, 'utf8')).toBe(exported);
  });

  it('a usage error whose --out names an input (the config, the pairs file) leaves that input as it was, exit 2', () => {
    const dir = mkdtempSync(join(work, 'inputs-'));
    const config = join(dir, 'patchgate.config.json');
    const pairs = join(dir, 'pairs.json');
    writeFileSync(config, '{"project": "."}\n');
    writeFileSync(pairs, '[{"name": "a", "reference": "A", "candidate": "B"}]\n');
    const bad = runCli(['check', '--patch', 'x', '--kind', 'diamond', '--out', config], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(readFileSync(config, 'utf8')).toBe('{"project": "."}\n');
    const alsoBad = runCli(['check', '--pairs', pairs, '--kind', 'diamond', '--out', pairs], { cwd: dir });
    expect(alsoBad.code).toBe(2);
    expect(readFileSync(pairs, 'utf8')).toBe('[{"name": "a", "reference": "A", "candidate": "B"}]\n');
  });

  it('a head that cannot be signed (a malformed key) leaves the previous signed head, exit 2', () => {
    const previous = readFileSync(file('head.json'), 'utf8');
    const out = write('kept-head.json', previous);
    const r = runCli(['log', 'head', '--state-dir', stateDir, '--format', 'json', '--out', out], {
      env: { PATCHGATE_LOG_KEY: '0x1234' },
    });
    expect(r.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe(previous);
  });
});
