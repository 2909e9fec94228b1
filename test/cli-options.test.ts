/**
 * The CLI's option layer as a user meets it: every command and subcommand reports a parse error on one
 * `patchgate:` line and exits 2, and the options README and error hints tell people to use exist.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../src/cli/main.js';

function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((sub) => {
    const here = [...prefix, sub.name()];
    return sub.commands.length > 0 ? [here, ...paths(sub, here)] : [here];
  });
}

async function run(argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('CLI options', () => {
  it('every command and subcommand refuses an unknown option with one patchgate: line and exit 2', async () => {
    const program = await buildProgram(() => undefined);
    const all = paths(program);
    expect(all.length).toBeGreaterThan(15);
    for (const path of all) {
      const r = await run([...path, '--no-such-option']);
      expect([path.join(' '), r.code]).toEqual([path.join(' '), 2]);
      expect(r.stderr.split('\n')[0], path.join(' ')).toBe("patchgate: unknown option '--no-such-option'");
    }
  });

  it('prints no document for a --format the command refuses (status takes text or json, not sarif)', async () => {
    const r = await run(['status', '--format', 'sarif']);
    expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([
      2,
      '',
      'patchgate: --format "sarif" is not one of text, json',
    ]);
  });

  it('gives a commander parse error a hint too, on stderr and in the JSON document', async () => {
    const typo = await run(['chek', '--format', 'json']);
    expect([typo.code, typo.stderr]).toEqual([
      2,
      "patchgate: unknown command 'chek'\n  hint: did you mean check?\n",
    ]);
    expect(JSON.parse(typo.stdout).error).toEqual({
      code: 'unknown-command',
      message: "unknown command 'chek'",
      hint: 'did you mean check?',
    });
    const missing = await run(['check', '--format', 'json', '--kind']);
    expect(missing.stderr.split('\n')[1]).toBe('  hint: see `patchgate check --help`');
    expect(JSON.parse(missing.stdout).error.hint).toBe('see `patchgate check --help`');
  });

  it('suggests the option a typo meant, in a subcommand too', async () => {
    const r = await run(['log', 'verify', '--fil', 'x.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("patchgate: unknown option '--fil'");
    expect(r.stderr).toContain('--file');
  });

  it('declares propose --again, which README and the "already proposed" hint tell people to run', async () => {
    const r = await run(['propose', '--patch', 'x', '--again']);
    // It parses: the next thing missing is the chain, not the option.
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('patchgate: this command needs --rpc URL');
  });

  it('prints an error document on stdout for --format json, naming the code, message and hint', async () => {
    const r = await run(['check', '--allow', 'acess-control-removed', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      tool: { name: 'patchgate', version: expect.any(String) },
      verdict: 'error',
      exitCode: 2,
      error: {
        code: 'unknown-finding-id',
        message:
          '--allow "acess-control-removed" is not a finding id (did you mean `access-control-removed`?)',
        hint: 'finding ids are listed in docs/findings.md',
      },
    });
    const parse = await run(['status', '--frmat', 'x', '--format=json']);
    expect(JSON.parse(parse.stdout)).toMatchObject({ verdict: 'error', error: { code: 'unknown-option' } });
  });

  it('overwrites a report an earlier run left in --out, so a failed run never leaves a stale pass behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-out-'));
    const out = join(dir, 'report.json');
    writeFileSync(out, '{"verdict":"pass"}\n');
    const r = await run(['check', '--allow', 'no-such-finding', '--format', 'json', '--out', out]);
    expect(r.code).toBe(2);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      verdict: 'error',
      error: { code: 'unknown-finding-id' },
    });
    const text = join(dir, 'report.txt');
    writeFileSync(text, 'PASS VaultV1 → VaultV2\n');
    expect((await run(['check', '--allow', 'no-such-finding', `--out=${text}`])).code).toBe(2);
    expect(readFileSync(text, 'utf8')).toMatch(/^patchgate: --allow "no-such-finding" is not a finding id/);
  });

  it("carries the error's extra lines (the compiler's full message) in the document", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-broken-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/A.sol'), 'pragma solidity ^0.8.20;\ncontract A { function f() { }\n');
    const r = await run([
      'check',
      '--project',
      dir,
      '--state-dir',
      join(dir, '.pg'),
      '--reference',
      'A',
      '--candidate',
      'A',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string; details: string[] } };
    expect(doc.error.code).toBe('compile-failed');
    expect(doc.error.message).toMatch(/^compilation failed: src\/A\.sol:\d+:\d+: ParserError/);
    expect(doc.error.details.join('\n')).toMatch(/--> src\/A\.sol/);
  });

  it('prints a SARIF tool execution notification for --format sarif', async () => {
    const r = await run(['check', '--allow', 'Not An Id', '--format', 'sarif']);
    expect(r.code).toBe(2);
    const run0 = JSON.parse(r.stdout).runs[0];
    expect(run0.results).toEqual([]);
    expect(run0.invocations[0]).toMatchObject({
      executionSuccessful: false,
      exitCode: 2,
      toolExecutionNotifications: [{ level: 'error', descriptor: { id: 'bad-allow' } }],
    });
  });

  it.each([
    // [argv, error code, first line]: a bad value of each parser kind, in top-level commands and subcommands
    [['approve', '0x12'], 'bad-digest', '"0x12" is not a patch digest (0x and 64 hex digits)'],
    [
      ['status', '--rpc', 'localhost:8545'],
      'bad-rpc-url',
      '--rpc "localhost:8545" has no scheme (http:// or https://)',
    ],
    [
      ['simulate', '--patch', 'p', '--fork-url', 'ws://x:8545'],
      'bad-rpc-url',
      /^--fork-url "ws:\/\/x:8545": /,
    ],
    [
      ['simulate', '--patch', 'p', '--fork-block', 'soon'],
      'bad-fork-block',
      '--fork-block "soon" is not a block number',
    ],
    [
      ['simulate', '--patch', 'p', '--replay-blocks', '9:1'],
      'bad-replay-blocks',
      '--replay-blocks "9:1" is not a block range',
    ],
    [['audit', '0x12'], 'bad-address', 'proxy "0x12" is not an address'],
    [
      ['audit', `0x${'1'.repeat(40)}`, '--from-block', '-1'],
      'bad-number',
      '--from-block "-1" is not a block number',
    ],
    [['log', 'proof', '--index', '1.5'], 'bad-number', '--index "1.5" is not a non-negative integer'],
    [['log', 'verify', '--file', 'x', '--signer', 'bob'], 'bad-address', '--signer "bob" is not an address'],
    [
      ['log', 'anchor', '--rpc', 'http://127.0.0.1:9', '--gate', '0x1'],
      'bad-address',
      '--gate "0x1" is not an address',
    ],
    [['gate', 'deploy', '--rpc', 'ftp://x'], 'bad-rpc-url', /^--rpc "ftp:\/\/x" is not an http\(s\) URL/],
    [
      ['propose', '--patch', 'p', '--lane', 'fast'],
      'invalid-argument',
      '--lane "fast" is not one of standard, emergency',
    ],
    [
      ['propose', '--patch', 'p', '--predecessor', '0x1'],
      'bad-predecessor',
      '--predecessor "0x1" is not 32 bytes of hex',
    ],
    [['check', '--kind', 'diamond'], 'bad-kind', '--kind "diamond" is not one of transparent, uups, beacon'],
    // An empty value (an unset variable) never falls back to a default store or to stdout.
    [['status', '--database-url', ''], 'invalid-argument', '--database-url is empty'],
    [['status', '--state-dir', ''], 'invalid-argument', '--state-dir is empty'],
    [['check', '--out', ''], 'invalid-argument', '--out is empty'],
    [
      ['simulate', '--patch', 'p', '--fork-block', '99999999999999999999999'],
      'bad-fork-block',
      '--fork-block "99999999999999999999999" is not a block number (beyond any chain\'s height)',
    ],
    [['log', 'head', '--format', 'yaml'], 'invalid-argument', '--format "yaml" is not one of text, json'],
    [
      ['queue', `0x${'a'.repeat(64)}`, '--format', 'md'],
      'invalid-argument',
      '--format "md" is not one of text, json, safe-tx-builder',
    ],
  ] as const)('refuses %j: one patchgate: line naming the value, exit 2', async (argv, code, message) => {
    const r = await run([...argv]);
    expect(r.code).toBe(2);
    const [first] = r.stderr.split('\n');
    if (typeof message === 'string') expect(first).toBe(`patchgate: ${message}`);
    else expect(first?.replace(/^patchgate: /, '')).toMatch(message);
    expect(first).toMatch(/^patchgate: /);
    if ((argv as readonly string[]).includes('--format')) return; // the bad value is the format itself: no document to ask for
    const json = await run([...argv, '--format', 'json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'error', exitCode: 2, error: { code } });
  });

  it('declares the shared options only in cli/options.ts: no command declares a store, rpc, key or output option by hand', () => {
    const dir = fileURLToPath(new URL('../src/cli/', import.meta.url));
    const shared =
      /['"`]--(state-dir|database-url|rpc|key-env|keystore|password-env|format|out|config|project|patch|origin) </;
    const byHand = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'options.ts')
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .flatMap((line, i) => (shared.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(byHand).toEqual([]);
  });

  it('names the missing subcommand of a command that has them, after its usage, with exit 2', async () => {
    const log = await run(['log']);
    expect(log.code).toBe(2);
    expect(log.stderr).toMatch(/^Usage: patchgate log/);
    expect(log.stderr.trimEnd().split('\n').at(-1)).toBe(
      'patchgate: `patchgate log` needs a command: export, head, proof, consistency, verify, anchor',
    );
    const none = await run([]);
    expect([none.code, none.stderr.trimEnd().split('\n').at(-1)]).toEqual([
      2,
      expect.stringMatching(
        /^patchgate: a command is missing: init, check, scan, prove, simulate, assess, propose, /,
      ),
    ]);
  });
});
