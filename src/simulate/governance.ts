/**
 * The real governance path of an upgrade, step by step, never a shortcut:
 * Safe transaction (owners' signatures) → TimelockController.schedule → wait out the delay (local: time
 * warp) → Safe transaction → TimelockController.execute → target call (ProxyAdmin.upgradeAndCall or UUPS
 * upgradeToAndCall). Every hash is recomputed locally and checked against the deployed contracts.
 */

import { type Abi, type Account, type Address, type Hex, parseEventLogs } from 'viem';
import type { Clients } from '../chain/clients.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import { SAFE_ABI, TIMELOCK_ABI } from '../core/abis.js';
import { describeRevert, revertData } from '../core/revert.js';
import { packSignatures, type SafeTx, safeTx, safeTxFields, signSafeTx } from '../govern/safe.js';
import { executeCall, operation, scheduleCall, type TimelockOperation } from '../govern/timelock.js';
import { checkedOperationId, checkedSafeTxHash, safeRevertReason } from '../system/checked.js';
import type { Governance } from '../system/model.js';

export interface GovernanceStep {
  name: 'safe-schedule' | 'time-warp' | 'safe-execute';
  safeTxHash?: Hex;
  txHash?: Hex;
  /** Seconds warped (local) for `time-warp`. */
  seconds?: bigint;
}

export interface GovernanceResult {
  ok: boolean;
  /** True when the Safe was impersonated (fork without owners' keys) instead of signed for. */
  impersonated: boolean;
  operationId: Hex;
  steps: GovernanceStep[];
  /** Decoded reason when a step reverted (`InvalidBps(5000)`), and which step. */
  revert?: { step: GovernanceStep['name']; reason: string };
}

export interface GovernanceCall {
  /** The call the timelock makes, e.g. ProxyAdmin.upgradeAndCall(proxy, impl, initData). */
  target: Address;
  data: Hex;
  salt?: Hex;
  predecessor?: Hex;
  /**
   * Safe owners who sign (locally held keys). Empty on a fork, where the owners' keys are not available:
   * the Safe itself is impersonated (anvil_impersonateAccount) and the report says so.
   */
  signers: readonly Account[];
  /** The delay to schedule with (the lane's review window); default: the timelock's minimum delay. */
  delay?: bigint;
  /** Who submits the Safe transactions (any account; it pays gas). */
  submitter: Account;
  /** ABI used to decode reverts (all the project's errors). */
  errorsAbi: Abi;
}

async function execSafe(
  clients: Clients,
  gov: Governance,
  call: GovernanceCall,
  data: Hex,
  step: 'safe-schedule' | 'safe-execute',
): Promise<{ step: GovernanceStep; revert?: string }> {
  const client = clients.public;
  if (call.signers.length === 0) return execImpersonated(clients, gov, call, data, step);
  const nonce = await client.readContract({ address: gov.safe, abi: SAFE_ABI, functionName: 'nonce' });
  const tx: SafeTx = safeTx(gov.timelock, data, nonce);
  const local = await checkedSafeTxHash(client, clients.chain.id, gov.safe, tx);
  const signatures = packSignatures(
    await Promise.all(call.signers.map((s) => signSafeTx(s, clients.chain.id, gov.safe, tx))),
  );
  const args = [...safeTxFields(tx), signatures] as const;
  const base: GovernanceStep = { name: step, safeTxHash: local };
  try {
    await client.simulateContract({
      account: call.submitter,
      address: gov.safe,
      abi: SAFE_ABI,
      functionName: 'execTransaction',
      args,
    });
  } catch (e) {
    rethrowTransportFailure(e);
    return { step: base, revert: await safeRevertReason(client, gov.safe, tx, e, call.errorsAbi) };
  }
  const hash = await clients.wallet(call.submitter).writeContract({
    address: gov.safe,
    abi: SAFE_ABI,
    functionName: 'execTransaction',
    args,
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  const ok = parseEventLogs({ abi: SAFE_ABI, logs: receipt.logs, eventName: 'ExecutionSuccess' }).length > 0;
  return {
    step: { ...base, txHash: hash },
    revert: receipt.status === 'success' && ok ? undefined : 'Safe execution failed',
  };
}

/** The Safe's call to the timelock, sent as the Safe itself (impersonated on a fork). */
async function execImpersonated(
  clients: Clients,
  gov: Governance,
  call: GovernanceCall,
  data: Hex,
  step: 'safe-schedule' | 'safe-execute',
): Promise<{ step: GovernanceStep; revert?: string }> {
  await clients.test.impersonateAccount({ address: gov.safe });
  await clients.test.setBalance({ address: gov.safe, value: 10n ** 20n });
  try {
    try {
      await clients.public.call({ account: gov.safe, to: gov.timelock, data });
    } catch (e) {
      rethrowTransportFailure(e);
      return { step: { name: step }, revert: describeRevert(revertData(e), call.errorsAbi) };
    }
    const hash = await clients
      .wallet({ address: gov.safe, type: 'json-rpc' })
      .sendTransaction({ to: gov.timelock, data });
    const receipt = await clients.public.waitForTransactionReceipt({ hash });
    return {
      step: { name: step, txHash: hash },
      revert: receipt.status === 'success' ? undefined : 'reverted',
    };
  } finally {
    await clients.test.stopImpersonatingAccount({ address: gov.safe });
  }
}

export async function upgradeThroughGovernance(
  clients: Clients,
  gov: Governance,
  call: GovernanceCall,
): Promise<GovernanceResult> {
  const op: TimelockOperation = operation(call.target, call.data, {
    salt: call.salt,
    predecessor: call.predecessor,
  });
  const id = await checkedOperationId(clients.public, gov.timelock, op);
  const delay =
    call.delay ??
    (await clients.public.readContract({
      address: gov.timelock,
      abi: TIMELOCK_ABI,
      functionName: 'getMinDelay',
    }));
  const steps: GovernanceStep[] = [];
  const impersonated = call.signers.length === 0;
  const result = (revert?: GovernanceResult['revert']): GovernanceResult => ({
    ok: revert === undefined,
    impersonated,
    operationId: id,
    steps,
    ...(revert ? { revert } : {}),
  });
  const scheduled = await execSafe(clients, gov, call, scheduleCall(op, delay), 'safe-schedule');
  steps.push(scheduled.step);
  if (scheduled.revert) return result({ step: 'safe-schedule', reason: scheduled.revert });

  await clients.test.increaseTime({ seconds: Number(delay) + 1 });
  await clients.test.mine({ blocks: 1 });
  steps.push({ name: 'time-warp', seconds: delay + 1n });

  const executed = await execSafe(clients, gov, call, executeCall(op), 'safe-execute');
  steps.push(executed.step);
  return result(executed.revert ? { step: 'safe-execute', reason: executed.revert } : undefined);
}
