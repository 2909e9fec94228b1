import { findContract } from '../build/find.js';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import { localAccount } from '../chain/clients.js';
import { abiOf, deploy } from '../chain/deploy.js';
import type { Config, SystemConfig } from '../config/schema.js';
import { environmentError, inputError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { deployGovernance, deployTransparentProxy, deployUupsProxy, keepCancellerOnly } from './contracts.js';
import { constructorArgs, encodeCall } from './encode.js';
import { accountFor, type DeployedSystem } from './model.js';

/** Local accounts beyond the node's pre-funded ones (users, guardian) get gas money. */
export async function fundAccounts(clients: Clients, names: Iterable<string>): Promise<void> {
  for (const name of new Set(names)) {
    await clients.test.setBalance({ address: accountFor(name).address, value: 10n ** 21n });
  }
}

/**
 * Deploy the system a config's `system` section describes on a local chain: the Safe and timelock, each contract
 * behind its proxy, and the setup transactions. The chain must be a dev node (anvil): accounts are its own.
 *
 * @example
 * ```ts
 * const anvil = await startAnvil();
 * const clients = await connect(anvil.rpcUrl);
 * const { config, projectDir } = await loadConfig({ searchDir: 'examples/vault' });
 * const project = await loadProject({ dir: projectDir, stateDir: '.patchgate' });
 * const system = await deploySystem(clients, project, config.system!);
 * ```
 */
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
    canceller: accountFor('canceller').address,
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
    const ctorArgs = constructorArgs(system, abi, entry.args, entry.name);
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
  // Last, so that no contract address above moves: the canceller keeps CANCELLER_ROLE and gives up the admin role.
  await fundAccounts(clients, ['canceller']);
  await keepCancellerOnly(clients, governance.timelock, accountFor('canceller'));
  return system;
}

/**
 * The config with `live` pointing at a deployed system: what a team writes once its protocol is on chain, and
 * how the lifecycle commands (and a fork) find it. Non-proxied contracts keep their contract name for the ABI.
 *
 * @example
 * ```ts
 * const live = withLiveAddresses(config, system); // then createLifecycle({ rpc: anvil.rpcUrl, config: live, … })
 * ```
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
