/**
 * Fork mode against a local stand-in for a live network: anvil A holds the deployed system (as mainnet
 * would); `simulate --fork-url A` forks it, finds the system at the config's live addresses, resolves the
 * governance on chain (proxy → ProxyAdmin → timelock → Safe) and, without the owners' keys, impersonates the
 * Safe. The stand-in speaks the same JSON-RPC as a real endpoint; no network is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContract } from '../src/build/index.js';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { connect, localAccount } from '../src/chain/clients.js';
import { abiOf } from '../src/chain/deploy.js';
import { introspectProxy } from '../src/chain/proxy.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { runSimulate } from '../src/simulate/run-simulate.js';
import { deploySystem, fundAccounts } from '../src/system/deploy.js';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './helpers/example.js';

let live: Anvil;
let config: Config;
let forkConfig: Config;
let liveV1: string;
let historyFrom: bigint;
let historyTo: bigint;

beforeAll(async () => {
  const project = await loadExample();
  config = (await loadConfig({ searchDir: EXAMPLE_DIR })).config;
  live = await startAnvil();
  const clients = await connect(live.rpcUrl);
  const system = await deploySystem(clients, project, config.system as NonNullable<Config['system']>);
  const address = (name: string) => system.contracts.get(name)?.address as string;
  liveV1 = system.contracts.get('vault')?.implementation as string;
  // Some real history on the "live" network: users depositing and withdrawing, one block each.
  historyFrom = (await clients.public.getBlockNumber({ cacheTime: 0 })) + 1n;
  const vaultAbi = abiOf(findContract(project, 'VaultV1'));
  const tokenAbi = abiOf(findContract(project, 'TestUSD'));
  const send = async (
    account: number,
    to: string,
    abi: typeof vaultAbi,
    functionName: string,
    args: unknown[],
  ) => {
    const hash = await clients
      .wallet(localAccount(account))
      .writeContract({ address: to as `0x${string}`, abi, functionName, args });
    await clients.public.waitForTransactionReceipt({ hash });
  };
  await fundAccounts(clients, ['user:1']);
  const user1 = localAccount(11);
  await send(0, address('token'), tokenAbi, 'mint', [user1.address, 3_000_000n]);
  await send(11, address('token'), tokenAbi, 'approve', [address('vault'), 3_000_000n]);
  await send(11, address('vault'), vaultAbi, 'deposit', [3_000_000n, user1.address]);
  await send(11, address('vault'), vaultAbi, 'withdraw', [1_000_000n, user1.address, user1.address]);
  historyTo = await clients.public.getBlockNumber({ cacheTime: 0 });
  forkConfig = {
    ...config,
    system: undefined,
    live: {
      vault: { address: address('vault') },
      rewards: { address: address('rewards') },
      token: { address: address('token'), contract: 'TestUSD' },
    },
  };
}, 120_000);

afterAll(async () => {
  await live?.stop();
});

describe('simulate on a fork', () => {
  it('finds the live system, impersonates the Safe, and still proves the fix', async () => {
    const r = await runSimulate({
      config: forkConfig,
      projectDir: EXAMPLE_DIR,
      stateDir: TEST_STATE_DIR,
      patch: 'fix-flash-deposit',
      forkUrl: live.rpcUrl,
    });
    expect(r.chain.mode).toBe('fork');
    expect(r.stages.map((s) => s.name)).toContain('attach');
    expect(r.governancePath).toMatchObject({ ok: true, impersonated: true });
    expect(r.poc).toEqual([expect.objectContaining({ before: 'succeeded', after: 'failed' })]);
    // Differential fuzzing runs on the fork too (two functions at a time there): only notes on changed functions.
    expect(r.fuzz).toMatchObject({ budgetExhausted: false, notCovered: [] });
    expect(r.findings.filter((f) => f.id !== 'behaviour-changed-expected')).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  it('fails the reverting patch on the fork too, and leaves the live node untouched', async () => {
    const r = await runSimulate({
      config: forkConfig,
      projectDir: EXAMPLE_DIR,
      stateDir: TEST_STATE_DIR,
      patch: 'reverting-initializer',
      forkUrl: live.rpcUrl,
    });
    expect(r.findings.map((f) => f.message)).toEqual([expect.stringMatching(/InvalidBps\(5000\)/)]);
    // The fork is a copy: the live node still runs VaultV1.
    const clients = await connect(live.rpcUrl);
    const now = await introspectProxy(clients.public, forkConfig.live?.vault?.address as `0x${string}`);
    expect(now.implementation).toBe(liveV1);
  });

  it('rejects a fork config without live addresses, and a live address with no code, with exit 2', async () => {
    await expect(
      runSimulate({
        config: { ...config, live: undefined },
        projectDir: EXAMPLE_DIR,
        stateDir: TEST_STATE_DIR,
        patch: 'fix-flash-deposit',
        forkUrl: live.rpcUrl,
      }),
    ).rejects.toMatchObject({ code: 'no-live-addresses', exitCode: 2 });
    const bad = {
      ...forkConfig,
      live: { ...forkConfig.live, vault: { address: '0x000000000000000000000000000000000000bEEF' } },
    };
    await expect(
      runSimulate({
        config: bad,
        projectDir: EXAMPLE_DIR,
        stateDir: TEST_STATE_DIR,
        patch: 'fix-flash-deposit',
        forkUrl: live.rpcUrl,
      }),
    ).rejects.toMatchObject({ code: 'no-code' });
  });

  it('fails closed with exit 3 when the fork URL does not answer', () => {
    const r = runCli([
      'simulate',
      '--config',
      `${EXAMPLE_DIR}patchgate.config.json`,
      '--patch',
      'fix-flash-deposit',
      '--fork-url',
      'http://127.0.0.1:1',
      '--state-dir',
      TEST_STATE_DIR,
    ]);
    expect(r.code).toBe(3);
    // Probed before anvil tries to fork it: one line naming the URL, not anvil's error chain.
    expect(r.stderr).toMatch(
      /^patchgate: the RPC endpoint http:\/\/127\.0\.0\.1:1 did not answer eth_chainId: [^\n]+\n {2}hint/,
    );
  });

  it('fails closed with exit 3, naming the URL, when the --rpc node does not answer', () => {
    const r = runCli([
      'simulate',
      '--config',
      `${EXAMPLE_DIR}patchgate.config.json`,
      '--patch',
      'fix-flash-deposit',
      '--rpc',
      'http://127.0.0.1:1',
      '--state-dir',
      TEST_STATE_DIR,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/RPC endpoint http:\/\/127\.0\.0\.1:1 did not answer/);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('replays the real transactions of a block range (impersonating their senders) before and after', async () => {
    const r = await runSimulate({
      config: { ...forkConfig, replay: [] },
      projectDir: EXAMPLE_DIR,
      stateDir: TEST_STATE_DIR,
      patch: 'fix-flash-deposit',
      forkUrl: live.rpcUrl,
      replayBlocks: [historyFrom, historyTo],
    });
    expect(r.replay.transactions).toBe(4);
    expect(r.replay.differences).toEqual([]);
    expect(r.gas.map((g) => g.label)).toEqual([
      expect.stringMatching(/^block \d+ tx 0x[0-9a-f]{8}… 0x[0-9a-fA-F]{6}… → token$/),
      expect.stringMatching(/→ token$/),
      expect.stringMatching(/→ vault$/),
      expect.stringMatching(/→ vault$/),
    ]);
    expect(r.verdict).toBe('pass');
  });
});
