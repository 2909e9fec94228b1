/**
 * Attacks on the watch's governance guard, on the live example (real Safe 1.4.1, TimelockController, ProxyAdmin,
 * the vault's AccessControl): an attacker holding the Safe's signatures tries to slip a role grant past the
 * `governance` rule by hiding it in a batch among the calls of a patch the store planned, or by following it with
 * a forged `CallExecuted` that names a planned operation; an attacker holding the canceller key (the key the watcher keeps online to cancel) tries to do anything else with it.
 */

import {
  type Abi,
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  parseAbi,
  toHex,
  zeroHash,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectErrorsAbi } from '../../src/build/errors-abi.js';
import { findContract } from '../../src/build/find.js';
import { localAccount } from '../../src/chain/clients.js';
import { abiOf } from '../../src/chain/deploy.js';
import { errorOf } from '../../src/core/errors.fixture.js';
import { describeRevert, revertData } from '../../src/core/revert.js';
import { timelockCall } from '../../src/govern/plan.js';
import { cancelOperation } from '../../src/lifecycle/cancel-operation.js';
import { pauseTarget } from '../../src/lifecycle/pause.js';
import { plannedOperations } from '../../src/store/planned-operations.js';
import { accountFor, type DeployedContract } from '../../src/system/model.js';
import { governanceRule } from '../../src/watch/rules/governance.js';
import { upgradeRule } from '../../src/watch/rules/upgrades.js';
import { blockOf, deployRoleAdminHarness, logIndexes, scheduleThroughSafe } from '../helpers/governance.js';
import { type LiveExample, lifecycleOn, proposedFix, startLiveExample } from '../helpers/live.js';

let live: LiveExample;
let snapshot: Hex;
let timelock: Address;
let vault: DeployedContract;
let proxyAdmin: Address;
let errorsAbi: Abi;
const attacker = localAccount(8).address;
const canceller = () => accountFor('canceller') as LocalAccount;
const role = (name: string) => keccak256(toHex(name));

beforeAll(async () => {
  live = await startLiveExample();
  timelock = live.system.governance.timelock;
  vault = live.system.contracts.get('vault') as DeployedContract;
  proxyAdmin = vault.proxyAdmin as Address;
  errorsAbi = projectErrorsAbi(live.project);
  snapshot = await live.clients.test.snapshot();
}, 240_000);

afterAll(async () => {
  await live?.anvil.stop();
});

async function fresh() {
  await live.clients.test.revert({ id: snapshot });
  snapshot = await live.clients.test.snapshot();
}

const abi = (name: string) => abiOf(findContract(live.project, name));

/** The decoded revert of `functionName` on `address` called by `account`, or `ran` if it would not revert. */
async function attempt(
  account: LocalAccount,
  address: Address,
  contract: string,
  functionName: string,
  args: unknown[],
) {
  try {
    await live.clients.public.simulateContract({ account, address, abi: abi(contract), functionName, args });
    return 'ran';
  } catch (e) {
    return describeRevert(revertData(e), errorsAbi);
  }
}

