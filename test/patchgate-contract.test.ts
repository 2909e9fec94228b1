/**
 * PatchGate (contracts/src/PatchGate.sol) on a real anvil, between the real governance stack and the real
 * proxies: Safe 2-of-3 → TimelockController (2 days) → PatchGate → OpenZeppelin v5 ProxyAdmin / UUPS proxy.
 * Every upgrade goes through the Safe and the timelock; the only impersonation is in the gas figures, where
 * the timelock's call is sent on its own so that PatchGate's cost can be set beside the bare upgrade's.
 * The gate under test is deployed with the example's policy with the emergency lane closed
 * (`policy.lanes.emergency.severities: []`); a second gate, with the lane open, shows the emergency lane passing.
 */

import {
  type Abi,
  type Account,
  type Address,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anchorHead,
  deployPatchGate,
  gatedUpgradeCall,
  loadPatchGate,
  PATCHGATE_ABI,
  readAnchors,
  readPatchExecuted,
  releaseOwnershipCall,
} from '../src/anchor/index.js';
import { projectErrorsAbi } from '../src/build/errors-abi.js';
import { compiled, findContract } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { type Anvil, startAnvil } from '../src/chain/anvil.js';
import { type Clients, connect, localAccount } from '../src/chain/clients.js';
import { abiOf, deploy } from '../src/chain/deploy.js';
import { introspectProxy } from '../src/chain/proxy.js';
import { loadConfig } from '../src/config/load.js';
import type { PolicyConfig } from '../src/config/schema.js';
import { SAFE_ABI } from '../src/core/abis.js';
import { describeRevert, revertData } from '../src/core/revert.js';
import { type Lane, patchDigest } from '../src/govern/digest.js';
import { policyCommitment } from '../src/govern/policy.js';
import { packSignatures, safeTx, safeTxFields, signSafeTx } from '../src/govern/safe.js';
import { memoryTree } from '../src/ledger/memory.js';
import { type GovernanceResult, upgradeThroughGovernance } from '../src/simulate/governance.js';
import { deployGovernance, deployTransparentProxy, deployUupsProxy } from '../src/system/contracts.js';
import type { Governance } from '../src/system/model.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './helpers/example.js';

const TWO_DAYS = 2n * 24n * 3600n;
const deployer = localAccount(0);
const owners = [localAccount(1), localAccount(2), localAccount(3)];
const guardian = localAccount(4);
const outsider = localAccount(5);
const anchorer = localAccount(7);

let anvil: Anvil;
let example: Project;
let gateProject: Project;
let clients: Clients;
let gov: Governance;
let errorsAbi: Abi;
let gate: Address;
let sys: { token: Address; vault: Address; proxyAdmin: Address; v1: Address; rewards: Address; r1: Address };
let snapshot: Hex;
/** The example's policy with the emergency lane closed (the gate's), and as it is (emergency open). */
let closed: { hash: Hex; allowedLanes: number };
let open: { hash: Hex; allowedLanes: number };
/** Gas figures (from receipts), printed at the end and copied into docs/contract.md. */
const gas = new Map<string, bigint>();

const c = (name: string) => findContract(example, name);
/** Calldata for `contract.functionName(...args)`, with the example's compiled ABI. */
const call = (contract: string, functionName: string, args: unknown[] = []) =>
  encodeFunctionData({ abi: abiOf(c(contract)), functionName, args });
const read = (address: Address, contract: string, functionName: string) =>
  clients.public.readContract({ address, abi: abiOf(c(contract)), functionName });
const executionTx = (result: GovernanceResult) => result.steps.find((s) => s.name === 'safe-execute')?.txHash;
const codehashOf = async (address: Address) => keccak256((await clients.public.getCode({ address })) ?? '0x');
const implementationOf = async (proxy: Address) =>
  (await introspectProxy(clients.public, proxy)).implementation;
const evidence = { check: keccak256(toHex('check report')), simulate: keccak256(toHex('simulate report')) };

async function fresh() {
  await clients.test.revert({ id: snapshot });
  snapshot = await clients.test.snapshot();
}

/** Safe (2 of 3 sign) → timelock.schedule → 2 days → Safe → timelock.execute → `target` with `data`. */
function governed(target: Address, data: Hex, salt: string) {
  return upgradeThroughGovernance(clients, gov, {
    target,
    data,
    salt: keccak256(toHex(salt)),
    signers: [owners[0] as Account, owners[2] as Account],
    submitter: outsider,
    errorsAbi,
  });
}

