/**
 * `simulate`: a shadow deployment of the live system on a local chain, the patch applied through the real
 * governance path, and the exploit PoCs run before and after. Fail closed: a chain that will not start or a
 * setup that reverts is an environment error (exit 3), never a pass.
 */

import { type Address, keccak256, toHex } from 'viem';
import { makeFinding } from '../analyze/catalog.js';
import { storageLayoutOf } from '../analyze/upgrades.js';
import { projectErrorsAbi } from '../build/errors-abi.js';
import { ensureNamespaced, findContract, loadProject } from '../build/index.js';
import { type Anvil, startAnvil } from '../chain/anvil.js';
import { connect } from '../chain/clients.js';
import { abiOf, deploy } from '../chain/deploy.js';
import { type Control, describeControl, introspectProxy } from '../chain/proxy.js';
import { displayUrl, parseRpcUrl, probeRpc } from '../chain/rpc.js';
import { type Config, configSchema } from '../config/schema.js';
import { evidenceDigest } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import { type Finding, type Report, verdictOf } from '../core/finding.js';
import { stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { timelockCall } from '../govern/plan.js';
import { attachSystem } from '../system/attach.js';
import { deploySystem, fundAccounts } from '../system/deploy.js';
import { patchUpgradeCall } from '../system/encode.js';
import { accountFor } from '../system/model.js';
import { type GovernanceResult, upgradeThroughGovernance } from './governance.js';
import { checkInvariant, deployInvariantContracts, type InvariantCheck } from './invariants.js';
import {
  type GasRow,
  type InvariantRow,
  judgeInvariants,
  judgePocs,
  judgeReplay,
  type PocRow,
} from './judge.js';
import { type PocRun, runPoc } from './poc.js';
import {
  blockRangeCalls,
  callsFromSteps,
  type ReplayCall,
  type ReplayDifference,
  replayCalls,
} from './replay.js';
import { classifyChanges, type SlotChange, tracePreimages, traceStorageChanges } from './storage-diff.js';

/** The record fields a gated call does not read (a simulation has no patch record yet). */
const SIMULATED = {
  chainId: 0,
  implementation: '0x0000000000000000000000000000000000000000',
  lane: 'standard',
  evidence: {},
} as const;

/** A 32-byte word without its leading zeros, for messages. */
const trimWord = (hex: string) => `0x${hex.replace(/^0x0*/, '') || '0'}`;

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
}

export interface SimulateReport extends Report {
  patch: string;
  chain: { mode: 'embedded' | 'rpc' | 'fork'; chainId: number };
  /**
   * Where the simulation ran. Always patchgate's own embedded anvil — fresh (`embedded`) or forking the
   * node named by --rpc/--fork-url (`fork`, `source` = that URL, masked): the node named is never written to.
   */
  node: { mode: 'embedded' | 'fork'; source?: string; forkBlock?: number };
  /** Who can upgrade, cancel and pause the patched proxy, read from the chain before the upgrade. */
  control: Control;
  candidate: { contract: string; implementation?: Address };
  governancePath: GovernanceResult | { ok: false; skipped: string };
  invariants: InvariantRow[];
  replay: { transactions: number; differences: ReplayDifference[] };
  gas: GasRow[];
  /** Every proxy slot the upgrade transaction changed, named by the candidate's layout. */
  storageDiff: SlotChange[];
  poc: PocRow[];
}

/**
 * `patchgate simulate`: deploy the system on an embedded anvil (or fork a node), run the patch through the real
 * governance path and judge storage, invariants, PoCs, events and gas before and after.
 *
 * @example
 * ```ts
 * const { config, projectDir } = await loadConfig({ searchDir: 'examples/vault' });
 * const report = await runSimulate({ config, projectDir, stateDir: '.patchgate', patch: 'fix-flash-deposit' });
 * console.log(report.verdict);
 * ```
 */
