/**
 * simulate, phase 1 — prepare: validate the request, start the embedded anvil (fresh, or forking the node named),
 * deploy the system from the config or attach to the live one, and gather what the later phases run: the patched
 * proxy, the PoCs that attack it, the invariants, the user flows to replay.
 */
import type { Abi } from 'viem';
import type { Project } from '../build/types.js';
import { type Anvil, startAnvil } from '../chain/anvil.js';
import { type Clients, connect } from '../chain/clients.js';
import { type Control, describeControl } from '../chain/proxy.js';
import { parseRpcUrl, probeRpc } from '../chain/rpc.js';
import {
  type Config,
  configSchema,
  type InvariantConfig,
  type PatchConfig,
  type PocConfig,
} from '../config/schema.js';
import { inputError } from '../core/errors.js';
import type { StageRecorder } from '../core/stages.js';
import { attachSystem } from '../system/attach.js';
import { deploySystem } from '../system/deploy.js';
import { deployInvariantContracts } from '../system/invariants.js';
import type { DeployedContract, DeployedSystem } from '../system/model.js';

export interface SimulateParameters {
  config: Config;
  projectDir: string;
  stateDir: string;
  patch: string;
  /**
   * Deploy the system on (a fork of) this node instead of a fresh embedded anvil. The node itself is only
   * read: the simulation runs on an embedded anvil forking it (see `node` in the report).
   */
  rpcUrl?: string;
  /** Fork a live network through the embedded anvil; the system is found at `config.live`, not deployed. */
  forkUrl?: string;
  forkBlock?: number;
  /** On a fork: replay the real transactions of these blocks (inclusive) before and after the upgrade. */
  replayBlocks?: [bigint, bigint];
  /** The differential fuzzer's seed (overrides `fuzz.seed` of the config): same seed, same calls, same report. */
  seed?: number;
}

/** A request checked before anything starts: the config with defaults, the patch, the node to fork (if any). */
export interface SimulationRequest {
  params: SimulateParameters;
  config: Config;
  patch: PatchConfig;
  /** The node named by --rpc or --fork-url, parsed and answering; undefined for a fresh chain. */
  source?: string;
}

/** Everything the later phases work on, on a running embedded anvil. */
export interface SimulationRun extends SimulationRequest {
  project: Project;
  errorsAbi: Abi;
  clients: Clients;
  system: DeployedSystem;
  /** The patched proxy. */
  target: DeployedContract & { proxyKind: 'transparent' | 'uups' };
  /** Who can upgrade, cancel and pause it, read from the chain before the upgrade. */
  control: Control;
  /** The PoCs that attack the patched contract. */
  pocs: PocConfig[];
  /** The live system's invariants: the config's view-call ones and every invariant_*() of its Solidity ones. */
  liveInvariants: InvariantConfig[];
  stages: StageRecorder;
}

/** Check the request without touching a chain: bad input is exit 2 before anything starts. */
export async function checkRequest(params: SimulateParameters): Promise<SimulationRequest> {
  // Library callers may hand in a config built in code: validate it and apply defaults like a loaded one.
  const parsed = configSchema.safeParse(params.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw inputError(
      'config-invalid',
      `config: ${issue?.path.join('.')}: ${issue?.message}`,
      'fix the config',
    );
  }
  const config = parsed.data;
  const patch = config.patches.find((p) => p.name === params.patch);
  if (!patch) {
    throw inputError(
      'unknown-patch',
      `patch "${params.patch}" is not declared in the config`,
      `declared: ${config.patches.map((p) => p.name).join(', ') || 'none'}`,
    );
  }
  if (!config.system && !params.forkUrl) {
    throw inputError(
      'no-system',
      'the config has no "system" section describing how to deploy the live system',
      'add system.governance, system.deploy and system.setup (see README)',
    );
  }
  if (params.rpcUrl && params.forkUrl) {
    throw inputError(
      'rpc-and-fork-url',
      '--rpc and --fork-url name two nodes; pass one',
      '--rpc deploys the system from the config on a fork of that node, --fork-url finds the live system on it',
    );
  }
  if (params.forkBlock !== undefined && !params.forkUrl && !params.rpcUrl) {
    throw inputError(
      'bad-fork-block',
      `--fork-block ${params.forkBlock} needs a node to fork: --fork-url or --rpc`,
      'without one, simulate deploys the system on a fresh chain, which has no history to fork at',
    );
  }
  if (params.replayBlocks && !params.forkUrl) {
    throw inputError(
      'replay-blocks-needs-fork',
      '--replay-blocks needs --fork-url',
      'replay historical blocks on a fork of the network they happened on',
    );
  }
  // A node named by --rpc or --fork-url is only ever read: the simulation (deployments, the Safe → timelock
  // transactions, the 48 h time warp) runs on an embedded anvil forking it, so the node's state, its clock and
  // the transactions other people send it meanwhile are untouched — even if patchgate is killed mid-run,
  // which no evm_snapshot/evm_revert could promise (and a revert would also drop everyone else's transactions).
  const source = params.forkUrl
    ? parseRpcUrl(params.forkUrl, '--fork-url')
    : params.rpcUrl
      ? parseRpcUrl(params.rpcUrl, '--rpc')
      : undefined;
  // A dead, slow or garbage-speaking node is one line naming it (exit 3), before anvil tries to fork it.
  if (source) await probeRpc(source);
  return { params, config, patch, ...(source ? { source } : {}) };
}

/** The embedded anvil the simulation runs on: fresh, or forking the request's node. Step tracing names mapping slots. */
export function startChain(request: SimulationRequest): Promise<Anvil> {
  const { source, params } = request;
  const fork = source
    ? [
        '--fork-url',
        source,
        ...(params.forkBlock !== undefined ? ['--fork-block-number', String(params.forkBlock)] : []),
      ]
    : [];
  return startAnvil({ args: ['--steps-tracing', ...fork], timeoutMs: source ? 60_000 : 10_000 });
}

/** Deploy (or attach to) the system on the running chain and gather what the later phases need. */
export async function prepareRun(
  request: SimulationRequest,
  project: Project,
  errorsAbi: Abi,
  rpcUrl: string,
  stages: StageRecorder,
): Promise<SimulationRun> {
  const { config, patch, params } = request;
  const clients = await connect(rpcUrl);
  const system = await stages.time(params.forkUrl ? 'attach' : 'deploy', () =>
    params.forkUrl
      ? attachSystem(clients, project, config)
      : deploySystem(clients, project, config.system as NonNullable<Config['system']>),
  );
  const target = system.contracts.get(patch.contract);
  const liveInvariants = [
    ...config.invariants,
    ...(await deployInvariantContracts(clients, project, system, config.invariantContracts)),
  ];
  if (!target?.proxyKind) {
    throw inputError(
      'not-a-proxy',
      `patch ${patch.name} targets "${patch.contract}", which the system does not deploy behind a proxy`,
      'deploy it with "proxy": "transparent" or "uups"',
    );
  }
  const control = await describeControl(clients.public, target.address);
  return {
    ...request,
    project,
    errorsAbi,
    clients,
    system,
    target: { ...target, proxyKind: target.proxyKind },
    control,
    pocs: config.pocs.filter((p) => p.target === patch.contract),
    liveInvariants,
    stages,
  };
}

/** A deployed contract's ABI by name (empty for a name the system does not deploy). */
export const abiOfDeployed = (system: DeployedSystem, name: string): Abi =>
  system.contracts.get(name)?.abi ?? [];