const gateBytecode = () => `0x${compiled(findContract(gateProject, 'PatchGate')).evm.bytecode.object}` as Hex;

async function gasOf(txHash: Hex | undefined): Promise<bigint> {
  if (!txHash) throw new Error('no transaction');
  return (await clients.public.waitForTransactionReceipt({ hash: txHash })).gasUsed;
}

/** A custom error as `describeRevert` prints it: `NotController("0x…")`. */
const reason = (name: string, ...args: (string | bigint)[]) =>
  `${name}(${args.map((a) => (typeof a === 'string' ? JSON.stringify(a) : String(a))).join(', ')})`;

/** The decoded error a call reverts with (`NotController(0x…)`), or `succeeded`. */
async function refusal(account: Account | Address, to: Address, data: Hex): Promise<string> {
  try {
    await clients.public.call({ account, to, data });
    return 'succeeded';
  } catch (e) {
    return describeRevert(revertData(e), errorsAbi);
  }
}

/**
 * A transparent-proxy patch to VaultV2 (reinitializer 5000 bps) and its digest over the upgrade PatchGate makes,
 * in `lane` (default standard), planned under `policyHash` (default the gate's).
 */
async function vaultPatch(
  implementation: Address,
  codehash?: Hex,
  plan: { lane?: Lane; policyHash?: Hex; proxy?: Address; proxyAdmin?: Address } = {},
) {
  const approved = codehash ?? (await codehashOf(implementation));
  const lane = plan.lane ?? 'standard';
  const proxy = plan.proxy ?? sys.vault;
  const proxyAdmin = plan.proxyAdmin ?? sys.proxyAdmin;
  const init = call('VaultV2', 'initializeV2', [5000n]);
  const digest = patchDigest({
    chainId: clients.chain.id,
    proxy,
    target: proxyAdmin,
    implementation,
    codehash: approved,
    calldata: call('ProxyAdmin', 'upgradeAndCall', [proxy, implementation, init]),
    lane,
    evidence,
  });
  const data = gatedUpgradeCall({
    proxy,
    proxyAdmin,
    implementation,
    codehash: approved,
    data: init,
    digest,
    lane,
    policyHash: plan.policyHash ?? closed.hash,
  });
  return { codehash: approved, digest, data };
}

beforeAll(async () => {
  example = await loadExample();
  gateProject = await loadPatchGate({ stateDir: TEST_STATE_DIR });
  errorsAbi = [...projectErrorsAbi(example), ...projectErrorsAbi(gateProject)];
  anvil = await startAnvil();
  clients = await connect(anvil.rpcUrl);
  const { config } = await loadConfig({ searchDir: EXAMPLE_DIR });
  const emergencyClosed: PolicyConfig = {
    ...config.policy,
    lanes: { ...config.policy.lanes, emergency: { ...config.policy.lanes.emergency, severities: [] } },
  };
  closed = policyCommitment(emergencyClosed);
  open = policyCommitment(config.policy);
  gov = await deployGovernance(clients, example, deployer, { owners, threshold: 2, minDelay: TWO_DAYS });
  const deployed = await deployPatchGate(clients, gateProject, {
    deployer,
    controller: gov.timelock,
    anchorer: anchorer.address,
    policy: closed,
  });
  gate = deployed.address;
  gas.set('deploy PatchGate', deployed.gasUsed);

  const wallet = clients.wallet(deployer);
  const token = await deploy(wallet, clients.public, c('TestUSD'));
  const v1 = await deploy(wallet, clients.public, c('VaultV1'));
  const { proxy: vault, proxyAdmin } = await deployTransparentProxy(clients, example, deployer, {
    implementation: v1,
    initData: call('VaultV1', 'initialize', [token, gov.timelock, guardian.address]),
    owner: gate,
  });
  const r1 = await deploy(wallet, clients.public, c('RewardsV1'));
  const rewards = await deployUupsProxy(clients, example, deployer, {
    implementation: r1,
    initData: call('RewardsV1', 'initialize', [vault, token, gate]),
  });
  sys = { token, vault, proxyAdmin, v1, rewards, r1 };
  await clients.test.setBalance({ address: anchorer.address, value: 10n ** 20n });
  snapshot = await clients.test.snapshot();
}, 180_000);

