/**
 * The `governance` watch rule on the live example (real Safe 1.4.1, TimelockController, ProxyAdmin, the vault's
 * AccessControl and the rewards' Ownable): every governance change made behind patchgate's back raises exactly its
 * finding — id, severity, key (`tx:logIndex`), contract, operation — and a patch through the real lifecycle raises
 * nothing.
 */

import {
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  type LocalAccount,
  parseAbi,
  toHex,
  zeroAddress,
  zeroHash,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../src/chain/clients.js';
import { TIMELOCK_ABI } from '../src/core/abis.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { cancel } from '../src/lifecycle/cancel.js';
import { cancelOperation } from '../src/lifecycle/cancel-operation.js';
import { plannedOperations } from '../src/store/planned-operations.js';
import { accountFor, type DeployedContract } from '../src/system/model.js';
import { governanceRule } from '../src/watch/rules/governance.js';
import {
  blockOf,
  deployRoleAdminHarness,
  logIndexes,
  safeExec,
  scheduleThroughSafe,
} from './helpers/governance.js';
import { executedFix, type LiveExample, lifecycleOn, proposedFix, startLiveExample } from './helpers/live.js';

const ROLES_ABI = parseAbi([
  'function grantRole(bytes32 role, address account)',
  'function revokeRole(bytes32 role, address account)',
  'function updateDelay(uint256 newDelay)',
  'function transferOwnership(address newOwner)',
]);
const SAFE_ADMIN_ABI = parseAbi([
  'function addOwnerWithThreshold(address owner, uint256 _threshold)',
  'function removeOwner(address prevOwner, address owner, uint256 _threshold)',
  'function changeThreshold(uint256 _threshold)',
  'function enableModule(address module)',
  'function disableModule(address prevModule, address module)',
  'function setGuard(address guard)',
  'function setFallbackHandler(address handler)',
]);
const PROPOSER_ROLE = keccak256(toHex('PROPOSER_ROLE'));
const GUARDIAN_ROLE = keccak256(toHex('GUARDIAN_ROLE'));
const SENTINEL: Address = '0x0000000000000000000000000000000000000001';
const ROLE_GRANTED = 'RoleGranted(bytes32,address,address)';
const ROLE_REVOKED = 'RoleRevoked(bytes32,address,address)';
const CALL_SCHEDULED = 'CallScheduled(bytes32,uint256,address,uint256,bytes,bytes32,uint256)';

let live: LiveExample;
let snapshot: Hex;
let timelock: Address;
let safe: Address;
let vault: DeployedContract;
let rewards: DeployedContract;
let proxyAdmin: Address;
const attacker = localAccount(8).address;
const guardian = localAccount(9).address;
const salt = (s: string) => keccak256(toHex(s));

beforeAll(async () => {
  live = await startLiveExample();
  ({ timelock, safe } = live.system.governance);
  vault = live.system.contracts.get('vault') as DeployedContract;
  rewards = live.system.contracts.get('rewards') as DeployedContract;
  proxyAdmin = vault.proxyAdmin as Address;
  snapshot = await live.clients.test.snapshot();
}, 240_000);

afterAll(async () => {
  await live?.anvil.stop();
});

async function fresh() {
  await live.clients.test.revert({ id: snapshot });
  snapshot = await live.clients.test.snapshot();
}

function rule(known: ReadonlySet<Hex> = new Set()) {
  return governanceRule({
    client: live.clients.public,
    timelock,
    safe,
    proxyAdmins: [proxyAdmin],
    contracts: [vault, rewards].map((c) => ({ address: c.address, name: c.name, abi: c.abi })),
    knownOperations: async () => known,
  });
}

/** What a finding says about itself, minus the message (checked separately). */
const shape = (f: {
  id: string;
  severity: string;
  key?: string;
  contract?: Address;
  tx?: Hex;
  operation?: Hex;
}) => ({
  id: f.id,
  severity: f.severity,
  key: f.key,
  contract: f.contract,
  tx: f.tx,
  ...(f.operation ? { operation: f.operation } : {}),
});

const call = (target: Address, functionName: 'grantRole' | 'revokeRole', args: readonly [Hex, Address]) => ({
  target,
  data: encodeFunctionData({ abi: ROLES_ABI, functionName, args }),
});

describe('governance rule: changes made by an operation no patch planned', () => {
  it('raises watch-unproposed-operation for the schedule and a critical watch-role-changed for a role granted on the timelock', async () => {
    await fresh();
    const op = await scheduleThroughSafe(
      live,
      [call(timelock, 'grantRole', [PROPOSER_ROLE, attacker])],
      salt('a'),
    );
    const tx = op.receipt.transactionHash;
    const [scheduledAt] = logIndexes(op.receipt, timelock, CALL_SCHEDULED);
    const onSchedule = await rule().evaluate(await blockOf(live, op.receipt));
    expect(onSchedule.map(shape)).toEqual([
      {
        id: 'watch-unproposed-operation',
        severity: 'critical',
        key: `${tx}:${scheduledAt}`,
        contract: timelock,
        tx,
        operation: op.id,
      },
    ]);
    expect(onSchedule[0]?.message).toBe(
      `timelock ${timelock} scheduled operation ${op.id} (delay 3600 s) that no patch proposed, in tx ${tx}: call 0: timelock ${timelock}.grantRole(${PROPOSER_ROLE}, ${attacker})`,
    );

    const executed = await op.execute();
    const etx = executed.transactionHash;
    const [granted] = logIndexes(executed, timelock, ROLE_GRANTED);
    const onExecute = await rule().evaluate(await blockOf(live, executed));
    expect(onExecute.map(shape)).toEqual([
      {
        id: 'watch-role-changed',
        severity: 'critical',
        key: `${etx}:${granted}`,
        contract: timelock,
        tx: etx,
      },
    ]);
    expect(onExecute[0]?.message).toBe(
      `timelock ${timelock}: RoleGranted: PROPOSER_ROLE granted to ${attacker} (by ${timelock}), in tx ${etx} — made by timelock operation ${op.id}, which no patch planned`,
    );
  });

  it("raises a high watch-role-changed for the vault's GUARDIAN_ROLE revoked, and names the vault as the operation's contract", async () => {
    await fresh();
    const op = await scheduleThroughSafe(
      live,
      [call(vault.address, 'revokeRole', [GUARDIAN_ROLE, guardian])],
      salt('b'),
    );
    const onSchedule = await rule().evaluate(await blockOf(live, op.receipt));
    expect(onSchedule.map((f) => [f.id, f.contract, f.operation])).toEqual([
      ['watch-unproposed-operation', vault.address, op.id],
    ]);
    expect(onSchedule[0]?.message).toContain(
      `call 0: vault ${vault.address}.revokeRole(${GUARDIAN_ROLE}, ${guardian})`,
    );
    const executed = await op.execute();
    const etx = executed.transactionHash;
    const [revoked] = logIndexes(executed, vault.address, ROLE_REVOKED);
    const found = await rule().evaluate(await blockOf(live, executed));
    expect(found.map(shape)).toEqual([
      {
        id: 'watch-role-changed',
        severity: 'high',
        key: `${etx}:${revoked}`,
        contract: vault.address,
        tx: etx,
      },
    ]);
    expect(found[0]?.message).toContain(`GUARDIAN_ROLE revoked from ${guardian} (by ${timelock})`);
  });

  it('raises a critical watch-owner-changed for the ProxyAdmin and for the Ownable rewards, one per event', async () => {
    await fresh();
    const transfer = (target: Address) => ({
      target,
      data: encodeFunctionData({ abi: ROLES_ABI, functionName: 'transferOwnership', args: [attacker] }),
    });
    const op = await scheduleThroughSafe(live, [transfer(proxyAdmin), transfer(rewards.address)], salt('c'));
    const onSchedule = await rule().evaluate(await blockOf(live, op.receipt));
    // A batch of two calls is one operation: one finding, both calls described, the protected rewards its contract.
    expect(onSchedule.map((f) => [f.id, f.contract, f.operation])).toEqual([
      ['watch-unproposed-operation', rewards.address, op.id],
    ]);
    expect(onSchedule[0]?.message).toContain(
      `call 0: ProxyAdmin ${proxyAdmin}.transferOwnership(${attacker}); call 1: rewards ${rewards.address}.transferOwnership(${attacker})`,
    );
    const executed = await op.execute();
    const etx = executed.transactionHash;
    const signature = 'OwnershipTransferred(address,address)';
    const [onAdmin] = logIndexes(executed, proxyAdmin, signature);
    const [onRewards] = logIndexes(executed, rewards.address, signature);
    expect((await rule().evaluate(await blockOf(live, executed))).map(shape)).toEqual([
      {
        id: 'watch-owner-changed',
        severity: 'critical',
        key: `${etx}:${onAdmin}`,
        contract: proxyAdmin,
        tx: etx,
      },
      {
        id: 'watch-owner-changed',
        severity: 'critical',
        key: `${etx}:${onRewards}`,
        contract: rewards.address,
        tx: etx,
      },
    ]);
  });

  it("raises watch-timelock-delay-changed for the timelock's minimum delay cut to 60 s", async () => {
    await fresh();
    const data = encodeFunctionData({ abi: ROLES_ABI, functionName: 'updateDelay', args: [60n] });
    const op = await scheduleThroughSafe(live, [{ target: timelock, data }], salt('d'));
    const executed = await op.execute();
    const etx = executed.transactionHash;
    const [changed] = logIndexes(executed, timelock, 'MinDelayChange(uint256,uint256)');
    const found = await rule().evaluate(await blockOf(live, executed));
    expect(found.map(shape)).toEqual([
      {
        id: 'watch-timelock-delay-changed',
        severity: 'high',
        key: `${etx}:${changed}`,
        contract: timelock,
        tx: etx,
      },
    ]);
    expect(found[0]?.message).toContain('minimum delay changed from 3600 s to 60 s');
  });
});

describe('governance rule: a role admin changed', () => {
  it('raises a high watch-role-changed for RoleAdminChanged on a protected AccessControl contract', async () => {
    await fresh();
    // The example exposes no _setRoleAdmin: a protected OpenZeppelin AccessControl contract that does, compiled here.
    const admin = localAccount(7);
    const address = await deployRoleAdminHarness(live, admin);
    const hash = await live.clients.wallet(admin).writeContract({
      address,
      abi: parseAbi(['function setRoleAdmin(bytes32 role, bytes32 adminRole)']),
      functionName: 'setRoleAdmin',
      args: [GUARDIAN_ROLE, PROPOSER_ROLE],
    });
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash });
    const r = governanceRule({
      client: live.clients.public,
      timelock,
      proxyAdmins: [],
      contracts: [{ address, name: 'harness' }],
      knownOperations: async () => new Set(),
    });
    const [changed] = logIndexes(receipt, address, 'RoleAdminChanged(bytes32,bytes32,bytes32)');
    const found = await r.evaluate(await blockOf(live, receipt));
    expect(found.map(shape)).toEqual([
      { id: 'watch-role-changed', severity: 'high', key: `${hash}:${changed}`, contract: address, tx: hash },
    ]);
    expect(found[0]?.message).toBe(
      `harness ${address}: RoleAdminChanged: admin role of GUARDIAN_ROLE changed from DEFAULT_ADMIN_ROLE to PROPOSER_ROLE, in tx ${hash} — not made by a timelock operation any patch planned`,
    );
  });
});

