/**
 * The upgrade through the real governance path on a real anvil, with the real Safe 1.4.1 and OpenZeppelin
 * v5 TimelockController / ProxyAdmin compiled from their npm sources: proxy → ProxyAdmin → timelock (2 days)
 * → Safe (2-of-3). Hashes people sign are recomputed locally and must equal the contracts'.
 */

import {
  type Abi,
  type Account,
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseUnits,
  toHex,
  zeroHash,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectErrorsAbi } from '../src/build/errors-abi.js';
import { findContract } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { type Clients, connect, localAccount } from '../src/chain/clients.js';
import { abiOf, deploy } from '../src/chain/deploy.js';
import { introspectProxy } from '../src/chain/proxy.js';
import { SAFE_ABI, TIMELOCK_ABI } from '../src/core/abis.js';
import { safeTx, safeTxFields, safeTxHash } from '../src/govern/safe.js';
import { operation, operationBatchId, operationId } from '../src/govern/timelock.js';
import { upgradeThroughGovernance } from '../src/simulate/governance.js';
import { deployGovernance, deployTransparentProxy } from '../src/system/contracts.js';
import type { Governance } from '../src/system/model.js';
import { loadExample } from './helpers/example.js';

const TWO_DAYS = 2n * 24n * 3600n;
let anvil: Anvil;
let project: Project;
let clients: Clients;
let gov: Governance;
let errorsAbi: Abi;
let system: { token: Address; proxy: Address; proxyAdmin: Address; v1: Address };
let snapshot: Hex;
const deployer = localAccount(0);
const owners = [localAccount(1), localAccount(2), localAccount(3)];
const guardian = localAccount(4);
const outsider = localAccount(5);
const c = (name: string) => findContract(project, name);

async function send(
  account: Account,
  address: Address,
  contract: string,
  functionName: string,
  args: unknown[] = [],
) {
  const hash = await clients
    .wallet(account)
    .writeContract({ address, abi: abiOf(c(contract)), functionName, args });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
}

const implementationOf = async (proxy: Address) =>
  (await introspectProxy(clients.public, proxy)).implementation;

function upgradeCall(implementation: Address, data: Hex): Hex {
  return encodeFunctionData({
    abi: abiOf(c('ProxyAdmin')),
    functionName: 'upgradeAndCall',
    args: [system.proxy, implementation, data],
  });
}

beforeAll(async () => {
  project = await loadExample();
  errorsAbi = projectErrorsAbi(project);
  anvil = await startAnvil();
  clients = await connect(anvil.rpcUrl);
  gov = await deployGovernance(clients, project, deployer, { owners, threshold: 2, minDelay: TWO_DAYS });
  const wallet = clients.wallet(deployer);
  const token = await deploy(wallet, clients.public, c('TestUSD'));
  const v1 = await deploy(wallet, clients.public, c('VaultV1'));
  const initData = encodeFunctionData({
    abi: abiOf(c('VaultV1')),
    functionName: 'initialize',
    args: [token, gov.timelock, guardian.address],
  });
  const { proxy, proxyAdmin } = await deployTransparentProxy(clients, project, deployer, {
    implementation: v1,
    initData,
    owner: gov.timelock,
  });
  system = { token, proxy, proxyAdmin, v1 };
  const depositor = localAccount(6);
  await send(deployer, token, 'TestUSD', 'mint', [depositor.address, parseUnits('60000', 6)]);
  await send(depositor, token, 'TestUSD', 'approve', [proxy, parseUnits('60000', 6)]);
  await send(depositor, proxy, 'VaultV1', 'deposit', [parseUnits('60000', 6), depositor.address]);
  snapshot = await clients.test.snapshot();
}, 180_000);

afterAll(async () => {
  await anvil?.stop();
});

async function fresh() {
  await clients.test.revert({ id: snapshot });
  snapshot = await clients.test.snapshot();
}

describe('proxy introspection', () => {
  it('resolves who can upgrade: proxy → ProxyAdmin → timelock (2 days) → Safe 2-of-3', async () => {
    const info = await introspectProxy(clients.public, system.proxy);
    expect(info).toMatchObject({ kind: 'transparent', implementation: system.v1, admin: system.proxyAdmin });
    expect(info.upgrader?.role).toBe('proxy-admin');
    const timelock = info.upgrader?.controlledBy;
    expect(timelock).toMatchObject({ role: 'timelock', address: gov.timelock, minDelay: TWO_DAYS });
    expect(timelock?.proposers).toHaveLength(1);
    expect(timelock?.proposers?.[0]).toMatchObject({ role: 'safe', address: gov.safe, threshold: 2n });
    expect(new Set(timelock?.proposers?.[0]?.owners)).toEqual(new Set(owners.map((o) => o.address)));
  });
});

