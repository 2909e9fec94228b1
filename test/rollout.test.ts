/**
 * One patch, many chains (docs/rollout.md), through the real CLI on three anvils with different chain ids, each
 * running the example (Safe, timelock, proxies): `rollout propose` puts one CREATE2 implementation on all three and
 * binds every chain's digest to the whole rollout; `rollout approve` approves them all; `rollout run` takes the
 * chains largest value at risk first, survives being killed twice, and stops at the chain that fails — the chain
 * after it is left on V1 — and `status` shows the matrix.
 */

import { join } from 'node:path';
import { type Address, type Hex, keccak256, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clients, localAccount } from '../src/chain/clients.js';
import { TIMELOCK_ABI } from '../src/core/abis.js';
import { planOperationId } from '../src/govern/plan.js';
import type { RolloutReport } from '../src/lifecycle/rollout.js';
import { openPglite } from '../src/store/db.js';
import { openStore } from '../src/store/store.js';
import type { DeployedSystem } from '../src/system/model.js';
import { type ChainsExample, startChainsExample } from './helpers/chains.js';
import { type CliResult, runCli } from './helpers/cli.js';
import { KEY_ENV, type LiveExample, okJson } from './helpers/live.js';

interface Chain {
  name: string;
  id: number;
  clients: Clients;
  system: DeployedSystem;
}

let example: ChainsExample;
const chains: Chain[] = [];
let configDir: string;
let state: string;
let id: Hex;

const run = (args: string[], env: Record<string, string> = {}): CliResult =>
  runCli([...args, '--state-dir', state], { cwd: configDir, env: { ...KEY_ENV, ...env } });
const chain = (name: string) => chains.find((c) => c.name === name) as Chain;
const vaultOf = (c: Chain) => c.system.contracts.get('vault')?.address as Address;
const IMPLEMENTATION_SLOT = '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc';
const implementationOf = async (c: Chain) =>
  `0x${((await c.clients.public.getStorageAt({ address: vaultOf(c), slot: IMPLEMENTATION_SLOT })) ?? '').slice(26)}`;

async function mintToVault(c: Chain, amount: bigint) {
  const hash = await c.clients.wallet(localAccount(0)).writeContract({
    address: c.system.contracts.get('token')?.address as Address,
    abi: parseAbi(['function mint(address to, uint256 amount)']),
    functionName: 'mint',
    args: [vaultOf(c), amount],
  });
  await c.clients.public.waitForTransactionReceipt({ hash });
}

async function stored<T>(fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const db = await openPglite(join(state, 'db'));
  try {
    return await fn(await openStore(db));
  } finally {
    await db.close();
  }
}

const matrix = () => okJson<RolloutReport>(run(['status', id, '--format', 'json'])).matrix;

beforeAll(async () => {
  const ids = { alpha: 31337, beta: 31338, gamma: 31339 };
  example = await startChainsExample(ids);
  for (const [name, chainId] of Object.entries(ids)) {
    const c = example.chains[name] as LiveExample;
    chains.push({ name, id: chainId, clients: c.clients, system: c.system });
  }
  configDir = example.configDir;
  state = example.stateDir;
  // Beta holds the most ($90 000), then alpha ($75 000), then gamma ($60 000): the run's order. (The PoC's
  // 50 tUSD pays a 5 bp flash fee on up to $100 000.)
  await mintToVault(chain('beta'), 30_000_000_000n);
  await mintToVault(chain('alpha'), 15_000_000_000n);
}, 300_000);

afterAll(async () => {
  await example?.stop();
});

