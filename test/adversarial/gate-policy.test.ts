/**
 * Attacks on the policy PatchGate enforces on chain, through the real CLI against the example deployed on a real
 * anvil: the team deploys PatchGate (`gate deploy`) with its config's policy, which closes the emergency lane
 * (`policy.lanes.emergency.severities: []`), and moves the vault's ProxyAdmin to it through its own Safe and
 * timelock. A standard-lane patch goes through it (proposed in `beforeAll`). Each attack is refused with its
 * exact exit code, and the store's tables (patches, approvals, history, the log) are the same before and after;
 * the one that reaches the chain leaves the vault on its old implementation.
 */

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFunctionData, type Hex, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPatchExecuted } from '../../src/anchor/events.js';
import { findContract } from '../../src/build/find.js';
import { localAccount } from '../../src/chain/clients.js';
import { abiOf } from '../../src/chain/deploy.js';
import { introspectProxy } from '../../src/chain/proxy.js';
import { loadConfig } from '../../src/config/load.js';
import { patchDigest } from '../../src/govern/digest.js';
import { policyCommitment } from '../../src/govern/policy.js';
import { upgradeThroughGovernance } from '../../src/simulate/governance.js';
import { openPglite } from '../../src/store/db.js';
import { openStore } from '../../src/store/store.js';
import type { CliResult } from '../helpers/cli.js';
import { cliOn, type LiveExample, okJson, startLiveExample } from '../helpers/live.js';

let live: LiveExample;
let state: string;
let gate: Hex;
let vault: Hex;
let v1: Hex;
/** The standard-lane patch proposed through the gate. */
let standard: Hex;
/** The deployed policy (emergency closed), and the example's own (emergency open), as the config files hold them. */
let closedHash: Hex;
let openHash: Hex;
let openConfig: string;

const pg = (args: string[]): CliResult => cliOn(live, state, args);

/** Every table a lifecycle step could touch, as rows. */
const TABLES = [
  'patches',
  'evidence',
  'approvals',
  'safe_signatures',
  'pending_txs',
  'transitions',
  'ledger_entries',
  'ledger_nodes',
  'ledger_heads',
];

async function snapshot(): Promise<Record<string, unknown[]>> {
  const db = await openPglite(join(state, 'db'));
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of TABLES) out[t] = await db.query(`select * from ${t} order by 1, 2`);
    return out;
  } finally {
    await db.close();
  }
}

/** The refusal: exit `code`, one line naming the cause, no stack; the store exactly as it was. */
async function refused(args: string[], code: number, message: RegExp): Promise<CliResult> {
  const before = await snapshot();
  const r = pg(args);
  expect(r.code, r.stderr).toBe(code);
  const first = r.stderr.split('\n')[0] ?? '';
  expect(first).toMatch(/^patchgate: /);
  expect(first).toMatch(message);
  expect(r.stderr).not.toMatch(/at .*\.js:\d+|Request Arguments|Version: viem/);
  expect(await snapshot()).toEqual(before);
  return r;
}

const implementationOf = async (proxy: Hex) =>
  (await introspectProxy(live.clients.public, proxy)).implementation;

