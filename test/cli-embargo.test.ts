/**
 * An embargoed patch through the whole lifecycle as people run it — separate processes on one state dir, a real
 * anvil: `propose --embargo` logs only a commitment (the export holds no proxy, implementation, calldata or digest
 * of it), approvers check the bundle against the log and approve, it is queued and executed, `log verify` warns
 * that it executed unrevealed, `reveal` publishes the withheld entries and the bundle, and `log verify` checks the
 * reveal from the export alone.
 */
import { cpSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../src/chain/clients.js';
import { evidenceDigest } from '../src/core/digest.js';
import { type CliResult, runCli } from './helpers/cli.js';
import { cliOn, KEY_ENV, type LiveExample, okJson, startLiveExample } from './helpers/live.js';

let live: LiveExample;
let state: string;
const files = mkdtempSync(join(tmpdir(), 'pg-embargo-'));
const LOG_SIGNER = localAccount(3).address;

const pg = (args: string[]): CliResult => cliOn(live, state, args);
/** A command that takes no --rpc (log, bundle): the state dir only. */
const local = (args: string[]): CliResult =>
  runCli([...args, '--state-dir', state], { cwd: live.configDir, env: KEY_ENV });

/** Exports the log and signs its head with the log key (owner 3's key here); the export's text. */
function exportLog(name: string): { file: string; head: string; text: string } {
  const file = join(files, `${name}.jsonl`);
  const head = join(files, `${name}.head.json`);
  expect(local(['log', 'export', '--out', file]).code).toBe(0);
  expect(local(['log', 'head', '--key-env', 'OWNER3_KEY', '--format', 'json', '--out', head]).code).toBe(0);
  return { file, head, text: readFileSync(file, 'utf8') };
}

beforeAll(async () => {
  live = await startLiveExample();
  state = mkdtempSync(join(tmpdir(), 'pg-embargo-state-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });
}, 240_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('an embargoed patch, end to end', () => {
  it('is logged as a commitment only, approved from the bundle, executed, revealed, and the log verifies', async () => {
    const bundle = join(files, 'bundle.json');
    const p = okJson<{
      digest: Hex;
      record: { proxy: Hex; implementation: Hex; calldata: Hex; codehash: Hex };
      embargo: { commitment: Hex; bundle?: string; bundleFile: string };
    }>(
      pg([
        'propose',
        '--patch',
        'fix-flash-deposit',
        '--key-env',
        'DEPLOYER_KEY',
        '--embargo',
        '--bundle',
        bundle,
        '--format',
        'json',
      ]),
    );
    // The bundle goes to its file (owner-only), never into the report; it hashes to the commitment.
    expect(p.embargo).toEqual({ commitment: expect.stringMatching(/^0x[0-9a-f]{64}$/), bundleFile: bundle });
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    const bundleText = readFileSync(bundle, 'utf8');
    expect(evidenceDigest(JSON.parse(bundleText))).toBe(p.embargo.commitment);
    const secrets = [
      p.record.proxy,
      p.record.implementation,
      p.record.calldata.slice(10),
      p.record.codehash,
      p.digest,
    ];
    const leaks = (text: string) =>
      secrets.filter((s) => text.toLowerCase().includes(s.toLowerCase().slice(2)));

    const proposed = exportLog('proposed');
    expect(leaks(proposed.text)).toEqual([]);
    expect(proposed.text).toContain(p.embargo.commitment);
    expect(proposed.text).toContain('patch-committed');
    expect(proposed.text).not.toContain('patch-proposed');

    // Each approver checks the file they received against the signed log, then approves the digest it prints.
    const checked = local([
      'bundle',
      'verify',
      bundle,
      '--log',
      proposed.file,
      '--head',
      proposed.head,
      '--signer',
      LOG_SIGNER,
    ]);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/^OK {2}the bundle is the one committed in the log/);
    expect(checked.stdout).toContain(`digest ${p.digest} (recomputed from the record)`);
    expect(checked.stdout).toContain(p.record.implementation);
    expect(checked.stdout).toMatch(/evidence +assess pass .*check pass .*simulate pass/);
    expect(checked.stdout).toContain(`(pinned)`);
    for (const owner of ['OWNER1_KEY', 'OWNER2_KEY'])
      expect(pg(['approve', p.digest, '--key-env', owner]).code).toBe(0);

    const approved = exportLog('approved');
    expect(leaks(approved.text)).toEqual([]);
    expect(approved.text.match(/approval-committed/g)).toHaveLength(2);
    expect(approved.text).not.toContain('\\"signature\\"');

    expect(
      okJson<{ state: string }>(pg(['queue', p.digest, '--key-env', 'OUTSIDER_KEY', '--format', 'json']))
        .state,
    ).toBe('queued');
    const executed = pg(['execute', p.digest, '--key-env', 'OUTSIDER_KEY', '--warp']);
    expect(executed.code, executed.stderr).toBe(0);
    expect(pg(['verify', p.digest]).code).toBe(0);

    // Executed but not revealed: a warning, not a failure.
    const owed = exportLog('owed');
    const before = local(['log', 'verify', '--file', owed.file, '--head', owed.head, '--signer', LOG_SIGNER]);
    expect(before.code, before.stdout).toBe(0);
    expect(before.stdout).toContain(
      `warning: committed patch ${p.digest} (commitment ${p.embargo.commitment}) executed`,
    );
    expect(before.stdout).toContain('was never revealed');

    const revealed = pg(['reveal', p.digest]);
    expect(revealed.code, revealed.stderr).toBe(0);
    expect(revealed.stdout).toMatch(/^REVEALED {2}0x[0-9a-f]{64} {2}\(verified; log entries /);
    const again = pg(['reveal', p.digest]);
    expect([again.code, again.stdout]).toEqual([
      0,
      expect.stringMatching(/^ALREADY REVEALED .*nothing new in the log/),
    ]);

    const after = exportLog('revealed');
    expect(after.text.split('\n').filter(Boolean).length).toBeGreaterThan(
      owed.text.split('\n').filter(Boolean).length,
    );
    expect(leaks(after.text)).toEqual(secrets); // everything is public now, in the log
    const v = local([
      'log',
      'verify',
      '--file',
      after.file,
      '--head',
      after.head,
      '--signer',
      LOG_SIGNER,
      '--format',
      'json',
    ]);
    expect(v.code, v.stdout).toBe(0);
    const report = JSON.parse(v.stdout) as {
      verdict: string;
      embargo: {
        reveals: { digest: Hex; commitment: Hex; ok: boolean }[];
        unrevealed: unknown[];
        problems: unknown[];
      };
    };
    expect(report.verdict).toBe('pass');
    expect(report.embargo).toEqual({
      reveals: [expect.objectContaining({ digest: p.digest, commitment: p.embargo.commitment, ok: true })],
      unrevealed: [],
      problems: [],
    });
    // The revealed bundle is the very file the approvers checked, byte for byte.
    const entries = after.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(JSON.parse(l).entry) as { kind: string; bundle?: string });
    expect(entries.find((e) => e.kind === 'patch-revealed')?.bundle).toBe(bundleText);
    expect(entries.map((e) => e.kind).filter((k) => k === 'patch-proposed' || k === 'approval')).toEqual([
      'patch-proposed',
      'approval',
      'approval',
    ]);
  }, 600_000);
});