afterAll(async () => {
  if (gas.size > 0) {
    const width = Math.max(...[...gas.keys()].map((k) => k.length));
    console.info(
      `PatchGate gas (receipts):\n${[...gas].map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}`,
    );
  }
  await anvil?.stop();
});

describe('PatchGate as compiled', () => {
  it('has exactly the ABI the TypeScript side is typed with', () => {
    type Param = { type: string; name?: string; indexed?: boolean };
    type Item = {
      type: string;
      name?: string;
      inputs?: Param[];
      outputs?: Param[];
      stateMutability?: string;
    };
    const params = (ps: Param[] = []) =>
      ps.map((p) => [p.type, p.indexed ? 'indexed' : '', p.name ?? ''].filter(Boolean).join(' ')).join(', ');
    const signatures = (abi: readonly unknown[]) =>
      (abi as Item[])
        .map(
          (x) =>
            `${x.type} ${x.name ?? ''}(${params(x.inputs)}) ${x.stateMutability ?? ''} (${params(x.outputs)})`,
        )
        .sort();
    const solcAbi = compiled(findContract(gateProject, 'PatchGate')).abi;
    expect(signatures(PATCHGATE_ABI)).toEqual(signatures(solcAbi));
  });

  it('is wired Safe → timelock → PatchGate → ProxyAdmin / UUPS owner, with the anchorer and policy fixed at deploy', async () => {
    const gateRead = (functionName: 'controller' | 'anchorer' | 'policyHash' | 'allowedLanes') =>
      clients.public.readContract({ address: gate, abi: PATCHGATE_ABI, functionName });
    expect(await gateRead('controller')).toBe(gov.timelock);
    expect(await gateRead('anchorer')).toBe(anchorer.address);
    expect(closed).toEqual({ hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), allowedLanes: 1 });
    expect(open.allowedLanes).toBe(3);
    expect(open.hash).not.toBe(closed.hash);
    expect(await gateRead('policyHash')).toBe(closed.hash);
    expect(await gateRead('allowedLanes')).toBe(1);
    expect(await read(sys.proxyAdmin, 'ProxyAdmin', 'owner')).toBe(gate);
    expect(await read(sys.rewards, 'RewardsV1', 'owner')).toBe(gate);
  });
});

