/** The report for people: grouped by status, most severe first, each finding with where, why and the fix. */
import pc from 'picocolors';
import type { Finding, Report } from '../core/finding.js';
import { blocksGate, groupOf, orderFindings, STATUS_GROUPS, tally, tallyLine, where } from './common.js';

type Colors = ReturnType<typeof pc.createColors>;

function severityLabel(c: Colors, f: Finding): string {
  const s = f.severity.padEnd(8);
  if (f.severity === 'critical' || f.severity === 'high') return c.red(s);
  if (f.severity === 'medium') return c.yellow(s);
  return c.dim(s);
}

/**
 * `FAIL V1 → V2  digest 0x…`, then per status group (introduced, unchanged, fixed) one block per finding,
 * in upgrades-core's report style:
 *
 *     critical  access-control-removed  src/VaultV2.sol:42 VaultV2.setFeeRecipient  [blocking]
 *         setFeeRecipient lost its onlyRole guard …
 *         > fix: Restore the modifier or caller check …
 */
export function renderText(report: Report, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const lines: string[] = [];
  const subject =
    report.reference && report.candidate
      ? ` ${(report.reference as { name: string }).name} → ${(report.candidate as { name: string }).name}${report.kind ? ` (${String(report.kind)})` : ''}`
      : '';
  lines.push(
    `${report.verdict === 'pass' ? c.green(c.bold('PASS')) : c.red(c.bold('FAIL'))}${subject}  ${c.dim(`digest ${report.digest.slice(0, 18)}…`)}`,
  );
  lines.push(...simulationLines(report, c));
  const ordered = orderFindings(report.findings);
  for (const [group, title] of STATUS_GROUPS) {
    const members = ordered.filter((f) => groupOf(f) === group);
    if (members.length === 0) continue;
    lines.push('', c.bold(title));
    for (const f of members) lines.push(...findingLines(f, c));
  }
  lines.push('', tallyLine(tally(report.findings)));
  return `${lines.join('\n')}\n`;
}

function findingLines(f: Finding, c: Colors): string[] {
  const loc = where(f);
  const marks = `${blocksGate(f) ? c.red('  [blocking]') : ''}${f.acknowledged ? c.cyan('  (acknowledged)') : ''}`;
  const out = [`  ${severityLabel(c, f)}  ${c.bold(f.id)}${loc ? `  ${loc}` : ''}${marks}`];
  for (const line of f.message.split('\n')) out.push(`      ${line}`);
  // A fix for what is gone, or for an info note, is noise.
  if (f.hint && f.status !== 'fixed' && (f.blocking || f.severity !== 'info')) {
    out.push(`      ${c.dim('> fix:')} ${f.hint}`);
  }
  if (f.acknowledged) out.push(`      ${c.dim('> acknowledged:')} ${f.acknowledgedReason ?? 'acknowledged'}`);
  return out;
}

interface SimulationView {
  patch?: string;
  node?: { mode: string; source?: string; forkBlock?: number };
  control?: {
    proxy: string;
    kind: string;
    upgrade: string;
    cancel: string[];
    pause: { account: string; role: string }[];
  };
  governancePath?: {
    ok: boolean;
    impersonated?: boolean;
    operationId?: string;
    skipped?: string;
    steps?: { name: string; txHash?: string; safeTxHash?: string; seconds?: string | bigint }[];
    revert?: { step: string; reason: string };
  };
  poc?: {
    name: string;
    before: string;
    after: string;
    profitBefore: string;
    profitAfter?: string;
    reasonAfter?: string;
  }[];
  storageDiff?: { slot: string; variable: string; before: string; after: string; expected: boolean }[];
  invariants?: { name: string; statement: string; before: string; after: string; actualAfter?: string }[];
  replay?: { transactions: number; differences: { index: number; label: string; kind: string }[] };
  gas?: { label: string; before: string | null; after: string | null; delta: string | null }[];
}

/** `0x…01388` → `0x1388`: a 32-byte word without its leading zeros. */
const word = (hex: string) => `0x${hex.replace(/^0x0*/, '') || '0'}`;