describe('rollout on three chains', () => {
  it('proposes one patch on three chains: one CREATE2 implementation, every digest bound to the whole rollout', async () => {
    const proposed = run([
      'rollout',
      'propose',
      '--patch',
      'fix-flash-deposit',
      '--key-env',
      'DEPLOYER_KEY',
      '--format',
      'json',
    ]);
    const r = okJson<RolloutReport>(proposed);
    id = r.id;
    expect(r.created).toBe(true);
    expect(r.matrix.map((m) => [m.chain, m.chainId, m.state, m.valueAtRiskUsd])).toEqual([
      ['beta', 31338, 'proposed', '90000.00'],
      ['alpha', 31337, 'proposed', '75000.00'],
      ['gamma', 31339, 'proposed', '60000.00'],
    ]);
    // The same address and the same runtime code on every chain (CREATE2 through 0x4e59…956C).
    const impl = r.implementation as { address: Address; codehash: Hex };
    for (const c of chains) {
      const code = (await c.clients.public.getBytecode({ address: impl.address })) as Hex;
      expect(keccak256(code), c.name).toBe(impl.codehash);
    }
    // Each chain's record carries the rollout as evidence: its digest (what approvers sign) binds all three.
    await stored(async (store) => {
      for (const m of r.matrix) {
        const p = await store.get(m.digest);
        expect(p?.record).toMatchObject({
          chainId: m.chainId,
          implementation: impl.address,
          evidence: { rollout: id },
        });
        const ev = (await store.evidence(m.digest)).rollout as { targets: { chainId: number }[] };
        expect(ev.targets.map((t) => t.chainId)).toEqual([31337, 31338, 31339]);
      }
    });
    // A re-run returns the open rollout.
    const again = okJson<RolloutReport>(
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
    expect(again).toMatchObject({ id, created: false });
  }, 600_000);

  it('approves every chain with one command per approver', () => {
    for (const key of ['OWNER1_KEY', 'OWNER2_KEY']) {
      const r = run(['rollout', 'approve', id, '--key-env', key]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(matrix().map((m) => m.state)).toEqual(['approved', 'approved', 'approved']);
  }, 300_000);

  it('runs in order, resumes after being killed twice, stops at the chain that fails and leaves the next one alone', async () => {
    // Killed right after the first schedule (beta, the largest value at risk).
    expect(
      run(['rollout', 'run', id, '--key-env', 'DEPLOYER_KEY', '--warp'], {
        PATCHGATE_FAILPOINT: 'queue:after-receipt',
      }).code,
    ).toBe(-1);
    expect(
      (
        await chain('beta').clients.public.getContractEvents({
          address: chain('beta').system.governance.timelock,
          abi: TIMELOCK_ABI,
          eventName: 'CallScheduled',
        })
      ).length,
    ).toBeGreaterThan(0);
    // Re-run: every chain queued, then killed right after beta's execution.
    expect(
      run(['rollout', 'run', id, '--key-env', 'DEPLOYER_KEY', '--warp'], {
        PATCHGATE_FAILPOINT: 'execute:after-receipt',
      }).code,
    ).toBe(-1);
    expect(matrix().map((m) => [m.chain, m.state])).toEqual([
      ['beta', 'queued'],
      ['alpha', 'queued'],
      ['gamma', 'queued'],
    ]);
    // Alpha fails: its timelock operation is cancelled on chain (the canceller: a watcher's response, a rogue op).
    const alpha = chain('alpha');
    const alphaDigest = matrix().find((m) => m.chain === 'alpha')?.digest as Hex;
    const op = await stored(async (store) => {
      const p = await store.get(alphaDigest);
      if (!p?.plan) throw new Error('alpha has no plan');
      return planOperationId(p.record, p.plan);
    });
    const hash = await alpha.clients.wallet(localAccount(6)).writeContract({
      address: alpha.system.governance.timelock,
      abi: TIMELOCK_ABI,
      functionName: 'cancel',
      args: [op],
    });
    await alpha.clients.public.waitForTransactionReceipt({ hash });
    const v1 = await implementationOf(chain('gamma'));

    const failed = run(['rollout', 'run', id, '--key-env', 'DEPLOYER_KEY', '--warp']);
    // Alpha's execute finds no operation to execute: exit 2 naming it, the rollout halted there.
    expect(failed.code, failed.stderr).toBe(2);
    expect(failed.stderr).toContain('(cancelled on chain?)');
    const after = okJson<RolloutReport>(run(['status', id, '--format', 'json']));
    expect(after.matrix.map((m) => [m.chain, m.state])).toEqual([
      ['beta', 'verified'],
      ['alpha', 'queued'],
      ['gamma', 'queued'],
    ]);
    expect(after.halted).toMatchObject({ chain: 'alpha', step: 'execute', code: 'operation-missing' });
    // Beta runs the fix; gamma, after the failure, still runs V1.
    const fixed = await stored(
      async (store) => (await store.get(after.matrix[0]?.digest as Hex))?.record.implementation,
    );
    expect((await implementationOf(chain('beta'))).toLowerCase()).toBe(fixed?.toLowerCase());
    expect(await implementationOf(chain('gamma'))).toBe(v1);
    // A re-run stops at the same place: nothing after the failure runs until it is dealt with.
    expect(run(['rollout', 'run', id, '--key-env', 'DEPLOYER_KEY', '--warp']).code).toBe(failed.code);
    expect(await implementationOf(chain('gamma'))).toBe(v1);
    const text = run(['status', id]).stdout;
    expect(text).toMatch(/HALTED at alpha \(execute/);
  }, 600_000);
});