describe('gated upgrade through Safe → timelock → PatchGate', () => {
  it('upgrades a transparent proxy to the approved VaultV2 and emits PatchExecuted with the digest', async () => {
    await fresh();
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const patch = await vaultPatch(v2);
    const result = await governed(gate, patch.data, 'vault-v2');
    expect(result.revert).toBeUndefined();
    expect(await implementationOf(sys.vault)).toBe(v2);
    const maxBps = await read(sys.vault, 'VaultV2', 'maxFlashLoanBps');
    expect(maxBps).toBe(5000n);

    const executeTx = executionTx(result);
    const events = await readPatchExecuted(clients.public, gate, { proxy: sys.vault });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      proxy: sys.vault,
      implementation: v2,
      codehash: patch.codehash,
      digest: patch.digest,
      lane: 'standard',
      txHash: executeTx,
    });
    expect(await readPatchExecuted(clients.public, gate, { proxy: sys.rewards })).toEqual([]);
    gas.set('governance execute: Safe → timelock → PatchGate → ProxyAdmin', await gasOf(executeTx));
  });

  it('refuses a wrong codehash with CodehashMismatch, leaving V1 live and no PatchExecuted', async () => {
    await fresh();
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const wrong = await codehashOf(sys.v1);
    const result = await governed(gate, (await vaultPatch(v2, wrong)).data, 'wrong-codehash');
    expect(result.ok).toBe(false);
    expect(result.revert).toEqual({
      step: 'safe-execute',
      reason: reason('CodehashMismatch', v2, wrong, await codehashOf(v2)),
    });
    expect(await implementationOf(sys.vault)).toBe(sys.v1);
    expect(await readPatchExecuted(clients.public, gate)).toEqual([]);
  });

  it('refuses the approved address once other code sits there (a re-deployed, metamorphic implementation)', async () => {
    await fresh();
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const patch = await vaultPatch(v2); // approved while v2 held VaultV2
    // Stand-in for SELFDESTRUCT + CREATE2 re-deploy at the same address (EIP-6780 forbids it on this hardfork).
    const other = await deploy(clients.wallet(deployer), clients.public, c('VaultV2Selfdestruct'));
    const swapped = (await clients.public.getCode({ address: other })) as Hex;
    await clients.test.setCode({ address: v2, bytecode: swapped });
    const result = await governed(gate, patch.data, 'metamorphic');
    expect(result.revert?.reason).toBe(reason('CodehashMismatch', v2, patch.codehash, keccak256(swapped)));
    expect(await implementationOf(sys.vault)).toBe(sys.v1);

    const empty = '0x000000000000000000000000000000000000dEaD';
    const noCode = await governed(gate, (await vaultPatch(empty, patch.codehash)).data, 'no-code');
    expect(noCode.revert?.reason).toBe(reason('NoCode', empty));
  });

  it('refuses every caller but the timelock: a Safe owner, the guardian, the Safe itself skipping the delay', async () => {
    await fresh();
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const { data } = await vaultPatch(v2);
    expect(await refusal(owners[0] as Account, gate, data)).toBe(
      reason('NotController', owners[0]?.address ?? ''),
    );
    expect(await refusal(guardian, gate, data)).toBe(reason('NotController', guardian.address));
    const release = releaseOwnershipCall({ target: sys.proxyAdmin, newOwner: outsider.address });
    expect(await refusal(outsider, gate, release)).toBe(reason('NotController', outsider.address));

    // 2 of 3 owners sign a Safe transaction straight to PatchGate: the Safe is a proposer, not the controller.
    const nonce = await clients.public.readContract({
      address: gov.safe,
      abi: SAFE_ABI,
      functionName: 'nonce',
    });
    const tx = safeTx(gate, data, nonce);
    const signatures = packSignatures(
      await Promise.all(owners.slice(0, 2).map((o) => signSafeTx(o, clients.chain.id, gov.safe, tx))),
    );
    await expect(
      clients.public.simulateContract({
        account: outsider,
        address: gov.safe,
        abi: SAFE_ABI,
        functionName: 'execTransaction',
        args: [...safeTxFields(tx), signatures],
      }),
    ).rejects.toThrow(/GS013/);
    expect(await refusal(gov.safe, gate, data)).toBe(reason('NotController', gov.safe));

    // Nor can the timelock go around PatchGate: the ProxyAdmin answers to PatchGate alone.
    const direct = call('ProxyAdmin', 'upgradeAndCall', [sys.vault, v2, '0x']);
    const around = await governed(sys.proxyAdmin, direct, 'around-the-gate');
    expect(around.revert?.reason).toBe(reason('OwnableUnauthorizedAccount', gov.timelock));
    expect(await implementationOf(sys.vault)).toBe(sys.v1);
  });

  it('upgrades a UUPS proxy (RewardsV1 → RewardsV2, owner PatchGate) and refuses a wrong codehash there too', async () => {
    await fresh();
    const r2 = await deploy(clients.wallet(deployer), clients.public, c('RewardsV2'));
    const codehash = await codehashOf(r2);
    const digest = patchDigest({
      chainId: clients.chain.id,
      proxy: sys.rewards,
      target: sys.rewards,
      implementation: r2,
      codehash,
      calldata: call('RewardsV1', 'upgradeToAndCall', [r2, '0x']),
      lane: 'standard',
      evidence,
    });
    const upgrade = {
      proxy: sys.rewards,
      implementation: r2,
      data: '0x',
      digest,
      lane: 'standard',
      policyHash: closed.hash,
    } as const;
    const wrong = await codehashOf(sys.r1);
    const refused = await governed(gate, gatedUpgradeCall({ ...upgrade, codehash: wrong }), 'uups-wrong');
    expect(refused.revert?.reason).toBe(reason('CodehashMismatch', r2, wrong, codehash));
    expect(await implementationOf(sys.rewards)).toBe(sys.r1);

    const result = await governed(gate, gatedUpgradeCall({ ...upgrade, codehash }), 'uups');
    expect(result.revert).toBeUndefined();
    expect(await implementationOf(sys.rewards)).toBe(r2);
    const [event] = await readPatchExecuted(clients.public, gate, { proxy: sys.rewards });
    expect(event).toMatchObject({
      proxy: sys.rewards,
      implementation: r2,
      codehash,
      digest,
      lane: 'standard',
    });
    const executeTx = executionTx(result);
    gas.set('governance execute: Safe → timelock → PatchGate → UUPS proxy', await gasOf(executeTx));
  });

  it('hands the ProxyAdmin back to the timelock, after which the team upgrades without PatchGate', async () => {
    await fresh();
    const release = await governed(
      gate,
      releaseOwnershipCall({ target: sys.proxyAdmin, newOwner: gov.timelock }),
      'leave',
    );
    expect(release.revert).toBeUndefined();
    const owner = await read(sys.proxyAdmin, 'ProxyAdmin', 'owner');
    expect(owner).toBe(gov.timelock);
    const releaseTx = executionTx(release);
    const receipt = await clients.public.waitForTransactionReceipt({ hash: releaseTx as Hex });
    const released = parseEventLogs({
      abi: PATCHGATE_ABI,
      logs: receipt.logs,
      eventName: 'OwnershipReleased',
    });
    expect(released.map((l) => l.args)).toEqual([{ target: sys.proxyAdmin, newOwner: gov.timelock }]);

    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const direct = call('ProxyAdmin', 'upgradeAndCall', [sys.vault, v2, '0x']);
    expect((await governed(sys.proxyAdmin, direct, 'after-leaving')).revert).toBeUndefined();
    expect(await implementationOf(sys.vault)).toBe(v2);
  });
});

