/**
 * `patchgate init` against a real anvil with the example deployed (real proxies, ProxyAdmin, TimelockController,
 * Safe): live addresses given by name, in a synthetic Foundry broadcast file and in a hardhat-deploy folder made
 * from those addresses. The proxy kind, the build the implementation runs and the governance come from the chain.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { exampleCopy, init, summaryOf } from './helpers/init.js';
import { type LiveExample, startLiveExample } from './helpers/live.js';

let live: LiveExample;
let vault: { proxy: string; implementation: string };
let rewards: { proxy: string; implementation: string };

beforeAll(async () => {
  live = await startLiveExample();
  const of = (name: string) => {
    const c = live.system.contracts.get(name);
    if (!c?.implementation) throw new Error(`${name} not deployed behind a proxy`);
    return { proxy: c.address, implementation: c.implementation };
  };
  vault = of('vault');
  rewards = of('rewards');
}, 180_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('patchgate init on a live chain', () => {
  it('reads each proxy’s kind, the build it runs and its governance, and writes them as live', async () => {
    const dir = exampleCopy();
    const args = ['--yes', '--rpc', live.anvil.rpcUrl, '--address', `vault=${vault.proxy}`];
    const s = summaryOf(init(dir, ...args, '--address', `rewards=${rewards.proxy}`, '--format', 'json'));
    const byName = Object.fromEntries(s.live.map((l) => [l.name, l]));
    expect(byName.vault).toMatchObject({
      address: vault.proxy,
      kind: 'transparent',
      implementation: vault.implementation,
      contract: { reference: 'src/VaultV1.sol:VaultV1', matchedBy: 'bytecode' },
    });
    expect(byName.rewards).toMatchObject({
      kind: 'uups',
      implementation: rewards.implementation,
      contract: { reference: 'src/RewardsV1.sol:RewardsV1', matchedBy: 'bytecode' },
    });
    const governance = byName.vault?.governance;
    expect(governance?.proxyAdmin).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(governance?.timelock?.address).toBe(live.system.governance.timelock);
    expect(governance?.safe).toMatchObject({ address: live.system.governance.safe, threshold: 2 });
    expect(governance?.safe?.owners).toHaveLength(3);
    expect(byName.rewards?.governance?.timelock?.address).toBe(live.system.governance.timelock);
    expect(byName.vault?.upgrade).toMatch(/^ProxyAdmin 0x[0-9a-fA-F]{40} ← TimelockController .* ← Safe /);

    const file = join(dir, 'patchgate.config.json');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`// upgraded by: ${byName.vault?.upgrade}`);
    const { config } = await loadConfig({ searchDir: dir });
    expect(config.contracts.vault).toEqual({ kind: 'transparent', reference: 'src/VaultV1.sol:VaultV1' });
    expect(config.contracts.rewards).toEqual({ kind: 'uups', reference: 'src/RewardsV1.sol:RewardsV1' });
    expect(config.contracts.VaultV1).toBeUndefined(); // the live name took the build's entry
    expect(config.contracts.VaultV2?.reference).toBe('src/VaultV2.sol:VaultV2');
    expect(config.live).toEqual({ vault: { address: vault.proxy }, rewards: { address: rewards.proxy } });

    // The same run again: nothing new, not a byte changed.
    const again = init(dir, ...args, '--address', `rewards=${rewards.proxy}`);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('patchgate.config.json unchanged: nothing new to add');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('adds a live address to a config written without one, next to the contract under its existing name', async () => {
    const dir = exampleCopy();
    expect(init(dir, '--yes').code).toBe(0);
    const s = summaryOf(
      init(dir, '--yes', '--rpc', live.anvil.rpcUrl, '--address', `vault=${vault.proxy}`, '--format', 'json'),
    );
    expect(s.added).toEqual(['live.VaultV1']);
    const { config } = await loadConfig({ searchDir: dir });
    expect(config.live).toEqual({ VaultV1: { address: vault.proxy } });
    expect(config.contracts.VaultV1?.reference).toBe('src/VaultV1.sol:VaultV1');
  });

  it('takes the proxies from a Foundry broadcast file, and without --rpc from its names alone', async () => {
    const dir = exampleCopy();
    const run = join(dir, 'broadcast', 'Deploy.s.sol', String(live.clients.chain.id));
    mkdirSync(run, { recursive: true });
    const create = (contractName: string, contractAddress: string, args: string[] | null = null) => ({
      hash: `0x${'00'.repeat(32)}`,
      transactionType: 'CREATE',
      contractName,
      contractAddress,
      function: null,
      arguments: args,
      transaction: {},
      additionalContracts: [],
      isFixedGasLimit: false,
    });
    const broadcast = {
      transactions: [
        create('VaultV1', vault.implementation),
        create('TransparentUpgradeableProxy', vault.proxy, [
          vault.implementation,
          live.system.governance.timelock,
          '0x',
        ]),
        create('RewardsV1', rewards.implementation),
        create('ERC1967Proxy', rewards.proxy, [rewards.implementation, '0x']),
      ],
      receipts: [],
      libraries: [],
      pending: [],
      returns: {},
      timestamp: 1,
      chain: live.clients.chain.id,
    };
    writeFileSync(join(run, 'run-latest.json'), JSON.stringify(broadcast, null, 2));

    const offline = summaryOf(init(dir, '--yes', '--format', 'json'));
    expect(offline.live.map((l) => [l.name, l.kind, l.contract?.matchedBy])).toEqual([
      ['vault', 'transparent', 'name'],
      ['rewards', undefined, 'name'],
    ]);
    const { config } = await loadConfig({ searchDir: dir });
    expect(config.live?.vault?.address).toBe(vault.proxy);
    // The record says ERC1967Proxy, which any kind uses: the kind comes from the build (UUPSUpgradeable).
    expect(config.contracts.rewards).toEqual({ kind: 'uups', reference: 'src/RewardsV1.sol:RewardsV1' });

    const chain = summaryOf(init(dir, '--yes', '--force', '--rpc', live.anvil.rpcUrl, '--format', 'json'));
    expect(chain.live.map((l) => [l.name, l.kind, l.contract?.matchedBy])).toEqual([
      ['vault', 'transparent', 'bytecode'],
      ['rewards', 'uups', 'bytecode'],
    ]);
    expect(chain.outcome).toBe('unchanged');
  });

  it('takes the proxies from a hardhat-deploy deployments folder', async () => {
    const dir = exampleCopy();
    const network = join(dir, 'deployments', 'localhost');
    mkdirSync(network, { recursive: true });
    writeFileSync(join(network, '.chainId'), String(live.clients.chain.id));
    const metadata = (file: string, name: string) =>
      JSON.stringify({ settings: { compilationTarget: { [file]: name } } });
    const records: Record<string, object> = {
      Vault: { address: vault.proxy, abi: [], implementation: vault.implementation },
      Vault_Implementation: {
        address: vault.implementation,
        abi: [],
        metadata: metadata('src/VaultV1.sol', 'VaultV1'),
      },
      Vault_Proxy: {
        address: vault.proxy,
        abi: [],
        metadata: metadata('x/P.sol', 'TransparentUpgradeableProxy'),
      },
      Rewards: { address: rewards.proxy, abi: [], implementation: rewards.implementation },
      DefaultProxyAdmin: { address: live.system.governance.timelock, abi: [] },
    };
    for (const [name, json] of Object.entries(records))
      writeFileSync(join(network, `${name}.json`), JSON.stringify(json, null, 2));

    const s = summaryOf(init(dir, '--yes', '--rpc', live.anvil.rpcUrl, '--format', 'json'));
    // By file name; DefaultProxyAdmin (no implementation) and the _Implementation/_Proxy records are not live entries.
    expect(s.live.map((l) => [l.name, l.kind, l.contract?.reference])).toEqual([
      ['rewards', 'uups', 'src/RewardsV1.sol:RewardsV1'],
      ['vault', 'transparent', 'src/VaultV1.sol:VaultV1'],
    ]);
    const { config } = await loadConfig({ searchDir: dir });
    expect(config.live).toEqual({ vault: { address: vault.proxy }, rewards: { address: rewards.proxy } });
  });

  it('exits 2 naming an address that has no code on the chain', () => {
    const dir = exampleCopy();
    const empty = '0x000000000000000000000000000000000000dEaD';
    const r = init(dir, '--yes', '--rpc', live.anvil.rpcUrl, '--address', `vault=${empty}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`vault ${empty} (from --address) has no code on this chain`);
  });
});
