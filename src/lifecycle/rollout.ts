/**
 * One patch, many chains (docs/rollout.md). `proposeRollout` proposes a patch on every chain of the config (or
 * those named) as one rollout: check runs once, simulate and assess on a fork of each chain, the implementation
 * lands at the same CREATE2 address with the same codehash everywhere (verified), and each chain's patch record
 * carries the rollout — every target's chain, proxy, call and code — as evidence: its digest, and so each approval
 * of it, binds all of them. `runRollout` then queues every chain, in order (largest value at risk first, or the
 * config's order), executes and verifies each in that order, and stops at the first failure; each step is the
 * crash-safe per-chain one, so a re-run resumes where the last stopped.
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex, type Hex, keccak256, type LocalAccount } from 'viem';
import { findContract } from '../build/find.js';
import { evidenceDigest } from '../core/digest.js';
import { blockedError, inputError, isPatchgateError } from '../core/errors.js';
import { type Lane, type PatchRecord, patchDigest } from '../govern/digest.js';
import { parseUsd } from '../risk/money.js';
import {
  allRollouts,
  haltRollout,
  type RolloutHalt,
  type RolloutTarget,
  rolloutById,
  type StoredRollout,
  saveRollout,
} from '../store/rollouts.js';
import type { PatchState } from '../store/store.js';
import { type ApproveResult, approve } from './approve.js';
import { type ChainLifecycle, chainLifecycles } from './chains.js';
import { projectOf } from './context.js';
import { checkPatch } from './evidence.js';
import { execute, type WaitMode } from './execute.js';
import type { Lifecycle } from './lifecycle.js';
import { syncLog } from './log-sync.js';
import { type ProposeReport, propose } from './propose.js';
import { queue } from './queue.js';
import { verify } from './verify.js';

type Base = Pick<Lifecycle, 'config' | 'projectDir' | 'stateDir' | 'store'>;

/** What a rollout's evidence says of each target: enough to recompute its call and check its code. */
interface TargetEvidence {
  chain: string;
  chainId: number;
  proxy: Hex;
  target: Hex;
  implementation: Hex;
  codehash: Hex;
  calldataHash: Hex;
}

export interface RolloutRow {
  chain: string;
  chainId: number;
  digest: Hex;
  state: PatchState;
  /** The value at risk on that chain at proposal (dollars), when it was known. */
  valueAtRiskUsd?: string;
}

export interface RolloutReport {
  id: Hex;
  patch: string;
  lane: Lane;
  /** False when the rollout was already in the store (a re-run). */
  created?: boolean;
  implementation?: { address: Hex; codehash: Hex };
  /** The chains in the order `rollout` takes them, with their state. */
  matrix: RolloutRow[];
  halted?: RolloutHalt;
  /** When a chain refused the proposal: which, and the propose report that says why. */
  refused?: { chain: string; report: ProposeReport };
}

function targetEvidence(chain: string, r: PatchRecord): TargetEvidence {
  return {
    chain,
    chainId: r.chainId,
    proxy: r.proxy,
    target: r.target,
    implementation: r.implementation,
    codehash: r.codehash,
    calldataHash: keccak256(r.calldata),
  };
}

/**
 * The rollout evidence: the patch, its lane, every target ordered by chain id, and a fresh nonce — the rollout id is
 * its hash, so a rollout proposed again (`--again`, after a cancel) is another rollout, never the old one's id.
 */
function rolloutEvidence(patch: string, lane: Lane, targets: TargetEvidence[], nonce: Hex) {
  return { patch, lane, nonce, targets: [...targets].sort((a, b) => a.chainId - b.chainId) };
}

/**
 * The matrix of a stored rollout: each chain's state, in the order a run takes them (the config's `rollout.order`,
 * else the largest value at risk first, then by name).
 */
async function rolloutMatrix(base: Base, rollout: StoredRollout): Promise<RolloutRow[]> {
  const rows = await Promise.all(
    rollout.targets.map(async (t): Promise<RolloutRow> => {
      const patch = await base.store.get(t.digest);
      const assess = (await base.store.evidence(t.digest)).assess as
        | { valueAtRisk?: { usd?: string } }
        | undefined;
      const usd = assess?.valueAtRisk?.usd;
      return {
        ...t,
        state: patch?.state ?? 'proposed',
        ...(usd !== undefined ? { valueAtRiskUsd: usd } : {}),
      };
    }),
  );
  const order = base.config.rollout?.order;
  const rank = (r: RolloutRow) => (order ? order.indexOf(r.chain) : -1);
  return rows.sort((a, b) => {
    if (order) return (rank(a) === -1 ? 1e9 : rank(a)) - (rank(b) === -1 ? 1e9 : rank(b));
    const va = a.valueAtRiskUsd !== undefined ? parseUsd(a.valueAtRiskUsd) : -1n;
    const vb = b.valueAtRiskUsd !== undefined ? parseUsd(b.valueAtRiskUsd) : -1n;
    return va === vb ? a.chain.localeCompare(b.chain) : vb > va ? 1 : -1;
  });
}