beforeAll(async () => {
  live = await startLiveExample();
  vault = live.system.contracts.get('vault')?.address as Hex;
  v1 = await implementationOf(vault);
  state = mkdtempSync(join(tmpdir(), 'pg-adv-gate-policy-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });

  // The team's config closes the emergency lane; the example's own config (kept aside) opens it.
  const file = join(live.configDir, 'patchgate.config.json');
  const example = JSON.parse(readFileSync(file, 'utf8'));
  openConfig = join(mkdtempSync(join(tmpdir(), 'pg-adv-gate-open-')), 'patchgate.config.json');
  writeFileSync(openConfig, JSON.stringify(example, null, 2));
  const lanes = example.policy.lanes;
  example.policy.lanes = { ...lanes, emergency: { ...lanes.emergency, severities: [] } };
  writeFileSync(file, JSON.stringify(example, null, 2));
  closedHash = policyCommitment((await loadConfig({ searchDir: live.configDir })).config.policy).hash;
  openHash = policyCommitment((await loadConfig({ file: openConfig, searchDir: '.' })).config.policy).hash;

  const deployed = okJson<{ address: Hex; policyHash: Hex; allowedLanes: number }>(
    pg([
      'gate',
      'deploy',
      '--controller',
      live.system.governance.timelock,
      '--anchorer',
      localAccount(5).address,
      '--key-env',
      'DEPLOYER_KEY',
      '--format',
      'json',
    ]),
  );
  expect([deployed.policyHash, deployed.allowedLanes]).toEqual([closedHash, 1]);
  gate = deployed.address;
  const moved = await upgradeThroughGovernance(live.clients, live.system.governance, {
    target: live.system.contracts.get('vault')?.proxyAdmin as Hex,
    data: encodeFunctionData({
      abi: parseAbi(['function transferOwnership(address newOwner)']),
      functionName: 'transferOwnership',
      args: [gate],
    }),
    signers: [localAccount(1) as never, localAccount(2) as never],
    submitter: localAccount(0) as never,
    errorsAbi: abiOf(findContract(live.project, 'ProxyAdmin')),
  });
  expect(moved.ok).toBe(true);
  // The standard lane is open: a patch goes through propose, planned under the gate's policy.
  const proposed = okJson<{ digest: Hex; plan: { gate: Hex; policyHash: Hex } }>(
    pg(['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY', '--format', 'json']),
  );
  expect(proposed.plan).toMatchObject({ gate, policyHash: closedHash });
  standard = proposed.digest;
}, 300_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('PatchGate policy under attack: refused, nothing changed', () => {
  it('emergency lane through a gate whose policy closes it: propose exits 2 (gate-lane-closed) before any stage', async () => {
    const r = await refused(
      ['propose', '--patch', 'fix-flash-deposit', '--lane', 'emergency', '--key-env', 'DEPLOYER_KEY'],
      2,
      new RegExp(`PatchGate ${gate} \\(in the upgrade path of live.vault\\) keeps the emergency lane closed`),
    );
    expect(r.stderr).toContain('its policy opens only standard');
    expect(r.stderr).toContain('hint: propose in the standard lane');
  });

  it("a config that reopens the emergency lane behind the gate's back: propose exits 2 (gate-policy-mismatch) naming both hashes", async () => {
    const r = await refused(
      ['propose', '--patch', 'fix-flash-deposit', '--lane', 'emergency', '--config', openConfig],
      2,
      new RegExp(`was deployed with policy ${closedHash}, but the config's policy is ${openHash}`),
    );
    expect(r.stderr).toMatch(/hint: redeploy the gate with the config's policy .* or restore the policy/);
  });

  it('an emergency patch slipped into the store past propose is refused on chain: execute exits 3 (LaneNotAllowed), V1 stays live', async () => {
    // An emergency twin of the standard patch, written into the store by hand (an older patchgate, an edited
    // database): same upgrade, same evidence, lane emergency, planned through the gate under its policy.
    const db = await openPglite(join(state, 'db'));
    let digest: Hex;
    try {
      const store = await openStore(db);
      const found = await store.get(standard);
      if (!found?.plan) throw new Error('the standard patch is not in the store');
      const record = { ...found.record, lane: 'emergency' as const };
      digest = patchDigest(record);
      const plan = { ...found.plan, salt: digest, delay: '3600' };
      await store.propose(record, plan, await store.evidence(standard));
    } finally {
      await db.close();
    }
    // The emergency lane needs all three owners (the example's policy); the schedule goes through the timelock.
    for (const key of ['OWNER1_KEY', 'OWNER2_KEY', 'OWNER3_KEY'])
      okJson(pg(['approve', digest, '--key-env', key, '--format', 'json']));
    // Off chain, queue's own rule refuses it first (the config closes the lane too)…
    const q = pg(['queue', digest, '--key-env', 'DEPLOYER_KEY']);
    expect(q.code, q.stderr).toBe(1);
    expect(q.stderr).toContain('policy.lanes.emergency.severities');
    // …so it is queued past that too, with a config edited to open the lane: the chain is the last word.
    const past = cliOn(live, state, ['queue', digest, '--key-env', 'DEPLOYER_KEY', '--config', openConfig]);
    expect(past.code, past.stderr).toBe(0);

    const r = await refused(
      ['execute', digest, '--key-env', 'DEPLOYER_KEY', '--warp'],
      3,
      /the execute SafeTx 0x[0-9a-f]{64} would revert: .*LaneNotAllowed\(1\)/,
    );
    expect(r.stderr).toContain('nothing was sent');
    expect(await implementationOf(vault)).toBe(v1);
    expect(await readPatchExecuted(live.clients.public, gate)).toEqual([]);
    const status = okJson<{ state: string }>(pg(['status', digest, '--format', 'json']));
    expect(status.state).toBe('queued');
  });
});
