/** `patchgate status`: every patch in the store, or one in detail (checked against the chain with --rpc). */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Hex } from 'viem';
import { connect } from '../chain/clients.js';
import { loadConfig } from '../config/load.js';
import { inputError } from '../core/errors.js';
import { type PatchStatus, patchStatus } from '../lifecycle/status.js';
import { unixTime } from '../lifecycle/time.js';
import { addLifecycleOptions, emit, type LifecycleOptions, openStoreFrom } from './lifecycle.js';
import { addDigestArgument, stateDirOf } from './options.js';

export function statusText(all: PatchStatus[], detailed: boolean): string[] {
  if (all.length === 0) return ['no patches in the store'];
  if (!detailed) {
    return all.map(
      (s) =>
        `${s.state.padEnd(9)} ${s.digest}  ${(s.name ?? '').padEnd(24)} ${s.lane.padEnd(9)} ${s.approvals.length} approval(s)${s.risk ? `  ${s.risk.priority} ${s.risk.severity}` : ''}`,
    );
  }
  const s = all[0] as PatchStatus;
  const lines = [
    `${s.name ?? 'patch'}  ${s.state}  (${s.lane} lane)`,
    `  digest          ${s.digest}`,
    `  chain / proxy   ${s.chainId} / ${s.proxy}`,
    `  implementation  ${s.implementation}`,
    `  approvals       ${s.approvals.length}${s.threshold !== undefined ? ` (${s.approvals.filter((a) => a.valid).length} valid, ${s.threshold} needed)` : ''}`,
    ...s.approvals.map(
      (a) =>
        `    ${a.signer}  expires ${unixTime(a.expiry)}${a.valid === false ? `  REFUSED: ${a.reason}` : ''}`,
    ),
    ...(s.risk
      ? [
          `  risk            ${s.risk.severity} (${s.risk.impact})${s.risk.public ? ', public' : ''}; ${s.risk.priority}, recommended lane ${s.risk.recommendedLane}; ${s.risk.valueAtRiskUsd !== undefined ? `$${s.risk.valueAtRiskUsd}` : 'unknown value'} at risk (block ${s.risk.block})`,
          ...Object.entries(s.risk.exposure).map(
            ([lane, w]) =>
              `    ${lane.padEnd(9)} window ${w.windowSeconds} s${w.exposureUsdHours !== undefined ? `, $${w.exposureUsdHours}·h exposed` : ''}${w.allowed ? '' : ', not allowed by the policy'}`,
          ),
        ]
      : []),
    `  safe signatures ${s.safeSignatures.map((x) => `${x.purpose}@${x.safeNonce} ${x.owner.slice(0, 10)}…`).join(', ') || 'none'}`,
  ];
  if (s.operation) {
    const eta = s.operation.eta ? unixTime(s.operation.eta) : 'not scheduled';
    lines.push(
      `  timelock        ${s.operation.id}  eta ${eta}  ready ${s.operation.ready}  done ${s.operation.done}`,
    );
  }
  lines.push('  history');
  for (const h of s.history)
    lines.push(`    ${(h.from ?? '—').padEnd(9)} → ${h.to.padEnd(9)} ${h.txHash ?? ''}`);
  return lines;
}

export function statusCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('status').description(
    'list the patches in the store, or show one (approvals, signatures, history, timelock state)',
  );
  addDigestArgument(cmd, { optional: true, description: 'one patch in detail' });
  addLifecycleOptions(cmd, {
    rpcNote: 'optional; with a digest, the patch is checked against that chain too',
  });
  cmd.action(async (digest: Hex | undefined, opts: LifecycleOptions) => {
    // A --rpc that was given is answered for, even for the list: a dead node is exit 3, never a quiet 0.
    const clients = opts.rpc ? await connect(opts.rpc) : undefined;
    const store = await openStoreFrom(opts, { create: false });
    try {
      const patches = digest ? [await store.get(digest)].filter((p) => p !== undefined) : await store.list();
      if (digest && patches.length === 0) {
        // A rollout's id: its matrix (each chain's patch and state, in run order).
        const { rolloutById } = await import('../store/rollouts.js');
        const rollout = await rolloutById(store.db, digest);
        if (rollout) {
          const { config, projectDir } = await loadConfig({
            file: opts.config,
            searchDir: resolve(opts.project ?? '.'),
          });
          const { rolloutStatus } = await import('../lifecycle/rollout.js');
          const { rolloutText } = await import('./rollout.js');
          const base = { config, projectDir, stateDir: stateDirOf(opts), store };
          const r = await rolloutStatus(base, digest);
          if (r) {
            emit(opts, r, () => rolloutText(r));
            onExit(0);
            return;
          }
        }
        throw inputError(
          'unknown-patch',
          `no patch ${digest} in the store`,
          'run `patchgate status` to list them',
        );
      }
      let lc: Parameters<typeof patchStatus>[2];
      if (clients && opts.rpc && digest) {
        const record = patches[0]?.record;
        if (record && record.chainId !== clients.chain.id) {
          throw inputError(
            'wrong-chain',
            `--rpc is chain ${clients.chain.id}, patch ${digest.slice(0, 10)}… is for chain ${record.chainId}`,
            'point --rpc at the chain the patch targets',
          );
        }
        const { config, projectDir } = await loadConfig({
          file: opts.config,
          searchDir: resolve(opts.project ?? '.'),
        });
        lc = {
          config,
          projectDir,
          stateDir: stateDirOf(opts),
          store,
          clients,
          rpcUrl: opts.rpc,
        };
      }
      const all: PatchStatus[] = [];
      for (const p of patches) all.push(await patchStatus(store, p, lc));
      emit(opts, digest ? all[0] : all, () => statusText(all, Boolean(digest)));
    } finally {
      await store.close();
    }
    onExit(0);
  });
  return cmd;
}