export async function runSimulate(params: SimulateParameters): Promise<SimulateReport> {
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
  const recorder = stageRecorder();
  const timed = recorder.time;
  const project = await timed('build', () =>
    loadProject({ dir: params.projectDir, stateDir: params.stateDir }),
  );
  const errorsAbi = projectErrorsAbi(project);
  let anvil: Anvil | undefined;
  try {
    const fork = source
      ? [
          '--fork-url',
          source,
          ...(params.forkBlock !== undefined ? ['--fork-block-number', String(params.forkBlock)] : []),
        ]
      : [];
    // Step tracing lets the storage diff name mapping entries from the KECCAK256 preimages.
    anvil = await startAnvil({
      args: ['--steps-tracing', ...fork],
      timeoutMs: source ? 60_000 : 10_000,
    });
    const clients = await connect(anvil.rpcUrl);
    const system = await timed(params.forkUrl ? 'attach' : 'deploy', () =>
      params.forkUrl
        ? attachSystem(clients, project, config)
        : deploySystem(clients, project, config.system as NonNullable<Config['system']>),
    );
    const target = system.contracts.get(patch.contract);
    // The live system's invariants: the config's view-call ones and every invariant_*() of its Solidity ones.
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
    const findings: Finding[] = [];
    let storageDiff: SlotChange[] = [];
    // The PoCs that attack the patched contract.
    const pocs = config.pocs.filter((p) => p.target === patch.contract);
    const before = await timed('poc-before', async () => {
      const out: Record<string, PocRun> = {};
      for (const poc of pocs) out[poc.name] = await runPoc(clients, project, system, poc, errorsAbi);
      return out;
    });

    const invariantsBefore = await timed('invariants-before', async () => {
      const out: Record<string, InvariantCheck> = {};
      for (const inv of liveInvariants)
        out[inv.name] = await checkInvariant(
          clients,
          system,
          inv,
          system.contracts.get(inv.target)?.abi ?? [],
        );
      return out;
    });

    await fundAccounts(
      clients,
      config.replay.map((s) => s.from),
    );
    const abiOfDeployed = (name: string) => system.contracts.get(name)?.abi ?? [];
    // The user flows of the config, plus on a fork the real transactions of a block range.
    const calls: ReplayCall[] = callsFromSteps(system, config.replay, abiOfDeployed);
    if (params.replayBlocks) {
      if (!params.forkUrl)
        throw inputError(
          'replay-blocks-needs-fork',
          '--replay-blocks needs --fork-url',
          'replay historical blocks on a fork of the network they happened on',
        );
      const history = await connect(params.forkUrl, { option: '--fork-url' });
      calls.push(
        ...(await blockRangeCalls(history.public, system, params.replayBlocks[0], params.replayBlocks[1])),
      );
    }
    const replayBefore = await timed('replay-before', async () => {
      const snapshot = await clients.test.snapshot();
      try {
        return await replayCalls(clients, system, calls, errorsAbi);
      } finally {
        await clients.test.revert({ id: snapshot });
      }
    });

    // The upgrade, through the real path.
    const candidateHandle = findContract(project, patch.candidate);
    const implementation = await deploy(
      clients.wallet(accountFor('deployer')),
      clients.public,
      candidateHandle,
    );
    const upgrade = patchUpgradeCall(system, { ...target, proxyKind: target.proxyKind }, patch, {
      abi: abiOf(candidateHandle),
      implementation,
    });
    // Through patchgate's PatchGate when the live system has one (found on chain): it checks the codehash.
    const call = target.gate
      ? timelockCall(
          {
            ...SIMULATED,
            proxy: target.address,
            target: upgrade.target,
            calldata: upgrade.data,
            codehash: keccak256((await clients.public.getCode({ address: implementation })) ?? '0x'),
          },
          { gate: target.gate, salt: keccak256(toHex(`patchgate:simulate:${patch.name}`)) },
        )
      : upgrade;
    const governance = await timed(
      'governance',
      () =>
        upgradeThroughGovernance(clients, system.governance, {
          ...call,
          salt: keccak256(toHex(`patchgate:${patch.name}`)),
          // The standard lane's review window, when the policy sets one: time-dependent effects show.
          ...(config.policy.lanes.standard.delay !== undefined
            ? { delay: BigInt(config.policy.lanes.standard.delay) }
            : {}),
          signers: system.owners.slice(0, system.threshold),
          submitter: accountFor('deployer'),
          errorsAbi,
        }),
      (r) => (r.ok ? 'passed' : 'failed'),
    );
    if (!governance.ok) {
      findings.push(
        makeFinding('simulation-reverted', {
          message: `${governance.revert?.step} reverted: ${governance.revert?.reason} (upgrading ${patch.contract} to ${candidateHandle.name}).`,
          status: 'introduced',
          key: governance.revert?.step,
        }),
      );
    } else {
      const execute = governance.steps.find((st) => st.name === 'safe-execute')?.txHash;
      const referenceRef = config.contracts[patch.contract]?.reference ?? patch.contract;
      const referenceHandle = findContract(project, referenceRef);
      for (const unit of new Set([candidateHandle.unit, referenceHandle.unit]))
        await ensureNamespaced(unit, params.stateDir);
      if (execute) {
        storageDiff = classifyChanges(
          await traceStorageChanges(clients.public, execute, target.address),
          storageLayoutOf(candidateHandle),
          storageLayoutOf(referenceHandle),
          patch.expectStorage,
          await tracePreimages(clients.public, execute),
        );
        for (const change of storageDiff.filter((ch) => !ch.expected)) {
          findings.push(
            makeFinding('storage-unexpected-change', {
              message: `${change.variable} (slot ${trimWord(change.slot)}) changed ${trimWord(change.before)} → ${trimWord(change.after)} during the upgrade; only the implementation, the initializer version and new variables were expected to change.`,
              status: 'introduced',
              key: change.slot,
            }),
          );
        }
      }
      const live = (await introspectProxy(clients.public, target.address)).implementation;
      if (live.toLowerCase() !== implementation.toLowerCase()) {
        findings.push(
          makeFinding('upgrade-not-applied', {
            message: `after the governance path, ${patch.contract} points at ${live}, not the candidate ${implementation}.`,
            status: 'introduced',
          }),
        );
      }
    }

    const after = await timed('poc-after', async () => {
      const out: Record<string, PocRun> = {};
      if (!governance.ok) return out;
      for (const poc of pocs) out[poc.name] = await runPoc(clients, project, system, poc, errorsAbi);
      return out;
    });
    const allInvariants = [...liveInvariants, ...patch.invariants];
    const invariantsAfter = await timed('invariants-after', async () => {
      const out: Record<string, InvariantCheck> = {};
      if (!governance.ok) return out;
      for (const inv of allInvariants) {
        // The patched contract answers with the candidate's ABI; every other contract with its own.
        const abi =
          inv.target === patch.contract
            ? abiOf(candidateHandle)
            : (system.contracts.get(inv.target)?.abi ?? []);
        out[inv.name] = await checkInvariant(clients, system, inv, abi);
      }
      return out;
    });
    // The same user flows on the upgraded system, invariants checked after each transaction.
    const brokenDuringReplay = new Map<string, string>();
    const replayAfter = await timed('replay-after', async () => {
      if (!governance.ok) return [];
      const abiAfter = (name: string) =>
        name === patch.contract ? abiOf(candidateHandle) : abiOfDeployed(name);
      const snapshot = await clients.test.snapshot();
      try {
        // The same calldata as before the upgrade (encoded with the live ABI), whatever the candidate exposes.
        return await replayCalls(clients, system, calls, errorsAbi, async (i) => {
          for (const inv of allInvariants) {
            if (brokenDuringReplay.has(inv.name)) continue;
            const check = await checkInvariant(clients, system, inv, abiAfter(inv.target));
            if (!check.held)
              brokenDuringReplay.set(
                inv.name,
                `after replay[${i}] (${calls[i]?.label}): got ${check.actual}`,
              );
          }
        });
      } finally {
        await clients.test.revert({ id: snapshot });
      }
    });
    const judged = [
      judgeReplay(replayBefore, replayAfter),
      judgeInvariants(allInvariants, invariantsBefore, invariantsAfter, brokenDuringReplay),
      judgePocs(pocs, before, after),
    ] as const;
    for (const j of judged) findings.push(...j.findings);
    const [{ differences, gas }, { rows: invariants }, { rows: poc }] = judged;
    const verdict = verdictOf(findings);
    const evidence = {
      patch: patch.name,
      candidate: candidateHandle.fullyQualifiedName,
      governance,
      poc,
      findings,
    };
    return {
      tool: { name: 'patchgate', version: VERSION },
      verdict,
      digest: evidenceDigest(evidence),
      stages: recorder.stages,
      findings,
      patch: patch.name,
      control,
      chain: {
        mode: params.forkUrl ? 'fork' : params.rpcUrl ? 'rpc' : 'embedded',
        chainId: clients.chain.id,
      },
      node: source
        ? {
            mode: 'fork',
            source: displayUrl(source),
            ...(params.forkBlock !== undefined ? { forkBlock: params.forkBlock } : {}),
          }
        : { mode: 'embedded' },
      candidate: { contract: candidateHandle.fullyQualifiedName, implementation },
      governancePath: governance,
      storageDiff,
      invariants,
      replay: { transactions: calls.length, differences },
      gas,
      poc,
    };
  } finally {
    await anvil?.stop();
  }
}