/** The simulate report's own sections: the governance path step by step, and each PoC before/after. */
function simulationLines(report: Report, c: Colors): string[] {
  const sim = report as unknown as SimulationView;
  if (!sim.governancePath) return [];
  const how = sim.governancePath.impersonated
    ? " — Safe impersonated (fork: owners' keys not available)"
    : '';
  const out: string[] = [];
  if (sim.node?.mode === 'fork' && sim.node.source) {
    const at = sim.node.forkBlock !== undefined ? ` at block ${sim.node.forkBlock}` : '';
    out.push('', c.dim(`Ran on a fork of ${sim.node.source}${at} (that node is only read)`));
  }
  if (sim.control) {
    out.push('', c.bold(`Who controls ${sim.control.proxy} (${sim.control.kind} proxy)`));
    out.push(`  upgrade: ${sim.control.upgrade}`);
    out.push(`  cancel:  ${sim.control.cancel.join(', ') || 'nobody'}`);
    out.push(`  pause:   ${sim.control.pause.map((p) => `${p.account} (${p.role})`).join(', ') || 'nobody'}`);
  }
  out.push('', c.bold(`Governance path${sim.patch ? ` (patch ${sim.patch})` : ''}${how}`));
  for (const step of sim.governancePath.steps ?? []) {
    if (sim.governancePath.revert?.step === step.name && !step.txHash) continue;
    const detail =
      step.name === 'time-warp' ? `+${String(step.seconds)} s` : `tx ${step.txHash ?? '(not sent)'}`;
    out.push(`  ${c.green('✓')} ${step.name.padEnd(14)} ${c.dim(detail)}`);
  }
  if (sim.governancePath.revert) {
    out.push(
      `  ${c.red('✗')} ${sim.governancePath.revert.step.padEnd(14)} ${c.red(`reverted: ${sim.governancePath.revert.reason}`)}`,
    );
  } else if (sim.governancePath.operationId) {
    out.push(`  ${c.dim(`timelock operation ${sim.governancePath.operationId}`)}`);
  }
  if (sim.storageDiff && sim.storageDiff.length > 0) {
    out.push('', c.bold('Storage written by the upgrade (proxy)'));
    for (const ch of sim.storageDiff) {
      const mark = ch.expected ? c.green('✓') : c.red('✗');
      out.push(
        `  ${mark} ${ch.variable}: ${word(ch.before)} → ${word(ch.after)}${ch.expected ? '' : c.red('  unexpected')}`,
      );
    }
  }
  if (sim.invariants && sim.invariants.length > 0) {
    out.push('', c.bold('Invariants (before → after)'));
    for (const inv of sim.invariants) {
      const ok = inv.before !== 'broken' && inv.after !== 'broken';
      const got = inv.after === 'broken' && inv.actualAfter ? c.red(`  got ${inv.actualAfter}`) : '';
      out.push(
        `  ${ok ? c.green('✓') : c.red('✗')} ${inv.name}: ${inv.before} → ${inv.after}  ${c.dim(inv.statement)}${got}`,
      );
    }
  }
  if (sim.replay && sim.replay.transactions > 0) {
    const n = sim.replay.differences.length;
    out.push(
      '',
      c.bold(
        `Differential replay: ${sim.replay.transactions} user transactions, ${n} difference${n === 1 ? '' : 's'}`,
      ),
    );
    for (const g of sim.gas ?? []) {
      const diff = sim.replay.differences.filter((d) => d.label === g.label).map((d) => d.kind);
      const delta =
        g.delta === null
          ? ''
          : `gas ${g.before} → ${g.after} (${g.delta.startsWith('-') ? g.delta : `+${g.delta}`})`;
      out.push(
        `  ${diff.length > 0 ? c.red('✗') : c.green('✓')} ${g.label}  ${c.dim(delta)}${diff.length > 0 ? c.red(`  ${diff.join(', ')} differ`) : ''}`,
      );
    }
  }
  if (sim.poc && sim.poc.length > 0) {
    out.push('', c.bold('Exploit regression'));
    for (const p of sim.poc) {
      const good = p.before === 'succeeded' && p.after === 'failed';
      const after = p.after === 'failed' && p.reasonAfter ? `failed (${p.reasonAfter})` : p.after;
      out.push(
        `  ${good ? c.green('✓') : c.red('✗')} ${p.name}: before ${p.before} (profit ${p.profitBefore}), after ${after}`,
      );
    }
  }
  return out;
}