describe('watch: a role change hidden in a batch', () => {
  it('a role granted via a batch operation hidden among known calls', async () => {
    await fresh();
    const lc = await lifecycleOn(live);
    const digest = await proposedFix(lc);
    const patch = await lc.store.get(digest as Hex);
    if (!patch?.plan) throw new Error('propose made no plan');
    const known = await plannedOperations(lc.store);
    expect(known.size).toBe(1);
    // The patch's own upgrade call, with its predecessor and salt, and one more call: DEFAULT_ADMIN_ROLE to the attacker.
    const grant = {
      target: vault.address,
      data: encodeFunctionData({
        abi: abi('VaultV1'),
        functionName: 'grantRole',
        args: [zeroHash, attacker],
      }),
    };
    const batch = await scheduleThroughSafe(
      live,
      [timelockCall(patch.record, patch.plan), grant],
      patch.plan.salt,
      patch.plan.predecessor,
    );
    expect(known.has(batch.id)).toBe(false);
    const rule = governanceRule({
      client: live.clients.public,
      timelock,
      safe: live.system.governance.safe,
      proxyAdmins: [proxyAdmin],
      contracts: [{ address: vault.address, name: 'vault', abi: vault.abi }],
      knownOperations: () => plannedOperations(lc.store),
    });
    const tx = batch.receipt.transactionHash;
    const scheduled = logIndexes(
      batch.receipt,
      timelock,
      'CallScheduled(bytes32,uint256,address,uint256,bytes,bytes32,uint256)',
    );
    expect(scheduled).toHaveLength(2);
    const onSchedule = await rule.evaluate(await blockOf(live, batch.receipt));
    // One finding for the batch (not one per call), keyed by its first CallScheduled, naming the hidden grant.
    expect(onSchedule.map((f) => [f.id, f.severity, f.key, f.operation, f.contract])).toEqual([
      ['watch-unproposed-operation', 'critical', `${tx}:${scheduled[0]}`, batch.id, vault.address],
    ]);
    expect(onSchedule[0]?.message).toContain(
      `call 1: vault ${vault.address}.grantRole(${zeroHash}, ${attacker})`,
    );

    const executed = await batch.execute();
    const etx = executed.transactionHash;
    const [granted] = logIndexes(executed, vault.address, 'RoleGranted(bytes32,address,address)');
    const onExecute = await rule.evaluate(await blockOf(live, executed));
    expect(onExecute.map((f) => [f.id, f.severity, f.key, f.contract])).toEqual([
      ['watch-role-changed', 'high', `${etx}:${granted}`, vault.address],
    ]);
    expect(onExecute[0]?.message).toBe(
      `vault ${vault.address}: RoleGranted: DEFAULT_ADMIN_ROLE granted to ${attacker} (by ${timelock}), in tx ${etx} — made by timelock operation ${batch.id}, which no patch planned`,
    );
  });
});

describe('watch: a forged explanation', () => {
  it('a role grant followed by a forged CallExecuted naming a planned operation, from a contract that is not the timelock', async () => {
    await fresh();
    // The attacker already holds DEFAULT_ADMIN_ROLE on a protected AccessControl contract and a planned id is
    // public (the store's plans, the log): the grant is followed, in the same call, by CallExecuted(plannedId).
    const admin = localAccount(7);
    const harness = await deployRoleAdminHarness(live, admin);
    const plannedId = role('a planned operation');
    const hash = await live.clients.wallet(admin).writeContract({
      address: harness,
      abi: parseAbi(['function grantRoleAndForge(bytes32 role, address account, bytes32 plannedId)']),
      functionName: 'grantRoleAndForge',
      args: [role('GUARDIAN_ROLE'), attacker, plannedId],
    });
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash });
    const [granted] = logIndexes(receipt, harness, 'RoleGranted(bytes32,address,address)');
    const [forged] = logIndexes(receipt, harness, 'CallExecuted(bytes32,uint256,address,uint256,bytes)');
    expect(forged).toBe((granted as number) + 1);
    const rule = governanceRule({
      client: live.clients.public,
      timelock,
      proxyAdmins: [],
      contracts: [{ address: harness, name: 'harness' }],
      knownOperations: async () => new Set([plannedId]),
    });
    const found = await rule.evaluate(await blockOf(live, receipt));
    expect(found.map((f) => [f.id, f.severity, f.key, f.contract])).toEqual([
      ['watch-role-changed', 'high', `${hash}:${granted}`, harness],
    ]);
    expect(found[0]?.message).toBe(
      `harness ${harness}: RoleGranted: GUARDIAN_ROLE granted to ${attacker} (by ${admin.address}), in tx ${hash} — not made by a timelock operation any patch planned`,
    );
  });
});