describe('the policy PatchGate was deployed with', () => {
  it('refuses an emergency-lane upgrade through the timelock when its policy closes that lane: LaneNotAllowed(1), V1 still live', async () => {
    await fresh();
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const patch = await vaultPatch(v2, undefined, { lane: 'emergency' });
    const result = await governed(gate, patch.data, 'emergency-closed');
    // The Safe and the timelock accepted the schedule; the gate refused the execution.
    expect(result.steps.map((st) => st.name)).toContain('safe-schedule');
    expect(result.revert).toEqual({ step: 'safe-execute', reason: reason('LaneNotAllowed', 1n) });
    expect(await implementationOf(sys.vault)).toBe(sys.v1);
    expect(await readPatchExecuted(clients.public, gate)).toEqual([]);
  });

  it('refuses a call planned under another policy hash (PolicyMismatch), before the lane and the code', async () => {
    await fresh();
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const other = await vaultPatch(v2, undefined, { policyHash: open.hash });
    const result = await governed(gate, other.data, 'other-policy');
    expect(result.revert).toEqual({
      step: 'safe-execute',
      reason: reason('PolicyMismatch', closed.hash, open.hash),
    });
    expect(await implementationOf(sys.vault)).toBe(sys.v1);
    expect(await readPatchExecuted(clients.public, gate)).toEqual([]);

    // The order of the checks (the timelock's own call, read with eth_call): policy, then lane, then code.
    const wrong = await codehashOf(sys.v1);
    const all = await vaultPatch(v2, wrong, { lane: 'emergency', policyHash: open.hash });
    expect(await refusal(gov.timelock, gate, all.data)).toBe(
      reason('PolicyMismatch', closed.hash, open.hash),
    );
    const laneAndCode = await vaultPatch(v2, wrong, { lane: 'emergency' });
    expect(await refusal(gov.timelock, gate, laneAndCode.data)).toBe(reason('LaneNotAllowed', 1n));
    const code = await vaultPatch(v2, wrong);
    expect(await refusal(gov.timelock, gate, code.data)).toBe(
      reason('CodehashMismatch', v2, wrong, await codehashOf(v2)),
    );
    // A lane number that is no lane (2) is refused like a closed one, even with every bit open.
    const standard = await vaultPatch(v2);
    const lane2 = encodeFunctionData({
      abi: PATCHGATE_ABI,
      functionName: 'upgradeTransparent',
      args: [
        sys.proxyAdmin,
        sys.vault,
        v2,
        standard.codehash,
        call('VaultV2', 'initializeV2', [5000n]),
        standard.digest,
        2,
        closed.hash,
      ],
    });
    expect(await refusal(gov.timelock, gate, lane2)).toBe(reason('LaneNotAllowed', 2n));
    expect(await refusal(gov.timelock, gate, standard.data)).toBe('succeeded');
  });

  it('lets an emergency-lane upgrade through a gate whose policy opens that lane, and emits the lane', async () => {
    await fresh();
    const openGate = (
      await deployPatchGate(clients, gateProject, {
        deployer,
        controller: gov.timelock,
        anchorer: anchorer.address,
        policy: open,
      })
    ).address;
    const { proxy, proxyAdmin } = await deployTransparentProxy(clients, example, deployer, {
      implementation: sys.v1,
      initData: call('VaultV1', 'initialize', [sys.token, gov.timelock, guardian.address]),
      owner: openGate,
    });
    const v2 = await deploy(clients.wallet(deployer), clients.public, c('VaultV2'));
    const underClosed = await vaultPatch(v2, undefined, { lane: 'emergency', proxy, proxyAdmin });
    expect(await refusal(gov.timelock, openGate, underClosed.data)).toBe(
      reason('PolicyMismatch', open.hash, closed.hash),
    );
    const patch = await vaultPatch(v2, undefined, {
      lane: 'emergency',
      proxy,
      proxyAdmin,
      policyHash: open.hash,
    });
    const result = await governed(openGate, patch.data, 'emergency-open');
    expect(result.revert).toBeUndefined();
    expect(await implementationOf(proxy)).toBe(v2);
    const events = await readPatchExecuted(clients.public, openGate, { proxy });
    expect(events.map((e) => [e.digest, e.lane])).toEqual([[patch.digest, 'emergency']]);
  });
});