describe('governance rule: the Safe', () => {
  const safeCases: [string, () => Hex, string, 'high' | 'critical', string][] = [
    [
      'AddedOwner',
      () =>
        encodeFunctionData({
          abi: SAFE_ADMIN_ABI,
          functionName: 'addOwnerWithThreshold',
          args: [attacker, 2n],
        }),
      'AddedOwner(address)',
      'high',
      `owner ${attacker} added`,
    ],
    [
      'ChangedThreshold',
      () => encodeFunctionData({ abi: SAFE_ADMIN_ABI, functionName: 'changeThreshold', args: [1n] }),
      'ChangedThreshold(uint256)',
      'high',
      'threshold changed to 1',
    ],
    [
      'EnabledModule',
      () => encodeFunctionData({ abi: SAFE_ADMIN_ABI, functionName: 'enableModule', args: [attacker] }),
      'EnabledModule(address)',
      'critical',
      `module ${attacker} enabled`,
    ],
    [
      'ChangedGuard',
      () => encodeFunctionData({ abi: SAFE_ADMIN_ABI, functionName: 'setGuard', args: [zeroAddress] }),
      'ChangedGuard(address)',
      'high',
      `transaction guard set to ${zeroAddress}`,
    ],
    [
      'ChangedFallbackHandler',
      () => encodeFunctionData({ abi: SAFE_ADMIN_ABI, functionName: 'setFallbackHandler', args: [attacker] }),
      'ChangedFallbackHandler(address)',
      'high',
      `fallback handler set to ${attacker}`,
    ],
  ];
  for (const [name, data, signature, severity, what] of safeCases) {
    it(`raises watch-safe-changed (${severity}) for ${name}`, async () => {
      await fresh();
      const receipt = await safeExec(live, safe, data());
      const tx = receipt.transactionHash;
      const [index] = logIndexes(receipt, safe, signature);
      const found = await rule().evaluate(await blockOf(live, receipt));
      expect(found.map(shape)).toEqual([
        { id: 'watch-safe-changed', severity, key: `${tx}:${index}`, contract: safe, tx },
      ]);
      expect(found[0]?.message).toContain(`Safe ${safe}: ${name}: ${what}`);
    });
  }

  it('raises watch-safe-changed for RemovedOwner and DisabledModule, each in its block', async () => {
    await fresh();
    await safeExec(live, safe, safeCases[0]?.[1]() as Hex);
    await safeExec(live, safe, safeCases[2]?.[1]() as Hex);
    const removed = await safeExec(
      live,
      safe,
      encodeFunctionData({
        abi: SAFE_ADMIN_ABI,
        functionName: 'removeOwner',
        args: [SENTINEL, attacker, 2n],
      }),
    );
    const disabled = await safeExec(
      live,
      safe,
      encodeFunctionData({ abi: SAFE_ADMIN_ABI, functionName: 'disableModule', args: [SENTINEL, attacker] }),
    );
    for (const [receipt, signature, what] of [
      [removed, 'RemovedOwner(address)', `RemovedOwner: owner ${attacker} removed`],
      [disabled, 'DisabledModule(address)', `DisabledModule: module ${attacker} disabled`],
    ] as const) {
      const tx = receipt.transactionHash;
      const found = await rule().evaluate(await blockOf(live, receipt));
      expect(found.map(shape)).toEqual([
        {
          id: 'watch-safe-changed',
          severity: 'high',
          key: `${tx}:${logIndexes(receipt, safe, signature)[0]}`,
          contract: safe,
          tx,
        },
      ]);
      expect(found[0]?.message).toContain(what);
    }
  });
});

