/**
 * `patchgate gate deploy` and `patchgate log anchor` as users run them, on a real anvil: PatchGate deployed
 * from the bundled contract with the config's policy, the store's log head anchored on chain, idempotently,
 * and only by its anchorer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnchors } from '../src/anchor/events.js';
import { PATCHGATE_ABI } from '../src/anchor/index.js';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { type Clients, connect, localAccount } from '../src/chain/clients.js';
import { loadConfig } from '../src/config/load.js';
import { policyCommitment } from '../src/govern/policy.js';
import { sampleEntries } from '../src/ledger/sample-entries.fixture.js';
import { openPglite } from '../src/store/db.js';
import { openLedger } from '../src/store/ledger-store.js';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, TEST_STATE_DIR } from './helpers/example.js';
import { KEY_ENV } from './helpers/live.js';

let anvil: Anvil;
let clients: Clients;
let state: string;
let gate: Address;
let root: string;

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, '--rpc', anvil.rpcUrl], { env: { ...KEY_ENV, LOG_KEY: KEY_ENV.DEPLOYER_KEY, ...env } });

beforeAll(async () => {
  anvil = await startAnvil();
  clients = await connect(anvil.rpcUrl);
  state = mkdtempSync(join(tmpdir(), 'pg-gate-'));
  const db = await openPglite(join(state, 'db'));
  const ledger = await openLedger(db, { origin: 'patchgate' });
  await ledger.appendMany(sampleEntries(5));
  root = (await ledger.head()).root;
  await db.close();
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('gate deploy and log anchor', () => {
  const deployArgs = [
    'gate',
    'deploy',
    '--controller',
    localAccount(4).address,
    '--anchorer',
    localAccount(0).address,
    '--key-env',
    'OUTSIDER_KEY',
    '--state-dir',
    TEST_STATE_DIR,
  ];

  it("deploys PatchGate with its controller, anchorer and the config's policy", async () => {
    const r = cli([...deployArgs, '--project', EXAMPLE_DIR, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    gate = out.address;
    expect(gate).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const { config } = await loadConfig({ searchDir: EXAMPLE_DIR });
    const policy = policyCommitment(config.policy);
    expect([out.policyHash, out.allowedLanes]).toEqual([policy.hash, 3]);
    const read = (functionName: 'policyHash' | 'allowedLanes') =>
      clients.public.readContract({ address: gate, abi: PATCHGATE_ABI, functionName });
    expect([await read('policyHash'), await read('allowedLanes')]).toEqual([policy.hash, 3]);
  });

  it('says which policy it deployed with, and refuses to deploy without a config, exit 2', () => {
    const r = cli([...deployArgs, '--config', join(EXAMPLE_DIR, 'patchgate.config.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ {2}policy 0x[0-9a-f]{64}, lanes open: standard, emergency\n/);
    const none = cli([...deployArgs, '--project', state]);
    expect([none.code, none.stderr]).toEqual([
      2,
      expect.stringContaining(`no patchgate.config.{ts,mjs,js,json} in ${state}`),
    ]);
  });

  it('refuses a head from a key that is not the anchorer, with the contract reason, exit 2', () => {
    const r = cli(['log', 'anchor', '--gate', gate, '--state-dir', state, '--key-env', 'OUTSIDER_KEY']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NotAnchorer');
  });

  it('anchors the store head once; a re-run reports it already anchored', async () => {
    const r = cli(['log', 'anchor', '--gate', gate, '--state-dir', state, '--key-env', 'LOG_KEY']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`ANCHORED  size 5, root ${root}`));
    const again = cli(['log', 'anchor', '--gate', gate, '--state-dir', state, '--key-env', 'LOG_KEY']);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('ALREADY ANCHORED')]);
    const anchors = await readAnchors(clients.public, gate);
    expect(anchors.map((a) => [a.size, a.root])).toEqual([[5n, root]]);
  });

  it('refuses a --gate that is not an address', () => {
    const r = cli(['log', 'anchor', '--gate', '0x1234', '--state-dir', state, '--key-env', 'LOG_KEY']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('--gate "0x1234" is not an address')]);
  });
});