describe('anchoring log heads', () => {
  it('anchors real log heads append-only, readable back as events, from the anchorer only', async () => {
    await fresh();
    const tree = memoryTree();
    const headAt = (size: number) => {
      while (tree.size() < size) tree.append(new TextEncoder().encode(`entry ${tree.size()}`));
      return { size, root: toHex(tree.root()) };
    };
    const h3 = headAt(3);
    const h7 = headAt(7);
    const zero = anchorHead(clients, gate, anchorer, { size: 0, root: h3.root });
    await expect(zero).rejects.toMatchObject({ code: 'anchor-refused' });
    await expect(zero).rejects.toThrow(/HeadNotAppendOnly\(0, 0\)/);

    const first = await anchorHead(clients, gate, anchorer, h3);
    const second = await anchorHead(clients, gate, anchorer, h7);
    gas.set('anchor (first head)', first.gasUsed);
    gas.set('anchor (next head)', second.gasUsed);

    await expect(anchorHead(clients, gate, anchorer, { size: 5, root: h3.root })).rejects.toThrow(
      /HeadNotAppendOnly\(5, 7\)/,
    );
    // The same size with another root (a forked log) is refused like any size not above the last.
    await expect(anchorHead(clients, gate, anchorer, { size: 7, root: h3.root })).rejects.toThrow(
      /HeadNotAppendOnly\(7, 7\)/,
    );
    await expect(anchorHead(clients, gate, outsider, headAt(9))).rejects.toThrow(
      reason('NotAnchorer', outsider.address),
    );
    const anchorCall = encodeFunctionData({
      abi: PATCHGATE_ABI,
      functionName: 'anchor',
      args: [9n, h7.root],
    });
    expect(await refusal(gov.timelock, gate, anchorCall)).toBe(reason('NotAnchorer', gov.timelock));

    const anchors = await readAnchors(clients.public, gate);
    expect(anchors.map(({ size, root, by }) => ({ size, root, by }))).toEqual([
      { size: 3n, root: h3.root, by: anchorer.address },
      { size: 7n, root: h7.root, by: anchorer.address },
    ]);
    expect(anchors.map((a) => a.txHash)).toEqual([first.txHash, second.txHash]);
    const anchored = await clients.public.readContract({
      address: gate,
      abi: PATCHGATE_ABI,
      functionName: 'anchoredSize',
    });
    expect(anchored).toBe(7n);
  });

  it('refuses to deploy with a zero controller or anchorer, in TypeScript and in the constructor', async () => {
    const roles = { controller: gov.timelock, anchorer: anchorer.address };
    for (const role of ['controller', 'anchorer'] as const) {
      const params = { ...roles, [role]: zeroAddress };
      await expect(
        deployPatchGate(clients, gateProject, { deployer, ...params, policy: closed }),
      ).rejects.toMatchObject({ code: 'bad-patchgate' });
      const data = encodeDeployData({
        abi: PATCHGATE_ABI,
        bytecode: gateBytecode(),
        args: [params.controller, params.anchorer, closed.hash, closed.allowedLanes],
      });
      const refused = await clients.public.call({ account: deployer, data }).catch((e) => e);
      expect(describeRevert(revertData(refused), errorsAbi)).toBe('ZeroAddress()');
    }
  });

  it('refuses to deploy with a lane mask without the standard lane or with an unknown lane (InvalidLanes)', async () => {
    for (const allowedLanes of [0, 2, 4, 7, 255]) {
      const policy = { hash: closed.hash, allowedLanes };
      await expect(
        deployPatchGate(clients, gateProject, {
          deployer,
          controller: gov.timelock,
          anchorer: anchorer.address,
          policy,
        }),
      ).rejects.toMatchObject({
        code: 'bad-patchgate',
        shortMessage: expect.stringContaining(`mask ${allowedLanes}`),
      });
      const data = encodeDeployData({
        abi: PATCHGATE_ABI,
        bytecode: gateBytecode(),
        args: [gov.timelock, anchorer.address, closed.hash, allowedLanes],
      });
      const refused = await clients.public.call({ account: deployer, data }).catch((e) => e);
      expect(describeRevert(revertData(refused), errorsAbi)).toBe(`InvalidLanes(${allowedLanes})`);
    }
  });
});