describe('governance rule: planned patches', () => {
  it('a cancelled patch plans nothing: its operation, scheduled again, would be one no patch proposed', async () => {
    await fresh();
    const lc = await lifecycleOn(live);
    const digest = await proposedFix(lc);
    const known = await plannedOperations(lc.store);
    expect(known.size).toBe(1);
    await cancel(lc, { digest: digest as Hex });
    expect(await plannedOperations(lc.store)).toEqual(new Set());
  });

  it('raises nothing for a patch through the real lifecycle (propose, approve, queue, execute), and only knows its operation', async () => {
    await fresh();
    // Uncached: viem keeps the last block number for a few seconds, and the revert just moved it back.
    const from = await live.clients.public.getBlockNumber({ cacheTime: 0 });
    const lc = await lifecycleOn(live);
    await executedFix(lc);
    const to = await live.clients.public.getBlockNumber({ cacheTime: 0 });
    const known = await plannedOperations(lc.store);
    expect(known.size).toBe(1);
    const planned = rule(known);
    const unplanned = rule();
    const raised: string[] = [];
    const control: string[] = [];
    for (let n = from + 1n; n <= to; n++) {
      const block = await live.clients.public.getBlock({ blockNumber: n });
      const ref = { number: n, hash: block.hash, parentHash: block.parentHash };
      raised.push(...(await planned.evaluate(ref)).map((f) => f.id));
      control.push(...(await unplanned.evaluate(ref)).map((f) => `${f.id} ${f.operation}`));
    }
    expect(raised).toEqual([]);
    // Control: the same blocks judged without the store's plans raise the patch's schedule as unproposed.
    expect(control).toEqual([`watch-unproposed-operation ${[...known][0]}`]);
  });

  it('raises nothing for a role change made by executing an operation the store knows (a planned operation)', async () => {
    await fresh();
    const op = await scheduleThroughSafe(
      live,
      [call(vault.address, 'grantRole', [GUARDIAN_ROLE, attacker])],
      salt('p'),
    );
    const known = new Set([op.id]);
    expect(await rule(known).evaluate(await blockOf(live, op.receipt))).toEqual([]);
    const executed = await op.execute();
    expect(logIndexes(executed, vault.address, ROLE_GRANTED)).toHaveLength(1);
    expect(await rule(known).evaluate(await blockOf(live, executed))).toEqual([]);
    // Control: unknown, the same execution is an alert.
    expect((await rule().evaluate(await blockOf(live, executed))).map((f) => f.id)).toEqual([
      'watch-role-changed',
    ]);
  });

  it('reads nothing from a block without governance events, without asking for the known operations', async () => {
    await fresh();
    let asked = 0;
    const r = governanceRule({
      client: live.clients.public,
      timelock,
      safe,
      proxyAdmins: [proxyAdmin],
      contracts: [{ address: vault.address, name: 'vault' }],
      knownOperations: async () => {
        asked++;
        return new Set();
      },
    });
    await live.clients.test.mine({ blocks: 1 });
    const block = await live.clients.public.getBlock({ blockTag: 'latest' });
    expect(
      await r.evaluate({ number: block.number, hash: block.hash, parentHash: block.parentHash }),
    ).toEqual([]);
    expect(asked).toBe(0);
  });

  it('fails closed when the known operations cannot be read', async () => {
    await fresh();
    const op = await scheduleThroughSafe(
      live,
      [call(vault.address, 'grantRole', [GUARDIAN_ROLE, attacker])],
      salt('e'),
    );
    const r = governanceRule({
      client: live.clients.public,
      timelock,
      safe,
      proxyAdmins: [proxyAdmin],
      contracts: [{ address: vault.address, name: 'vault' }],
      knownOperations: () => Promise.reject(new Error('store unreadable')),
    });
    await expect(r.evaluate(await blockOf(live, op.receipt))).rejects.toThrow('store unreadable');
  });
});