describe('proxy kinds', () => {
  it('detects a UUPS proxy (proxiableUUID) and a beacon proxy (beacon slot), with who can upgrade each', async () => {
    const wallet = clients.wallet(deployer);
    const rewardsImpl = await deploy(wallet, clients.public, c('RewardsV1'));
    const init = encodeFunctionData({
      abi: abiOf(c('RewardsV1')),
      functionName: 'initialize',
      args: [system.proxy, system.token, gov.timelock],
    });
    const uups = await deploy(wallet, clients.public, c('ERC1967Proxy'), [rewardsImpl, init]);
    const u = await introspectProxy(clients.public, uups);
    expect(u).toMatchObject({ kind: 'uups', implementation: rewardsImpl });
    expect(u.upgrader).toMatchObject({ role: 'timelock', address: gov.timelock });

    const beacon = await deploy(wallet, clients.public, c('UpgradeableBeacon'), [system.v1, gov.timelock]);
    const beaconProxy = await deploy(wallet, clients.public, c('BeaconProxy'), [beacon, '0x']);
    const b = await introspectProxy(clients.public, beaconProxy);
    expect(b).toMatchObject({ kind: 'beacon', beacon, implementation: system.v1 });
    expect(b.upgrader).toMatchObject({ role: 'timelock', address: gov.timelock });
  });
});

describe('hashes people sign, recomputed locally', () => {
  it('the SafeTx hash equals the deployed Safe 1.4.1 getTransactionHash, and is bound to chain and Safe', async () => {
    const tx = safeTx(gov.timelock, '0x1234', 7n);
    const onChain = await clients.public.readContract({
      address: gov.safe,
      abi: SAFE_ABI,
      functionName: 'getTransactionHash',
      args: [...safeTxFields(tx), tx.nonce],
    });
    expect(safeTxHash(clients.chain.id, gov.safe, tx)).toBe(onChain);
    expect(safeTxHash(clients.chain.id + 1, gov.safe, tx)).not.toBe(onChain);
    expect(safeTxHash(clients.chain.id, gov.timelock, tx)).not.toBe(onChain);
  });

  it('the timelock operation id equals TimelockController.hashOperation, predecessor and salt explicit', async () => {
    const op = operation(system.proxyAdmin, upgradeCall(system.v1, '0x'), {
      salt: keccak256(toHex('patch-1')),
      predecessor: zeroHash,
    });
    const onChain = await clients.public.readContract({
      address: gov.timelock,
      abi: TIMELOCK_ABI,
      functionName: 'hashOperation',
      args: [op.target, op.value, op.data, op.predecessor, op.salt],
    });
    expect(operationId(op)).toBe(onChain);
    expect(operationId({ ...op, salt: zeroHash })).not.toBe(onChain);
  });

  it('the batch operation id equals TimelockController.hashOperationBatch', async () => {
    const ops = [
      operation(system.proxyAdmin, upgradeCall(system.v1, '0x')),
      operation(system.token, '0x40c10f19', { value: 5n }),
    ];
    const salt = keccak256(toHex('batch'));
    const onChain = await clients.public.readContract({
      address: gov.timelock,
      abi: TIMELOCK_ABI,
      functionName: 'hashOperationBatch',
      args: [ops.map((o) => o.target), ops.map((o) => o.value), ops.map((o) => o.data), zeroHash, salt],
    });
    expect(operationBatchId(ops, zeroHash, salt)).toBe(onChain);
    expect(operationBatchId(ops.slice().reverse(), zeroHash, salt)).not.toBe(onChain);
  });
});