describe('gas', () => {
  /**
   * Each upgrade as the timelock's own transaction (impersonated), gated and bare, on twin proxies whose
   * ProxyAdmin / owner is the timelock itself, so the difference is what PatchGate adds.
   */
  it('measures each PatchGate call beside the bare upgrade it wraps', async () => {
    await fresh();
    const wallet = clients.wallet(deployer);
    const { proxy: bareVault, proxyAdmin: bareAdmin } = await deployTransparentProxy(
      clients,
      example,
      deployer,
      {
        implementation: sys.v1,
        initData: call('VaultV1', 'initialize', [sys.token, gov.timelock, guardian.address]),
        owner: gov.timelock,
      },
    );
    const bareRewards = await deployUupsProxy(clients, example, deployer, {
      implementation: sys.r1,
      initData: call('RewardsV1', 'initialize', [bareVault, sys.token, gov.timelock]),
    });
    const v2 = await deploy(wallet, clients.public, c('VaultV2'));
    const r2 = await deploy(wallet, clients.public, c('RewardsV2'));
    const init = call('VaultV2', 'initializeV2', [5000n]);
    const digest = keccak256(toHex('digest'));

    await clients.test.impersonateAccount({ address: gov.timelock });
    await clients.test.setBalance({ address: gov.timelock, value: 10n ** 20n });
    const timelock = clients.wallet({ address: gov.timelock, type: 'json-rpc' });
    const asTimelock = async (label: string, to: Address, data: Hex) => {
      const hash = await timelock.sendTransaction({ to, data });
      const receipt = await clients.public.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe('success');
      gas.set(label, receipt.gasUsed);
      return receipt.gasUsed;
    };
    try {
      const gated = await asTimelock(
        'upgradeTransparent (timelock tx, VaultV2 + initializeV2)',
        gate,
        gatedUpgradeCall({
          proxy: sys.vault,
          proxyAdmin: sys.proxyAdmin,
          implementation: v2,
          codehash: await codehashOf(v2),
          data: init,
          digest,
          lane: 'standard',
          policyHash: closed.hash,
        }),
      );
      const bare = await asTimelock(
        'bare ProxyAdmin.upgradeAndCall (same upgrade)',
        bareAdmin,
        call('ProxyAdmin', 'upgradeAndCall', [bareVault, v2, init]),
      );
      const gatedUups = await asTimelock(
        'upgradeUups (timelock tx, RewardsV2)',
        gate,
        gatedUpgradeCall({
          proxy: sys.rewards,
          implementation: r2,
          codehash: await codehashOf(r2),
          data: '0x',
          digest,
          lane: 'standard',
          policyHash: closed.hash,
        }),
      );
      const bareUups = await asTimelock(
        'bare UUPS upgradeToAndCall (same upgrade)',
        bareRewards,
        call('RewardsV1', 'upgradeToAndCall', [r2, '0x']),
      );
      const release = await asTimelock(
        'releaseOwnership (ProxyAdmin)',
        gate,
        releaseOwnershipCall({ target: sys.proxyAdmin, newOwner: gov.timelock }),
      );
      gas.set('PatchGate overhead, transparent', gated - bare);
      gas.set('PatchGate overhead, UUPS', gatedUups - bareUups);
      for (const g of [gated, bare, gatedUups, bareUups, release]) expect(g).toBeGreaterThan(0n);
      expect(gated).toBeGreaterThan(bare);
      expect(gatedUups).toBeGreaterThan(bareUups);
    } finally {
      await clients.test.stopImpersonatingAccount({ address: gov.timelock });
    }
    for (const [label, g] of gas) expect(g, label).toBeGreaterThan(0n);
  });
});