describe('watch: the canceller key', () => {
  it('a canceller key used to try anything but cancel', async () => {
    await fresh();
    const key = canceller();
    const me = key.address;
    const op = { target: proxyAdmin, value: 0n, data: '0x' as Hex, predecessor: zeroHash, salt: role('x') };
    const unauthorized = (r: string) => `AccessControlUnauthorizedAccount("${me}", "${role(r)}")`;
    // Propose, execute, administer the timelock.
    expect(
      await attempt(key, timelock, 'TimelockController', 'schedule', [
        op.target,
        op.value,
        op.data,
        op.predecessor,
        op.salt,
        3600n,
      ]),
    ).toBe(unauthorized('PROPOSER_ROLE'));
    expect(
      await attempt(key, timelock, 'TimelockController', 'execute', [
        op.target,
        op.value,
        op.data,
        op.predecessor,
        op.salt,
      ]),
    ).toBe(unauthorized('EXECUTOR_ROLE'));
    expect(await attempt(key, timelock, 'TimelockController', 'grantRole', [role('PROPOSER_ROLE'), me])).toBe(
      `AccessControlUnauthorizedAccount("${me}", "${zeroHash}")`,
    );
    expect(await attempt(key, timelock, 'TimelockController', 'updateDelay', [0n])).toBe(
      `TimelockUnauthorizedCaller("${me}")`,
    );
    // Pause, unpause, administer or upgrade the vault.
    expect(await attempt(key, vault.address, 'VaultV1', 'pause', [])).toBe(unauthorized('GUARDIAN_ROLE'));
    expect(await attempt(key, vault.address, 'VaultV1', 'grantRole', [zeroHash, me])).toBe(
      `AccessControlUnauthorizedAccount("${me}", "${zeroHash}")`,
    );
    expect(
      await attempt(key, proxyAdmin, 'ProxyAdmin', 'upgradeAndCall', [vault.address, timelock, '0x']),
    ).toBe(`OwnableUnauthorizedAccount("${me}")`);
    const lc = await lifecycleOn(live);
    const pause = await errorOf(pauseTarget(lc, { address: vault.address, guardian: key }));
    expect([pause.code, pause.exitCode]).toEqual(['pause-refused', 2]);
    // The one thing it can do: cancel a pending operation (control).
    const pending = await scheduleThroughSafe(live, [{ target: proxyAdmin, data: '0x' }], role('pending'));
    expect(await cancelOperation(lc, { timelock, id: pending.id, canceller: key })).toMatchObject({
      id: pending.id,
      already: false,
    });
  });

  it('a key without CANCELLER_ROLE cannot use the automatic cancel', async () => {
    await fresh();
    const lc = await lifecycleOn(live);
    const pending = await scheduleThroughSafe(live, [{ target: proxyAdmin, data: '0x' }], role('pending'));
    const outsider = localAccount(8) as LocalAccount;
    const refused = await errorOf(cancelOperation(lc, { timelock, id: pending.id, canceller: outsider }));
    expect([refused.code, refused.exitCode]).toEqual(['cancel-refused', 2]);
    expect(refused.shortMessage).toBe(
      `${outsider.address} cannot cancel operation ${pending.id} on timelock ${timelock}: AccessControlUnauthorizedAccount("${outsider.address}", "${role('CANCELLER_ROLE')}")`,
    );
    const isPending = await live.clients.public.readContract({
      address: timelock,
      abi: abi('TimelockController'),
      functionName: 'isOperationPending',
      args: [pending.id],
    });
    expect(isPending).toBe(true);
  });
});

describe('watch upgrades rule: logs shaped to make it throw', () => {
  it('a malformed Upgraded log (the right topic, nothing to decode) emitted at the proxy does not blind the upgrades rule', async () => {
    // Code at the "proxy" that, whoever calls it, emits LOG1(Upgraded's topic) with no implementation topic — what
    // a malicious implementation's code can do from inside a real proxy. Non-strict decoding made the rule throw on
    // every attempt (and the block was passed over); now the log is dropped and the block judged.
    const upgraded = keccak256(toHex('Upgraded(address)'));
    const proxy = getAddress(`0x${'5a'.repeat(20)}`);
    await live.clients.test.setCode({ address: proxy, bytecode: `0x7f${upgraded.slice(2)}60006000a100` });
    await live.clients.test.setStorageAt({
      address: proxy,
      index: '0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc', // ERC-1967 implementation
      value: `0x${'00'.repeat(12)}${'6b'.repeat(20)}`,
    });
    const hash = await live.clients.wallet(accountFor('attacker')).sendTransaction({ to: proxy, data: '0x' });
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash });
    expect(receipt.logs.map((l) => l.topics)).toEqual([[upgraded]]);
    const rule = upgradeRule({
      client: live.clients.public,
      chainId: live.clients.chain.id,
      proxies: [proxy],
      log: async () => undefined,
    });
    const block = await live.clients.public.getBlock({ blockHash: receipt.blockHash });
    expect(
      await rule.evaluate({ number: block.number, hash: block.hash, parentHash: block.parentHash }),
    ).toEqual([]);
  });
});
