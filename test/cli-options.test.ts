/**
 * The CLI's option layer as a user meets it: every command and subcommand reports a parse error on one
 * `patchgate:` line and exits 2, and the options README and error hints tell people to use exist.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
