/**
 * The code at an address against the audited build, on a real anvil: immutables (UUPS `__self`) and the
 * CBOR metadata are masked; any other byte that differs is reported with its offset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiled, findContract } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { compareRuntime } from '../src/chain/bytecode.js';
import { type Clients, connect, localAccount } from '../src/chain/clients.js';
import { deploy } from '../src/chain/deploy.js';
import { loadExample } from './helpers/example.js';

let anvil: Anvil;
let clients: Clients;
let project: Project;

beforeAll(async () => {
  project = await loadExample();
  anvil = await startAnvil();
  clients = await connect(anvil.rpcUrl);
}, 60_000);

afterAll(async () => {
  await anvil?.stop();
});

const deployed = async (name: string) => {
  const address = await deploy(clients.wallet(localAccount(0)), clients.public, findContract(project, name));
  return (await clients.public.getCode({ address })) as `0x${string}`;
};

describe('runtime bytecode vs the audited build', () => {
  it('matches a UUPS implementation once its immutable (__self) is masked', async () => {
    const build = compiled(findContract(project, 'RewardsV2')).evm.deployedBytecode;
    expect(Object.keys(build.immutableReferences ?? {}).length).toBeGreaterThan(0);
    const code = await deployed('RewardsV2');
    expect(compareRuntime(code, build).match).toBe(true);
    // Without the mask the deployed address written into the code would differ.
    expect(compareRuntime(code, { ...build, immutableReferences: {} }).match).toBe(false);
  });

  it('names the first differing byte when another implementation is deployed', async () => {
    const code = await deployed('VaultV2AccessDropped');
    const result = compareRuntime(code, compiled(findContract(project, 'VaultV2')).evm.deployedBytecode);
    expect(result.match).toBe(false);
    expect(result.firstDifference).toBeGreaterThanOrEqual(0);
  });

  it('sees no runtime difference for a constructor-only change (the lock lives in the constructor)', async () => {
    // VaultV2Initializable differs from VaultV2 only in its constructor: same runtime code, other metadata.
    const code = await deployed('VaultV2Initializable');
    expect(compareRuntime(code, compiled(findContract(project, 'VaultV2')).evm.deployedBytecode).match).toBe(
      true,
    );
  });
});
