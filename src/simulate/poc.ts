/**
 * Exploit regression: a proof-of-concept contract run by the attacker on a snapshot. It "succeeds" when
 * the attacker's balance of the profit token grows; every run is reverted afterwards.
 */

import { type Abi, type Address, erc20Abi, type Hex } from 'viem';
import { findContract } from '../build/find.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { abiOf, deploy } from '../chain/deploy.js';
import { rethrowTransportFailure } from '../chain/rpc.js';
import type { PocConfig } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { encodeCall } from '../system/encode.js';
import { accountFor, type DeployedSystem } from '../system/model.js';

export interface PocRun {
  outcome: 'succeeded' | 'failed';
  /** Attacker profit in the profit token's smallest unit (decimal string; may be negative). */
  profit: string;
  /** Why it failed, when it reverted. */
  reason?: string;
  txHash?: Hex;
  /** Gas the attack transaction used (decimal string): the attacker's running cost, for `assess`. */
  gasUsed?: string;
}

/** The attacker's exploit contract deployed and funded as the PoC says, and the attack call: ready to send. */
export async function armPoc(
  clients: Clients,
  project: Project,
  system: DeployedSystem,
  poc: PocConfig,
): Promise<{ exploit: Address; data: Hex; abi: Abi; token: Address }> {
  const attacker = accountFor('attacker');
  const handle = findContract(project, poc.contract);
  const exploit = await deploy(clients.wallet(attacker), clients.public, handle);
  const token = system.contracts.get(poc.profitToken);
  if (!token)
    throw inputError(
      'unknown-contract',
      `poc ${poc.name}: profitToken "${poc.profitToken}" is not deployed`,
      'name a deployed token',
    );
  if (poc.fund) {
    const funder = system.contracts.get(poc.fund.token);
    if (!funder)
      throw inputError(
        'unknown-contract',
        `poc ${poc.name}: fund.token "${poc.fund.token}" is not deployed`,
        'name a deployed token',
      );
    const fund = encodeCall(
      system,
      funder.abi,
      { function: poc.fund.function, args: [exploit, poc.fund.amount] },
      `poc ${poc.name} fund`,
    );
    const hash = await clients
      .wallet(accountFor('deployer'))
      .sendTransaction({ to: funder.address, data: fund });
    await clients.public.waitForTransactionReceipt({ hash });
  }
  const abi = abiOf(handle);
  const data = encodeCall(system, abi, { function: poc.function, args: poc.args }, `poc ${poc.name}`);
  return { exploit, data, abi, token: token.address };
}

export async function runPoc(
  clients: Clients,
  project: Project,
  system: DeployedSystem,
  poc: PocConfig,
  errorsAbi: Abi,
): Promise<PocRun> {
  const snapshot = await clients.test.snapshot();
  try {
    const attacker = accountFor('attacker');
    const { exploit, data, abi, token } = await armPoc(clients, project, system, poc);
    const balance = () =>
      clients.public.readContract({
        address: token,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [attacker.address as Address],
      });
    const before = await balance();
    try {
      await clients.public.call({ account: attacker, to: exploit, data });
    } catch (e) {
      // A node that could not be reached is no evidence that the exploit fails: fail closed (exit 3).
      rethrowTransportFailure(e);
      return {
        outcome: 'failed',
        profit: '0',
        reason: describeRevert(revertData(e), [...errorsAbi, ...abi]),
      };
    }
    const hash = await clients.wallet(attacker).sendTransaction({ to: exploit, data });
    const receipt = await clients.public.waitForTransactionReceipt({ hash });
    const profit = (await balance()) - before;
    return {
      outcome: receipt.status === 'success' && profit > 0n ? 'succeeded' : 'failed',
      profit: profit.toString(),
      txHash: hash,
      gasUsed: receipt.gasUsed.toString(),
    };
  } finally {
    await clients.test.revert({ id: snapshot });
  }
}