/** A rollout from the store, and a lifecycle on each of its chains. */
async function openRollout(
  base: Base,
  id: Hex,
): Promise<{ rollout: StoredRollout; lcs: Map<string, ChainLifecycle> }> {
  const rollout = await rolloutById(base.store.db, id);
  if (!rollout) {
    throw inputError(
      'unknown-rollout',
      `no rollout ${id} in the store`,
      'run `patchgate status` to list patches and rollouts',
    );
  }
  const lcs = await chainLifecycles(
    base,
    rollout.targets.map((t) => t.chain),
  );
  return { rollout, lcs: new Map(lcs.map((lc) => [lc.chain, lc])) };
}

/**
 * Every target's record must carry this rollout as evidence, and the rollout must hash to its id: a patch
 * swapped into a rollout (or a rollout edited in the store) is refused before anything is sent.
 */
async function requireBound(base: Base, rollout: StoredRollout): Promise<void> {
  const stored = await Promise.all(rollout.targets.map((t) => base.store.get(t.digest)));
  const targets = stored.map((p, i) => {
    const t = rollout.targets[i] as RolloutTarget;
    if (!p || p.record.chainId !== t.chainId || p.record.evidence.rollout !== rollout.id) {
      throw inputError(
        'rollout-mismatch',
        `the patch of chain ${t.chain} (${t.digest}) is not bound to rollout ${rollout.id}`,
        'propose the rollout again (`patchgate propose --chains`)',
      );
    }
    return targetEvidence(t.chain, p.record);
  });
  const nonces = await Promise.all(
    rollout.targets.map(
      async (t) => ((await base.store.evidence(t.digest)).rollout as { nonce?: Hex } | undefined)?.nonce,
    ),
  );
  const nonce = nonces[0];
  if (!nonce || nonces.some((n) => n !== nonce)) {
    throw inputError(
      'rollout-mismatch',
      `the chains of rollout ${rollout.id} do not carry one rollout evidence`,
      'the store was edited: propose the rollout again',
    );
  }
  const recomputed = evidenceDigest(rolloutEvidence(rollout.name, rollout.lane, targets, nonce));
  if (recomputed !== rollout.id) {
    throw inputError(
      'rollout-mismatch',
      `rollout ${rollout.id} does not hash to its targets (recomputed ${recomputed})`,
      'the store was edited: propose the rollout again',
    );
  }
}

/** The open rollout of this patch and lane on exactly these chains, if there is one (a re-run returns it). */
async function openRolloutOf(
  base: Base,
  patch: string,
  lane: Lane,
  chains: string[],
): Promise<StoredRollout | undefined> {
  const wanted = [...chains].sort().join(',');
  for (const r of await allRollouts(base.store.db)) {
    if (
      r.name !== patch ||
      r.lane !== lane ||
      r.targets
        .map((t) => t.chain)
        .sort()
        .join(',') !== wanted
    )
      continue;
    const states = await Promise.all(r.targets.map(async (t) => (await base.store.get(t.digest))?.state));
    if (states.every((s) => s !== undefined && !['cancelled', 'expired'].includes(s))) return r;
  }
  return undefined;
}

/**
 * Proposes a patch on many chains as one rollout; a re-run returns the open one.
 *
 * @example
 * ```ts
 * const r = await proposeRollout(base, { patch: 'fix-flash-deposit', lane: 'standard', deployer });
 * console.log(r.id, r.matrix.map((m) => `${m.chain} ${m.state}`));
 * ```
 */
export async function proposeRollout(
  base: Base,
  params: { patch: string; lane: Lane; chains?: string[]; deployer?: LocalAccount; again?: boolean },
): Promise<RolloutReport> {
  const lcs = await chainLifecycles(base, params.chains ?? []);
  const names = lcs.map((lc) => lc.chain);
  if (!params.again) {
    const open = await openRolloutOf(base, params.patch, params.lane, names);
    if (open) return { ...(await reportOf(base, open)), created: false };
  }
  const first = lcs[0] as ChainLifecycle;
  const patch = first.config.patches.find((p) => p.name === params.patch);
  if (!patch) {
    throw inputError(
      'unknown-patch',
      `patch "${params.patch}" is not declared in the config`,
      `declared: ${first.config.patches.map((p) => p.name).join(', ') || 'none'}`,
    );
  }
  // The static check does not depend on the chain: once. Simulate and assess run on a fork of each chain.
  const check = await checkPatch(first, patch, await projectOf(first));
  const held: { lc: ChainLifecycle; report: ProposeReport }[] = [];
  for (const lc of lcs) {
    const report = await propose(lc, {
      patch: params.patch,
      lane: params.lane,
      ...(params.deployer ? { deployer: params.deployer } : {}),
      again: true,
      hold: true,
      reports: { check },
    });
    if (report.verdict !== 'pass' || !report.record || !report.held) {
      return {
        id: report.digest,
        patch: params.patch,
        lane: params.lane,
        matrix: [],
        refused: { chain: lc.chain, report },
      };
    }
    held.push({ lc, report });
  }
  // One implementation: the same CREATE2 address and the same runtime code on every chain.
  const [one] = held;
  const impl = one?.report.record as PatchRecord;
  const differs = held.find(
    (h) =>
      h.report.record?.implementation !== impl.implementation || h.report.record?.codehash !== impl.codehash,
  );
  if (differs) {
    throw inputError(
      'rollout-not-deterministic',
      `chain ${differs.lc.chain} got implementation ${differs.report.record?.implementation} (codehash ${differs.report.record?.codehash}), chain ${one?.lc.chain} ${impl.implementation} (${impl.codehash})`,
      'every chain needs the CREATE2 deployer at 0x4e59b44847b379578588920cA78FbF26c0B4956C and the same build',
    );
  }
  const evidence = rolloutEvidence(
    params.patch,
    params.lane,
    held.map((h) => targetEvidence(h.lc.chain, h.report.record as PatchRecord)),
    bytesToHex(randomBytes(32)),
  );
  const id = evidenceDigest(evidence);
  const targets: RolloutTarget[] = [];
  for (const { lc, report } of held) {
    const record: PatchRecord = {
      ...(report.record as PatchRecord),
      evidence: { ...(report.record as PatchRecord).evidence, rollout: id },
    };
    const digest = patchDigest(record);
    const plan = { ...(report.plan as NonNullable<ProposeReport['plan']>), salt: digest };
    await lc.store.propose(record, plan, { ...report.held?.reports, rollout: evidence });
    await syncLog(lc, digest);
    targets.push({ chain: lc.chain, chainId: record.chainId, digest });
  }
  await saveRollout(base.store.db, { id, name: params.patch, lane: params.lane, targets });
  return {
    ...(await reportOf(base, (await rolloutById(base.store.db, id)) as StoredRollout)),
    created: true,
    implementation: { address: impl.implementation, codehash: impl.codehash },
  };
}

