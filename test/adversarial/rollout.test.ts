/**
 * Attacks on a rollout (docs/rollout.md), through the real CLI on two anvils with different chain ids: a chain's
 * patch swapped out of the rollout in the store for one its approvers never bound to the others, and a target
 * dropped from the rollout. Each is refused before anything is sent (exit 2, `rollout-mismatch`): no operation is
 * scheduled on any chain and every patch keeps its state.
 */

import { join } from 'node:path';
import type { Hex, LocalAccount } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../../src/chain/clients.js';
import { TIMELOCK_ABI } from '../../src/core/abis.js';
import { chainLifecycles } from '../../src/lifecycle/chains.js';
import { propose } from '../../src/lifecycle/propose.js';
import type { RolloutReport } from '../../src/lifecycle/rollout.js';
import { openPglite } from '../../src/store/db.js';
import { openStore } from '../../src/store/store.js';
import { type ChainsExample, startChainsExample } from '../helpers/chains.js';
import { runCli } from '../helpers/cli.js';
import { KEY_ENV, okJson } from '../helpers/live.js';

let example: ChainsExample;
let rollout: RolloutReport;

const run = (args: string[]) =>
  runCli([...args, '--state-dir', example.stateDir], { cwd: example.configDir, env: KEY_ENV });

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openPglite>>) => Promise<T>): Promise<T> {
  const db = await openPglite(join(example.stateDir, 'db'));
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function scheduledEverywhere(): Promise<number> {
  let n = 0;
  for (const c of Object.values(example.chains)) {
    n += (
      await c.clients.public.getContractEvents({
        address: c.system.governance.timelock,
        abi: TIMELOCK_ABI,
        eventName: 'CallScheduled',
        fromBlock: 0n,
      })
    ).length;
  }
  return n;
}

const states = () =>
  okJson<RolloutReport>(run(['status', rollout.id, '--format', 'json'])).matrix.map((m) => [
    m.chain,
    m.state,
  ]);

beforeAll(async () => {
  example = await startChainsExample({ north: 31337, south: 31338 });
  rollout = okJson<RolloutReport>(
    run([
      'rollout',
      'propose',
      '--patch',
      'fix-flash-deposit',
      '--key-env',
      'DEPLOYER_KEY',
      '--format',
      'json',
    ]),
  );
  for (const key of ['OWNER1_KEY', 'OWNER2_KEY'])
    expect(run(['rollout', 'approve', rollout.id, '--key-env', key]).code).toBe(0);
}, 600_000);

afterAll(async () => {
  await example?.stop();
});

describe('rollout under attack: refused before anything is sent', () => {
  it("a chain's patch swapped out of the rollout for one not bound to it", async () => {
    // A patch of the same fix on south, proposed on its own (its digest binds no rollout), approved by the same two.
    const alone = await withDb(async (db) => {
      const store = await openStore(db);
      const [south] = await chainLifecycles(
        { config: example.config, projectDir: example.config.project, stateDir: example.stateDir, store },
        ['south'],
      );
      if (!south) throw new Error('no south');
      const r = await propose(south, {
        patch: 'fix-flash-deposit',
        lane: 'standard',
        again: true,
        deployer: localAccount(0) as LocalAccount,
      });
      return r.digest as Hex;
    });
    for (const key of ['OWNER1_KEY', 'OWNER2_KEY']) {
      const url = example.config.chains?.south?.rpc as string;
      expect(
        runCli(
          [
            'approve',
            alone,
            '--rpc',
            url,
            '--key-env',
            key,
            '--state-dir',
            example.stateDir,
            '--config',
            join(example.configDir, 'patchgate.config.json'),
            '--project',
            example.config.project,
          ],
          { env: KEY_ENV },
        ).code,
      ).toBe(1 - 1);
    }
    const before = await scheduledEverywhere();
    const original = rollout.matrix.find((m) => m.chain === 'south')?.digest as Hex;
    await withDb((db) =>
      db.query(`update rollouts set targets = replace(targets::text, $1, $2)::jsonb where id = $3`, [
        original,
        alone,
        rollout.id,
      ]),
    );
    const r = run(['rollout', 'run', rollout.id, '--key-env', 'DEPLOYER_KEY', '--warp']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`the patch of chain south (${alone}) is not bound to rollout ${rollout.id}`);
    expect(await scheduledEverywhere()).toBe(before);
    await withDb((db) =>
      db.query(`update rollouts set targets = replace(targets::text, $1, $2)::jsonb where id = $3`, [
        alone,
        original,
        rollout.id,
      ]),
    );
    expect(states()).toEqual(
      [
        ['north', 'approved'],
        ['south', 'approved'],
      ].sort(
        (a, b) =>
          rollout.matrix.findIndex((m) => m.chain === a[0]) -
          rollout.matrix.findIndex((m) => m.chain === b[0]),
      ),
    );
  }, 600_000);

  it('a target dropped from the rollout in the store', async () => {
    const before = await scheduledEverywhere();
    const kept = rollout.matrix.find((m) => m.chain === 'north');
    await withDb((db) =>
      db.query('update rollouts set targets = $2::jsonb where id = $1', [
        rollout.id,
        JSON.stringify([{ chain: 'north', chainId: kept?.chainId, digest: kept?.digest }]),
      ]),
    );
    const r = run(['rollout', 'run', rollout.id, '--key-env', 'DEPLOYER_KEY', '--warp']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`rollout ${rollout.id} does not hash to its targets`);
    expect(await scheduledEverywhere()).toBe(before);
  }, 300_000);
});