describe('upgrade through Safe → timelock → ProxyAdmin', () => {
  it('upgrades to the correct patch with its reinitializer, and the exploit then fails', async () => {
    await fresh();
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const init = encodeFunctionData({
      abi: abiOf(c('VaultV2')),
      functionName: 'initializeV2',
      args: [5000n],
    });
    const result = await upgradeThroughGovernance(clients, gov, {
      target: system.proxyAdmin,
      data: upgradeCall(v2, init),
      salt: keccak256(toHex('fix-flash-deposit')),
      signers: [owners[2] as Account, owners[0] as Account],
      submitter: outsider,
      errorsAbi,
    });
    expect(result.revert).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual(['safe-schedule', 'time-warp', 'safe-execute']);
    for (const s of result.steps.filter((x) => x.name !== 'time-warp'))
      expect(s.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await implementationOf(system.proxy)).toBe(v2);
    const done = await clients.public.readContract({
      address: gov.timelock,
      abi: TIMELOCK_ABI,
      functionName: 'isOperationDone',
      args: [result.operationId],
    });
    expect(done).toBe(true);
    expect(
      await clients.public.readContract({
        address: system.proxy,
        abi: abiOf(c('VaultV2')),
        functionName: 'maxFlashLoanBps',
      }),
    ).toBe(5000n);

    const attacker = localAccount(7);
    const exploit = await deploy(clients.wallet(attacker), clients.public, c('FlashDepositExploit'));
    await send(deployer, system.token, 'TestUSD', 'mint', [exploit, parseUnits('50', 6)]);
    await expect(
      clients.public.simulateContract({
        account: attacker,
        address: exploit,
        abi: abiOf(c('FlashDepositExploit')),
        functionName: 'attack',
        args: [system.proxy],
      }),
    ).rejects.toThrow();
  });

  it('fails the governance path with the decoded reason when the patch initializer reverts, leaving V1 live', async () => {
    await fresh();
    const bad = await deploy(clients.wallet(deployer), clients.public, c('VaultV2RevertingInit'));
    const init = encodeFunctionData({
      abi: abiOf(c('VaultV2')),
      functionName: 'initializeV2',
      args: [5000n],
    });
    const result = await upgradeThroughGovernance(clients, gov, {
      target: system.proxyAdmin,
      data: upgradeCall(bad, init),
      signers: owners.slice(0, 2),
      submitter: outsider,
      errorsAbi,
    });
    expect(result.ok).toBe(false);
    expect(result.revert).toEqual({ step: 'safe-execute', reason: 'InvalidBps(5000)' });
    expect(await implementationOf(system.proxy)).toBe(system.v1);
  });

  it('refuses a Safe transaction signed below the threshold', async () => {
    await fresh();
    const result = await upgradeThroughGovernance(clients, gov, {
      target: system.proxyAdmin,
      data: upgradeCall(system.v1, '0x'),
      signers: [owners[1] as Account],
      submitter: outsider,
      errorsAbi,
    });
    expect(result.ok).toBe(false);
    expect(result.revert?.step).toBe('safe-schedule');
    expect(result.revert?.reason).toMatch(/GS020|GS026/);
  });

  it('gives the guardian pause and nothing else: no upgrade, no unpause, no cancel, no schedule', async () => {
    await fresh();
    await send(guardian, system.proxy, 'VaultV1', 'pause');
    await expect(
      clients.public.simulateContract({
        account: guardian,
        address: system.proxy,
        abi: abiOf(c('VaultV1')),
        functionName: 'unpause',
      }),
    ).rejects.toThrow(/AccessControlUnauthorizedAccount/);
    await expect(
      clients.public.simulateContract({
        account: guardian,
        address: system.proxyAdmin,
        abi: abiOf(c('ProxyAdmin')),
        functionName: 'upgradeAndCall',
        args: [system.proxy, system.v1, '0x'],
      }),
    ).rejects.toThrow(/OwnableUnauthorizedAccount/);
    // A queued upgrade stays queued: the guardian holds no timelock role.
    const op = operation(system.proxyAdmin, upgradeCall(system.v1, '0x'), { salt: keccak256(toHex('g')) });
    await expect(
      clients.public.simulateContract({
        account: guardian,
        address: gov.timelock,
        abi: abiOf(c('TimelockController')),
        functionName: 'cancel',
        args: [operationId(op)],
      }),
    ).rejects.toThrow(/AccessControlUnauthorizedAccount/);
    await expect(
      clients.public.simulateContract({
        account: guardian,
        address: gov.timelock,
        abi: abiOf(c('TimelockController')),
        functionName: 'schedule',
        args: [op.target, op.value, op.data, op.predecessor, op.salt, TWO_DAYS],
      }),
    ).rejects.toThrow(/AccessControlUnauthorizedAccount/);
    const safeOwners = await clients.public.readContract({
      address: gov.safe,
      abi: SAFE_ABI,
      functionName: 'getOwners',
    });
    expect(safeOwners).not.toContain(guardian.address);
  });
});