async function reportOf(base: Base, rollout: StoredRollout): Promise<RolloutReport> {
  return {
    id: rollout.id,
    patch: rollout.name,
    lane: rollout.lane,
    matrix: await rolloutMatrix(base, rollout),
    ...(rollout.halted ? { halted: rollout.halted } : {}),
  };
}

/** The rollout and its matrix, from the store (no chain needed). */
export async function rolloutStatus(base: Base, id: Hex): Promise<RolloutReport | undefined> {
  const rollout = await rolloutById(base.store.db, id);
  return rollout ? reportOf(base, rollout) : undefined;
}

/**
 * One signer approves every chain's patch of a rollout (each approval on its own chain's digest, which binds the
 * whole rollout).
 */
export async function approveRollout(
  base: Base,
  params: { id: Hex; signer: LocalAccount },
): Promise<ApproveResult[]> {
  const { rollout, lcs } = await openRollout(base, params.id);
  await requireBound(base, rollout);
  const out: ApproveResult[] = [];
  for (const t of rollout.targets) {
    out.push(await approve(lcs.get(t.chain) as ChainLifecycle, { digest: t.digest, signer: params.signer }));
  }
  return out;
}

/**
 * Runs a rollout as far as it can go now: every chain queued (in order, so the fix goes public everywhere within
 * one run), then each executed and verified in order. The first failure stops it: recorded as `halted` and thrown;
 * what was done stays done, and a re-run resumes from the states in the store.
 */
export async function runRollout(
  base: Base,
  params: { id: Hex; submitter: LocalAccount; wait?: WaitMode },
): Promise<RolloutReport> {
  const { rollout, lcs } = await openRollout(base, params.id);
  await requireBound(base, rollout);
  const order = await rolloutMatrix(base, rollout);
  let step = 'queue';
  let chain = '';
  try {
    for (const row of order) {
      chain = row.chain;
      const lc = lcs.get(row.chain) as ChainLifecycle;
      const state = (await base.store.get(row.digest))?.state;
      if (state === 'proposed' || state === 'approved')
        await queue(lc, { digest: row.digest, submitter: params.submitter });
    }
    for (const row of order) {
      chain = row.chain;
      const lc = lcs.get(row.chain) as ChainLifecycle;
      step = 'execute';
      const state = (await base.store.get(row.digest))?.state;
      if (state === 'queued')
        await execute(lc, { digest: row.digest, submitter: params.submitter, wait: params.wait ?? 'no' });
      step = 'verify';
      if ((await base.store.get(row.digest))?.state === 'executed') {
        const v = await verify(lc, { digest: row.digest });
        if (v.verdict !== 'pass') {
          throw blockedError(
            'rollout-verify-failed',
            `chain ${row.chain}: what executed is not what was approved (${v.findings.map((f) => f.id).join(', ')})`,
            `run \`patchgate verify ${row.digest}\` on ${row.chain} for the report; the chains after it were not executed`,
          );
        }
      }
    }
  } catch (e) {
    const at = new Date().toISOString();
    const halted: RolloutHalt = isPatchgateError(e)
      ? { chain, step, code: e.code, message: e.shortMessage, at }
      : { chain, step, code: 'internal', message: (e as Error).message, at };
    await haltRollout(base.store.db, rollout.id, halted);
    throw e;
  }
  await haltRollout(base.store.db, rollout.id, undefined);
  return reportOf(base, { ...rollout, halted: undefined });
}
