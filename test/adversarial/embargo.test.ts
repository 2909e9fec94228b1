/**
 * Attacks on embargoed patches (docs/embargo.md, docs/security.md): a bundle changed on its way to an approver,
 * a reveal before the fix is on chain, the public API asked for the embargoed patch, and a team that reveals
 * another bundle than the one it committed to. Real anvil, real CLI processes on one state dir.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex, LocalAccount } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../../src/chain/clients.js';
import { canonicalJson, evidenceDigest } from '../../src/core/digest.js';
import { LOG_ORIGIN } from '../../src/lifecycle/log-sync.js';
import { createApp } from '../../src/server/app.js';
import { openPglite } from '../../src/store/db.js';
import { openLedger } from '../../src/store/ledger-store.js';
import { openStore } from '../../src/store/store.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { cliOn, KEY_ENV, type LiveExample, lifecycleOn, okJson, startLiveExample } from '../helpers/live.js';
import { signInTo } from '../helpers/siwe.js';

let live: LiveExample;
let state: string;
let digest: Hex;
let commitment: Hex;
let record: { proxy: Hex; implementation: Hex; calldata: Hex };
const files = mkdtempSync(join(tmpdir(), 'pg-embargo-adv-'));
const bundle = join(files, 'bundle.json');
const LOG_SIGNER = localAccount(3).address;

const pg = (args: string[]): CliResult => cliOn(live, state, args);
const local = (args: string[], dir = state): CliResult =>
  runCli([...args, '--state-dir', dir], { cwd: live.configDir, env: KEY_ENV });

beforeAll(async () => {
  live = await startLiveExample();
  state = mkdtempSync(join(tmpdir(), 'pg-embargo-adv-state-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });
  const p = okJson<{ digest: Hex; record: typeof record; embargo: { commitment: Hex } }>(
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
  digest = p.digest;
  commitment = p.embargo.commitment;
  record = p.record;
}, 600_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('embargoed patches under attack', () => {
  it('a tampered bundle is refused by bundle verify: a changed source byte is not the committed bundle, a changed calldata breaks its digest (exit 2)', () => {
    const log = join(files, 'log.jsonl');
    expect(local(['log', 'export', '--out', log]).code).toBe(0);
    const honest = local(['bundle', 'verify', bundle, '--log', log]);
    expect(honest.code, honest.stderr).toBe(0);

    const original = JSON.parse(readFileSync(bundle, 'utf8')) as {
      build: { sources: Record<string, string>; candidate: string };
      record: { calldata: Hex };
      call: { data: Hex };
    };
    const file = original.build.candidate.split(':')[0] as string;
    const backdoored = structuredClone(original);
    backdoored.build.sources[file] = (backdoored.build.sources[file] ?? '').replace('onlyRole', 'onlyRoIe');
    expect(backdoored.build.sources[file]).not.toBe(original.build.sources[file]);
    const sourceEdited = join(files, 'source-edited.json');
    writeFileSync(sourceEdited, canonicalJson(backdoored));
    const r1 = local(['bundle', 'verify', sourceEdited, '--log', log]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/hashes to 0x[0-9a-f]{64}, which no patch-committed entry of the log holds/);
    expect(r1.stdout).toBe('');

    const rerouted = structuredClone(original);
    const evil = 'deadbeef'.repeat(5);
    rerouted.record.calldata = rerouted.record.calldata.replace(
      record.implementation.slice(2).toLowerCase(),
      evil,
    ) as Hex;
    rerouted.call.data = rerouted.call.data.replace(
      record.implementation.slice(2).toLowerCase(),
      evil,
    ) as Hex;
    expect(rerouted.record.calldata).not.toBe(original.record.calldata);
    const callEdited = join(files, 'call-edited.json');
    writeFileSync(callEdited, canonicalJson(rerouted));
    const r2 = local(['bundle', 'verify', callEdited, '--log', log, '--format', 'json']);
    expect(r2.code).toBe(2);
    expect(JSON.parse(r2.stdout)).toMatchObject({ verdict: 'error', error: { code: 'bundle-tampered' } });
    expect(JSON.parse(r2.stdout).error.message).toMatch(
      /its record digests to 0x[0-9a-f]{64}, not to its digest/,
    );
  });

  it('reveal before execution is refused (exit 2, naming the state) and publishes nothing', () => {
    const before = join(files, 'before-reveal.jsonl');
    expect(local(['log', 'export', '--out', before]).code).toBe(0);
    const r = pg(['reveal', digest]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `patch ${digest} is proposed: an embargoed patch is revealed only after it executed`,
    );
    const after = join(files, 'after-refused-reveal.jsonl');
    expect(local(['log', 'export', '--out', after]).code).toBe(0);
    expect(readFileSync(after, 'utf8')).toBe(readFileSync(before, 'utf8'));
  });

  it("the public API does not show an embargoed patch's implementation, calldata, evidence or sources; a signed-in approver sees them", async () => {
    const store = await openStore(await openPglite(join(state, 'db')));
    try {
      const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
      const site = { domain: 'patches.example.org', chainId: 31337 };
      const app = createApp({ store, ledger, auth: site, lc: await lifecycleOn(live, store) });
      const secrets = [record.implementation, record.calldata.slice(10), record.proxy, 'VaultV2'];
      const seen = (text: string) => secrets.filter((s) => text.toLowerCase().includes(s.toLowerCase()));
      const list = await app.request('/api/patches');
      const listText = await list.text();
      expect([list.status, seen(listText)]).toEqual([200, []]);
      expect(JSON.parse(listText)).toEqual({ patches: [{ embargoed: true, commitment, state: 'proposed' }] });
      const one = await app.request(`/api/patches/${digest}`);
      const oneText = await one.text();
      expect([one.status, seen(oneText)]).toEqual([200, []]);
      expect(JSON.parse(oneText)).toEqual({ digest, embargoed: true, commitment, state: 'proposed' });
      for (const path of [`/api/patches/${digest}/reviews`, `/api/patches/${digest}/diff`]) {
        const r = await app.request(path);
        const text = await r.text();
        expect([path, r.status, JSON.parse(text).error.code, seen(text)]).toEqual([
          path,
          403,
          'patch-embargoed',
          [],
        ]);
      }
      const entries = await (await app.request('/api/log/entries')).text();
      expect(seen(entries)).toEqual([]);

      const token = await signInTo(app, localAccount(1) as LocalAccount, site);
      const asApprover = await app.request(`/api/patches/${digest}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const detail = (await asApprover.json()) as { record: { implementation: Hex; calldata: Hex } };
      expect(detail.record).toMatchObject({
        implementation: record.implementation,
        calldata: record.calldata,
      });
      const outsider = await signInTo(app, localAccount(7) as LocalAccount, site);
      const asOutsider = await app.request(`/api/patches/${digest}`, {
        headers: { authorization: `Bearer ${outsider}` },
      });
      expect(seen(await asOutsider.text())).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('a reveal of another bundle than the one committed fails log verify (exit 1), naming the reveal', async () => {
    for (const owner of ['OWNER1_KEY', 'OWNER2_KEY'])
      expect(pg(['approve', digest, '--key-env', owner]).code).toBe(0);
    expect(pg(['queue', digest, '--key-env', 'OUTSIDER_KEY']).code).toBe(0);
    expect(pg(['execute', digest, '--key-env', 'OUTSIDER_KEY', '--warp']).code).toBe(0);
    // The team swaps the bundle in its own store for another one — same patch, another salt and other sources —
    // and a commitment to match: its own check passes, so `reveal` publishes it.
    const other = JSON.parse(readFileSync(bundle, 'utf8')) as {
      salt: Hex;
      build: { sources: Record<string, string> };
    };
    other.salt = `0x${'11'.repeat(32)}`;
    const otherText = canonicalJson(other);
    const db = await openPglite(join(state, 'db'));
    await db.query('update embargoes set bundle = $1, commitment = $2 where digest = $3', [
      otherText,
      evidenceDigest(other),
      digest,
    ]);
    await db.close();
    const revealed = pg(['reveal', digest]);
    expect(revealed.code, revealed.stderr).toBe(0);

    const log = join(files, 'swapped.jsonl');
    const head = join(files, 'swapped.head.json');
    expect(local(['log', 'export', '--out', log]).code).toBe(0);
    expect(local(['log', 'head', '--key-env', 'OWNER3_KEY', '--format', 'json', '--out', head]).code).toBe(0);
    const v = local(['log', 'verify', '--file', log, '--head', head, '--signer', LOG_SIGNER]);
    expect(v.code, v.stdout).toBe(1);
    expect(v.stdout).toMatch(/^FAIL: a reveal does not match its commitment \(first bad entry \d+\)/);
    expect(v.stdout).toMatch(
      /reveal-not-committed: entry \d+ reveals a bundle for commitment 0x[0-9a-f]{64}, which no earlier patch-committed entry holds/,
    );
    expect(v.stdout).toContain(`names commitment ${commitment}, the reveal`);
  }, 300_000);
});
