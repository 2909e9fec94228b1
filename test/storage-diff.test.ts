/**
 * Naming storage slots from a real transaction trace: plain variables from the layout, mapping entries
 * (nested ones included) from the KECCAK256 preimages the transaction itself computed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageLayoutOf } from '../src/analyze/upgrades.js';
import { findContract } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { type Clients, connect, localAccount } from '../src/chain/clients.js';
import { abiOf, deploy } from '../src/chain/deploy.js';
import {
  classifyChanges,
  erc7201Slot,
  tracePreimages,
  traceStorageChanges,
} from '../src/simulate/storage-diff.js';
import { loadExample } from './helpers/example.js';

let anvil: Anvil;
let clients: Clients;
let project: Project;
let token: `0x${string}`;

beforeAll(async () => {
  project = await loadExample();
  anvil = await startAnvil({ args: ['--steps-tracing'] });
  clients = await connect(anvil.rpcUrl);
  token = await deploy(clients.wallet(localAccount(0)), clients.public, findContract(project, 'TestUSD'));
}, 60_000);

afterAll(async () => {
  await anvil?.stop();
});

async function traced(functionName: string, args: unknown[], from = 0) {
  const hash = await clients
    .wallet(localAccount(from))
    .writeContract({ address: token, abi: abiOf(findContract(project, 'TestUSD')), functionName, args });
  await clients.public.waitForTransactionReceipt({ hash });
  const layout = storageLayoutOf(findContract(project, 'TestUSD'));
  return classifyChanges(
    await traceStorageChanges(clients.public, hash, token),
    layout,
    layout,
    [],
    await tracePreimages(clients.public, hash),
  );
}

describe('storage diff naming', () => {
  it('names a mapping entry by its key and a plain variable by its name', async () => {
    const user = localAccount(1).address.toLowerCase();
    const changes = await traced('mint', [localAccount(1).address, 5n]);
    expect(changes.map((c) => c.variable).sort()).toEqual([`ERC20._balances[${user}]`, 'ERC20._totalSupply']);
    expect(changes.every((c) => BigInt(c.after) === 5n)).toBe(true);
  });

  it('names a nested mapping entry (allowances[owner][spender])', async () => {
    const owner = localAccount(1).address.toLowerCase();
    const spender = localAccount(2).address.toLowerCase();
    const changes = await traced('approve', [localAccount(2).address, 7n], 1);
    expect(changes.map((c) => c.variable)).toEqual([`ERC20._allowances[${owner}][${spender}]`]);
    // Existing state (the layout of the same contract): a write to it is not "expected" for an upgrade.
    expect(changes[0]?.expected).toBe(false);
  });

  it('computes ERC-7201 namespace slots as the standard defines them', () => {
    // OpenZeppelin's published constant for its ERC20 namespace.
    expect(erc7201Slot('openzeppelin.storage.ERC20')).toBe(
      0x52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00n,
    );
  });
});
