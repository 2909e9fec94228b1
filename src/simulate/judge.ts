/**
 * simulate's judge phase: turning before/after observations into report rows and findings — pure functions (the
 * chain work is in baseline.ts, upgrade.ts and after.ts). Replay differences (status/balances block, return/events are listed), invariants
 * (broken before voids the run, broken after or during the replay blocks) and PoCs (void evidence, or still
 * exploitable).
 */
import { makeFinding } from '../analyze/catalog.js';
import type { InvariantConfig, PocConfig } from '../config/schema.js';
import type { Finding } from '../core/finding.js';
import type { InvariantCheck } from '../system/invariants.js';
import type { After } from './after.js';
import type { Baseline } from './baseline.js';
import type { PocRun } from './poc.js';
import type { SimulationRun } from './prepare.js';
import { compareReplays, type ReplayDifference, type TxOutcome } from './replay.js';
import type { Upgrade } from './upgrade.js';

export interface GasRow {
  label: string;
  before: string | null;
  after: string | null;
  delta: string | null;
}

export interface InvariantRow {
  name: string;
  statement: string;
  before: 'held' | 'broken' | 'n/a';
  after: 'held' | 'broken' | 'skipped';
  actualBefore?: string;
  actualAfter?: string;
}

export interface PocRow {
  name: string;
  before: PocRun['outcome'];
  after: PocRun['outcome'] | 'skipped';
  profitBefore: string;
  /** Gas the attack used on the live version (what it costs the attacker to run it). */
  gasBefore?: string;
  profitAfter?: string;
  reasonAfter?: string;
}

function judgeReplay(
  before: TxOutcome[],
  after: TxOutcome[],
): { differences: ReplayDifference[]; gas: GasRow[]; findings: Finding[] } {
  const differences = compareReplays(before, after);
  const findings = differences.map((d) => {
    const serious = d.kind === 'status' || d.kind === 'balances';
    return makeFinding('replay-difference', {
      message: `replay[${d.index}] ${d.label}: ${d.kind} differ — before ${d.before}, after ${d.after}.`,
      status: 'introduced',
      key: `${d.index}:${d.kind}`,
      ...(serious ? {} : { severity: 'low' as const, blocking: false }),
    });
  });
  const gas = before.map((b, i) => {
    const a = after[i];
    return {
      label: b.label,
      before: b.gasUsed ?? null,
      after: a?.gasUsed ?? null,
      delta: b.gasUsed && a?.gasUsed ? (BigInt(a.gasUsed) - BigInt(b.gasUsed)).toString() : null,
    };
  });
  return { differences, gas, findings };
}

function judgeInvariants(
  invariants: readonly InvariantConfig[],
  before: Record<string, InvariantCheck>,
  after: Record<string, InvariantCheck>,
  brokenDuringReplay: ReadonlyMap<string, string>,
): { rows: InvariantRow[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const rows = invariants.map((inv): InvariantRow => {
    const b = before[inv.name];
    const a = after[inv.name];
    const statement = `${inv.target}.${inv.function}(${inv.args.join(', ')}) ${inv.op} ${inv.value}`;
    const broken = (message: string, status: 'introduced' | 'unchanged') =>
      findings.push(
        makeFinding('invariant-broken', {
          message: `invariant ${inv.name} (${statement}) ${message}`,
          status,
          key: inv.name,
        }),
      );
    if (b && !b.held) {
      broken(
        `does not hold on the live version (${b.actual}): fix the invariant or the setup before trusting this simulation.`,
        'unchanged',
      );
    } else if ((!a || a.held) && brokenDuringReplay.has(inv.name)) {
      broken(`breaks during the replayed user flows ${brokenDuringReplay.get(inv.name)}.`, 'introduced');
    } else if (a && !a.held) {
      broken(`is broken after the upgrade: got ${a.actual}.`, 'introduced');
    }
    return {
      name: inv.name,
      statement,
      before: b ? (b.held ? 'held' : 'broken') : 'n/a',
      after: a ? (a.held ? 'held' : 'broken') : 'skipped',
      ...(b ? { actualBefore: b.actual } : {}),
      ...(a ? { actualAfter: a.actual } : {}),
    };
  });
  return { rows, findings };
}

function judgePocs(
  pocs: readonly PocConfig[],
  before: Record<string, PocRun>,
  after: Record<string, PocRun>,
): { rows: PocRow[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const rows = pocs.map((p): PocRow => {
    const b = before[p.name] as PocRun;
    const a = after[p.name];
    if (b.outcome !== 'succeeded') {
      findings.push(
        makeFinding('poc-not-reproduced', {
          message: `PoC ${p.name} does not succeed on the live version (${b.reason ?? `profit ${b.profit}`}): it proves nothing about the patch.`,
          status: 'introduced',
          key: p.name,
        }),
      );
    } else if (a?.outcome === 'succeeded') {
      findings.push(
        makeFinding('poc-still-exploitable', {
          message: `PoC ${p.name} still succeeds after the upgrade (attacker profit ${a.profit}).`,
          status: 'introduced',
          key: p.name,
        }),
      );
    }
    return {
      name: p.name,
      before: b.outcome,
      after: a ? a.outcome : 'skipped',
      profitBefore: b.profit,
      ...(b.gasUsed ? { gasBefore: b.gasUsed } : {}),
      ...(a ? { profitAfter: a.profit } : {}),
      ...(a?.reason ? { reasonAfter: a.reason } : {}),
    };
  });
  return { rows, findings };
}

/** simulate, phase 5 — judge: before against after, as findings and the report's rows. */
export function judgeRun(
  run: Pick<SimulationRun, 'pocs'>,
  baseline: Baseline,
  upgrade: Pick<Upgrade, 'findings'>,
  after: After,
): {
  findings: Finding[];
  differences: ReplayDifference[];
  gas: GasRow[];
  invariants: InvariantRow[];
  poc: PocRow[];
} {
  const replay = judgeReplay(baseline.replay, after.replay);
  const invariants = judgeInvariants(
    after.invariantsJudged,
    baseline.invariants,
    after.invariants,
    after.brokenDuringReplay,
  );
  const pocs = judgePocs(run.pocs, baseline.pocs, after.pocs);
  return {
    findings: [...upgrade.findings, ...replay.findings, ...invariants.findings, ...pocs.findings],
    differences: replay.differences,
    gas: replay.gas,
    invariants: invariants.rows,
    poc: pocs.rows,
  };
}
