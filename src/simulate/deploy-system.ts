/**
 * Builds the live system a config describes on a local chain: governance (Safe + timelock), each contract
 * (behind its proxy when it has one, upgrade rights ending at the timelock) and the setup transactions
 * (users, deposits). Names in call arguments (`@vault`, `@timelock`, `@user:1`) resolve to addresses.
 */
import { type Abi, type AbiParameter, type Account, type Address, encodeFunctionData, type Hex } from 'viem';
import { findContract } from '../build/find.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { localAccount } from '../chain/clients.js';
import { abiOf, deploy } from '../chain/deploy.js';
import type { CallConfig, Config, SystemConfig } from '../config/schema.js';
import { environmentError, inputError } from '../errors.js';
import type { Governance } from './governance.js';
import { describeRevert, revertData } from './revert.js';
import { deployGovernance, deployTransparentProxy, deployUupsProxy } from './system.js';

export type ArgValue = string | number | boolean;

/** Local accounts by role: deployer 0, Safe owners 1…n, attacker 8, guardian 9, `user:N` 10+N. */
export function accountFor(name: string): Account {
  if (name === 'deployer') return localAccount(0);
  if (name === 'attacker') return localAccount(8);
  if (name === 'guardian') return localAccount(9);
  const user = /^user:(\d+)$/.exec(name);
  if (user) return localAccount(10 + Number(user[1]));
  throw inputError(
    'unknown-account',
    `"${name}" is not an account`,
    'use deployer, attacker, guardian or user:N',
  );
}

export interface DeployedContract {
  name: string;
  /** What callers use: the proxy for a proxied contract. */
  address: Address;
  implementation?: Address;
  proxyKind?: 'transparent' | 'uups';
  proxyAdmin?: Address;
  /** patchgate's PatchGate, when the upgrade rights pass through it (found on chain). */
  gate?: Address;
  abi: Abi;
}

export interface DeployedSystem {
  governance: Governance;
  owners: Account[];
  threshold: number;
  contracts: Map<string, DeployedContract>;
}

export function resolveName(system: Pick<DeployedSystem, 'governance' | 'contracts'>, ref: string): Address {
  const name = ref.replace(/^@/, '');
  if (name === 'timelock') return system.governance.timelock;
  if (name === 'safe') return system.governance.safe;
  const deployed = system.contracts.get(name);
  if (deployed) return deployed.address;
  return accountFor(name).address;
}

/** Coerce config values to what the ABI wants (uint from decimal strings, addresses from `@names`). */
export function coerceArgs(
  system: Pick<DeployedSystem, 'governance' | 'contracts'>,
  inputs: readonly AbiParameter[],
  values: readonly ArgValue[],
  where: string,
): unknown[] {
  if (inputs.length !== values.length) {
    throw inputError(
      'bad-args',
      `${where} takes ${inputs.length} argument(s), the config gives ${values.length}`,
      'fix the args list in the config',
    );
  }
  return values.map((v, i) => {
    const type = inputs[i]?.type ?? '';
    if (typeof v === 'string' && v.startsWith('@')) return resolveName(system, v);
    if (/^u?int\d*$/.test(type)) {
      try {
        return BigInt(v as string | number);
      } catch {
        throw inputError(
          'bad-args',
          `${where}: argument ${i + 1} (${type}) is "${v}", not an integer`,
          'write integers as decimal strings',
        );
      }
    }
    return v;
  });
}

export function encodeCall(
  system: Pick<DeployedSystem, 'governance' | 'contracts'>,
  abi: Abi,
  call: CallConfig,
  where: string,
): Hex {
  const fn = abi.find((x) => x.type === 'function' && x.name === call.function);
  if (fn?.type !== 'function') {
    throw inputError(
      'unknown-function',
      `${where}: no function "${call.function}"`,
      'check the function name in the config',
    );
  }
  return encodeFunctionData({
    abi: [fn],
    functionName: fn.name,
    args: coerceArgs(system, fn.inputs, call.args, `${where}.${fn.name}`),
  });
}