describe('the canceller: the automatic cancel', () => {
  const canceller = () => accountFor('canceller') as LocalAccount;
  const pending = (id: Hex) =>
    live.clients.public.readContract({
      address: timelock,
      abi: TIMELOCK_ABI,
      functionName: 'isOperationPending',
      args: [id],
    });
  const upgradeToToken = () => ({
    target: proxyAdmin,
    data: encodeFunctionData({
      abi: parseAbi(['function upgradeAndCall(address proxy, address implementation, bytes data)']),
      functionName: 'upgradeAndCall',
      args: [vault.address, live.system.contracts.get('token')?.address as Address, '0x'],
    }),
  });

  it('holds CANCELLER_ROLE on the timelock and no other role there or on the vault, and is no Safe owner', async () => {
    const me = canceller().address;
    expect(me).toBe(localAccount(6).address);
    const has = (address: Address, role: Hex) =>
      live.clients.public.readContract({
        address,
        abi: TIMELOCK_ABI,
        functionName: 'hasRole',
        args: [role, me],
      });
    const timelockRoles = ['CANCELLER_ROLE', 'PROPOSER_ROLE', 'EXECUTOR_ROLE'].map((n) =>
      keccak256(toHex(n)),
    );
    expect(await Promise.all([...timelockRoles, zeroHash].map((r) => has(timelock, r)))).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(await Promise.all([GUARDIAN_ROLE, zeroHash].map((r) => has(vault.address, r)))).toEqual([
      false,
      false,
    ]);
    // The timelock administers itself; the canceller's bootstrap admin role is gone.
    expect(await has(timelock, zeroHash)).toBe(false);
    const owners = await live.clients.public.readContract({
      address: safe,
      abi: parseAbi(['function getOwners() view returns (address[])']),
      functionName: 'getOwners',
    });
    expect(owners).not.toContain(me);
  });

  it("cancels the operation a Safe scheduled behind patchgate's back, named by the finding; a second cancel is already", async () => {
    await fresh();
    const op = await scheduleThroughSafe(live, [upgradeToToken()], salt('rogue-upgrade'));
    const [finding] = await rule().evaluate(await blockOf(live, op.receipt));
    expect(finding).toMatchObject({
      id: 'watch-unproposed-operation',
      operation: op.id,
      contract: proxyAdmin,
    });
    expect(finding?.message).toContain(`call 0: ProxyAdmin ${proxyAdmin}.upgradeAndCall(${vault.address}, `);
    expect(await pending(op.id)).toBe(true);

    const lc = await lifecycleOn(live);
    const first = await cancelOperation(lc, {
      timelock,
      id: finding?.operation as Hex,
      canceller: canceller(),
    });
    expect(first).toEqual({ id: op.id, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/), already: false });
    expect(await pending(op.id)).toBe(false);
    const again = await cancelOperation(lc, { timelock, id: op.id, canceller: canceller() });
    expect(again).toEqual({ id: op.id, txHash: first.txHash, already: true });
    // The Safe cannot run it any more: the timelock refuses, so the Safe transaction fails (GS013).
    await expect(op.execute()).rejects.toThrow(/GS013/);
  });

  it('refuses an executed operation (already-executed) and an id never scheduled (unknown-operation)', async () => {
    await fresh();
    const lc = await lifecycleOn(live);
    const op = await scheduleThroughSafe(
      live,
      [call(vault.address, 'grantRole', [GUARDIAN_ROLE, attacker])],
      salt('f'),
    );
    await op.execute();
    const done = await errorOf(cancelOperation(lc, { timelock, id: op.id, canceller: canceller() }));
    expect([done.code, done.exitCode]).toEqual(['already-executed', 2]);
    expect(done.shortMessage).toBe(
      `operation ${op.id} on timelock ${timelock} was already executed: it cannot be cancelled`,
    );
    const never = salt('never scheduled');
    const unknown = await errorOf(cancelOperation(lc, { timelock, id: never, canceller: canceller() }));
    expect([unknown.code, unknown.exitCode]).toEqual(['unknown-operation', 2]);
    expect(unknown.shortMessage).toBe(`operation ${never} was never scheduled on timelock ${timelock}`);
  });
});
