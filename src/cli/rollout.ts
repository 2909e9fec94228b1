/**
 * `patchgate rollout`: one patch on many chains (docs/rollout.md) — propose it on the config's `chains` as one
 * rollout, approve every chain's patch at once, run it (queue all, then execute and verify each in order, stop at
 * the first failure; a re-run resumes), and show its matrix. No --rpc: the nodes are the config's `chains`.
 */
import { resolve } from 'node:path';
import { Argument, Command } from 'commander';
import type { Hex } from 'viem';
import { loadConfig } from '../config/load.js';
import { inputError } from '../core/errors.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { RolloutReport } from '../lifecycle/rollout.js';
import { emit, type LifecycleOptions, openStoreFrom, optionalAccount, requiredAccount } from './lifecycle.js';
import {
  addChainsOption,
  addKeyOptions,
  addOutputOptions,
  addPatchOption,
  addProjectOptions,
  addStoreOptions,
  choiceOption,
  type KeyOptions,
  parseDigest,
  stateDirOf,
} from './options.js';

type Base = Pick<Lifecycle, 'config' | 'projectDir' | 'stateDir' | 'store'>;

async function withBase<T>(
  opts: LifecycleOptions,
  create: boolean,
  run: (base: Base) => Promise<T>,
): Promise<T> {
  const { config, projectDir } = await loadConfig({
    file: opts.config,
    searchDir: resolve(opts.project ?? '.'),
  });
  const store = await openStoreFrom(opts, { create });
  try {
    return await run({ config, projectDir, stateDir: resolve(stateDirOf(opts)), store });
  } finally {
    await store.close();
  }
}

/** The matrix for people: one line per chain in run order, then where the last run stopped. */
export function rolloutText(r: RolloutReport): string[] {
  if (r.refused) {
    const failed = r.refused.report.stages.find((s) => s.status === 'failed')?.name ?? 'a stage';
    return [
      `REFUSED  ${r.patch} on chain ${r.refused.chain}: ${failed} fails — nothing was proposed on any chain`,
      ...r.refused.report.findings.map((f) => `  ${f.severity.padEnd(8)} ${f.id}  ${f.message}`),
    ];
  }
  return [
    `rollout ${r.id}  ${r.patch}  (${r.lane} lane${r.created === false ? ', already proposed' : ''})`,
    ...(r.implementation
      ? [
          `  implementation  ${r.implementation.address} on every chain, codehash ${r.implementation.codehash}`,
        ]
      : []),
    '  order  chain            chain id  state      value at risk  patch digest',
    ...r.matrix.map(
      (m, i) =>
        `  ${String(i + 1).padStart(5)}  ${m.chain.padEnd(16)} ${String(m.chainId).padEnd(9)} ${m.state.padEnd(10)} ${(m.valueAtRiskUsd !== undefined ? `$${m.valueAtRiskUsd}` : '?').padStart(13)}  ${m.digest}`,
    ),
    ...(r.halted
      ? [
          `  HALTED at ${r.halted.chain} (${r.halted.step}, ${r.halted.at}): ${r.halted.code}: ${r.halted.message}`,
        ]
      : []),
  ];
}

function common(cmd: Command): Command {
  addProjectOptions(cmd);
  addStoreOptions(cmd);
  return addOutputOptions(cmd, ['text', 'json']);
}

export function rolloutCommand(onExit: (code: number) => void): Command {
  const rollout = new Command('rollout').description(
    'one patch on many chains: propose it on every chain of the config, approve, run in order, show the matrix',
  );

  const propose = new Command('propose').description(
    "propose a patch on the config's chains as one rollout: check once, simulate and assess on each chain, one CREATE2 implementation everywhere",
  );
  addPatchOption(propose, 'the patch, as declared in the config', { required: true });
  addChainsOption(propose, 'comma-separated chain names (default: every chain of the config)');
  propose
    .addOption(
      choiceOption('--lane <lane>', 'standard (review window) or emergency', [
        'standard',
        'emergency',
      ]).default('standard'),
    )
    .option('--again', 'propose anew even when this rollout is already open');
  common(propose);
  addKeyOptions(propose, 'the deployer (puts the implementation on each chain)');
  propose.action(
    async (
      opts: LifecycleOptions &
        KeyOptions & { patch: string; chains?: string[]; lane: 'standard' | 'emergency'; again?: boolean },
    ) => {
      const deployer = optionalAccount(opts);
      const { proposeRollout } = await import('../lifecycle/rollout.js');
      const r = await withBase(opts, true, (base) =>
        proposeRollout(base, {
          patch: opts.patch,
          lane: opts.lane,
          ...(opts.chains ? { chains: opts.chains } : {}),
          ...(deployer ? { deployer } : {}),
          ...(opts.again ? { again: true } : {}),
        }),
      );
      emit(opts, r, () => rolloutText(r));
      onExit(r.refused ? 1 : 0);
    },
  );

  const approve = new Command('approve').description(
    "approve every chain's patch of a rollout (each approval on its chain's digest, which binds the whole rollout)",
  );
  approve.addArgument(new Argument('<rollout>', 'the rollout id').argParser(parseDigest));
  common(approve);
  addKeyOptions(approve, 'the approver');
  approve.action(async (id: Hex, opts: LifecycleOptions & KeyOptions) => {
    const signer = requiredAccount(opts);
    const { approveRollout, rolloutStatus } = await import('../lifecycle/rollout.js');
    const r = await withBase(opts, false, async (base) => {
      await approveRollout(base, { id, signer });
      return (await rolloutStatus(base, id)) as RolloutReport;
    });
    emit(opts, r, () => [`approved by ${signer.address}`, ...rolloutText(r)]);
    onExit(0);
  });

  const run = new Command('run').description(
    'queue every chain, then execute and verify each in order (largest value at risk first, or rollout.order); stop at the first failure, resume on a re-run',
  );
  run.addArgument(new Argument('<rollout>', 'the rollout id').argParser(parseDigest));
  run
    .option('--warp', "local chains: move each chain's clock to its ETA instead of stopping there")
    .option('--wait', "live chains: wait for each chain's ETA");
  common(run);
  addKeyOptions(run, 'the submitter (pays gas; any funded account)');
  run.action(async (id: Hex, opts: LifecycleOptions & KeyOptions & { warp?: boolean; wait?: boolean }) => {
    if (opts.warp && opts.wait)
      throw inputError('invalid-argument', '--warp and --wait together', 'pass one of them');
    const submitter = requiredAccount(opts);
    const { runRollout } = await import('../lifecycle/rollout.js');
    const r = await withBase(opts, false, (base) =>
      runRollout(base, { id, submitter, wait: opts.warp ? 'warp' : opts.wait ? 'poll' : 'no' }),
    );
    emit(opts, r, () => rolloutText(r));
    onExit(0);
  });

  const status = new Command('status').description(
    'a rollout: each chain in run order, its state, where a run stopped',
  );
  status.addArgument(new Argument('<rollout>', 'the rollout id').argParser(parseDigest));
  common(status);
  status.action(async (id: Hex, opts: LifecycleOptions) => {
    const { rolloutStatus } = await import('../lifecycle/rollout.js');
    const r = await withBase(opts, false, (base) => rolloutStatus(base, id));
    if (!r)
      throw inputError(
        'unknown-rollout',
        `no rollout ${id} in the store`,
        'the id `rollout propose` printed',
      );
    emit(opts, r, () => rolloutText(r));
    onExit(0);
  });

  return rollout.addCommand(propose).addCommand(approve).addCommand(run).addCommand(status);
}