/** Local accounts beyond the node's pre-funded ones (users, guardian) get gas money. */
export async function fundAccounts(clients: Clients, names: Iterable<string>): Promise<void> {
  for (const name of new Set(names)) {
    await clients.test.setBalance({ address: accountFor(name).address, value: 10n ** 21n });
  }
}

export async function deploySystem(
  clients: Clients,
  project: Project,
  spec: SystemConfig,
): Promise<DeployedSystem> {
  if (spec.governance.threshold > spec.governance.owners) {
    throw inputError(
      'bad-threshold',
      `governance threshold ${spec.governance.threshold} exceeds ${spec.governance.owners} owners`,
      'lower the threshold',
    );
  }
  const deployer = accountFor('deployer');
  const owners = Array.from({ length: spec.governance.owners }, (_, i) => localAccount(i + 1));
  const governance = await deployGovernance(clients, project, deployer, {
    owners,
    threshold: spec.governance.threshold,
    minDelay: BigInt(spec.governance.minDelay),
  });
  const system: DeployedSystem = {
    governance,
    owners,
    threshold: spec.governance.threshold,
    contracts: new Map(),
  };
  const wallet = clients.wallet(deployer);
  for (const entry of spec.deploy) {
    const handle = findContract(project, entry.contract);
    const abi = abiOf(handle);
    const ctor = abi.find((x) => x.type === 'constructor');
    const ctorArgs = coerceArgs(
      system,
      ctor && ctor.type === 'constructor' ? ctor.inputs : [],
      entry.args,
      `${entry.name} constructor`,
    );
    const impl = await deploy(wallet, clients.public, handle, ctorArgs);
    if (!entry.proxy) {
      system.contracts.set(entry.name, { name: entry.name, address: impl, abi });
      continue;
    }
    const initData = entry.init ? encodeCall(system, abi, entry.init, entry.name) : '0x';
    if (entry.proxy === 'transparent') {
      const { proxy, proxyAdmin } = await deployTransparentProxy(clients, project, deployer, {
        implementation: impl,
        initData,
        owner: governance.timelock,
      });
      system.contracts.set(entry.name, {
        name: entry.name,
        address: proxy,
        implementation: impl,
        proxyKind: 'transparent',
        proxyAdmin,
        abi,
      });
    } else {
      const proxy = await deployUupsProxy(clients, project, deployer, { implementation: impl, initData });
      system.contracts.set(entry.name, {
        name: entry.name,
        address: proxy,
        implementation: impl,
        proxyKind: 'uups',
        abi,
      });
    }
  }
  await fundAccounts(
    clients,
    spec.setup.map((s) => s.from),
  );
  for (const [i, step] of spec.setup.entries()) {
    const target = system.contracts.get(step.to);
    if (!target)
      throw inputError(
        'unknown-contract',
        `setup[${i}].to "${step.to}" is not deployed`,
        `deployed: ${[...system.contracts.keys()].join(', ')}`,
      );
    const from = accountFor(step.from);
    const data = encodeCall(
      system,
      target.abi,
      { function: step.function, args: step.args },
      `setup[${i}] ${step.to}`,
    );
    try {
      const hash = await clients.wallet(from).sendTransaction({ to: target.address, data });
      const receipt = await clients.public.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error('reverted');
    } catch (e) {
      const data = revertData(e);
      const reason = data
        ? describeRevert(data, target.abi)
        : ((e as { shortMessage?: string }).shortMessage ?? String(e));
      throw environmentError(
        'setup-reverted',
        `setup[${i}] ${step.from} → ${step.to}.${step.function} reverted: ${reason}`,
        'fix the setup steps in the config',
        e,
      );
    }
  }
  return system;
}

/**
 * The config with `live` pointing at a deployed system: what a team writes once its protocol is on chain, and
 * how the lifecycle commands (and a fork) find it. Non-proxied contracts keep their contract name for the ABI.
 */
export function withLiveAddresses(config: Config, system: DeployedSystem): Config {
  const live: NonNullable<Config['live']> = {};
  for (const [name, c] of system.contracts) {
    const deployed = config.system?.deploy.find((d) => d.name === name);
    live[name] = {
      address: c.address,
      ...(c.proxyKind || !deployed ? {} : { contract: deployed.contract }),
    };
  }
  return { ...config, live };
}
