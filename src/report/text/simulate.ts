/**
 * A simulate report in text: where it ran, who controls the proxy, the governance path step by step, the
 * storage the upgrade wrote, invariants and replay before → after, each PoC before/after, the differential fuzzing's
 * differences; then the findings.
 */
import type { SimulateReport } from '../../simulate/run-simulate.js';
import { type Colors, findingsText } from './findings.js';

/** `0x…01388` → `0x1388`: a 32-byte word without its leading zeros. */
const word = (hex: string) => `0x${hex.replace(/^0x0*/, '') || '0'}`;

function nodeLines(sim: SimulateReport, c: Colors): string[] {
  if (sim.node.mode !== 'fork' || !sim.node.source) return [];
  const at = sim.node.forkBlock !== undefined ? ` at block ${sim.node.forkBlock}` : '';
  return ['', c.dim(`Ran on a fork of ${sim.node.source}${at} (that node is only read)`)];
}

function controlLines({ control }: SimulateReport, c: Colors): string[] {
  return [
    '',
    c.bold(`Who controls ${control.proxy} (${control.kind} proxy)`),
    `  upgrade: ${control.upgrade}`,
    `  cancel:  ${control.cancel.join(', ') || 'nobody'}`,
    `  pause:   ${control.pause.map((p) => `${p.account} (${p.role})`).join(', ') || 'nobody'}`,
  ];
}

function governanceLines(sim: SimulateReport, c: Colors): string[] {
  const path = sim.governancePath;
  const ran = 'steps' in path ? path : undefined;
  const how = ran?.impersonated ? " — Safe impersonated (fork: owners' keys not available)" : '';
  const out = ['', c.bold(`Governance path (patch ${sim.patch})${how}`)];
  for (const step of ran?.steps ?? []) {
    if (ran?.revert?.step === step.name && !step.txHash) continue;
    const detail =
      step.name === 'time-warp' ? `+${String(step.seconds)} s` : `tx ${step.txHash ?? '(not sent)'}`;
    out.push(`  ${c.green('✓')} ${step.name.padEnd(14)} ${c.dim(detail)}`);
  }
  if (ran?.revert) {
    out.push(`  ${c.red('✗')} ${ran.revert.step.padEnd(14)} ${c.red(`reverted: ${ran.revert.reason}`)}`);
  } else if (ran?.operationId) {
    out.push(`  ${c.dim(`timelock operation ${ran.operationId}`)}`);
  }
  return out;
}

function storageLines({ storageDiff }: SimulateReport, c: Colors): string[] {
  if (storageDiff.length === 0) return [];
  return [
    '',
    c.bold('Storage written by the upgrade (proxy)'),
    ...storageDiff.map(
      (ch) =>
        `  ${ch.expected ? c.green('✓') : c.red('✗')} ${ch.variable}: ${word(ch.before)} → ${word(ch.after)}${ch.expected ? '' : c.red('  unexpected')}`,
    ),
  ];
}

function invariantLines({ invariants }: SimulateReport, c: Colors): string[] {
  if (invariants.length === 0) return [];
  return [
    '',
    c.bold('Invariants (before → after)'),
    ...invariants.map((inv) => {
      const ok = inv.before !== 'broken' && inv.after !== 'broken';
      const got = inv.after === 'broken' && inv.actualAfter ? c.red(`  got ${inv.actualAfter}`) : '';
      return `  ${ok ? c.green('✓') : c.red('✗')} ${inv.name}: ${inv.before} → ${inv.after}  ${c.dim(inv.statement)}${got}`;
    }),
  ];
}

function replayLines({ replay, gas }: SimulateReport, c: Colors): string[] {
  if (replay.transactions === 0) return [];
  const n = replay.differences.length;
  const out = [
    '',
    c.bold(
      `Differential replay: ${replay.transactions} user transactions, ${n} difference${n === 1 ? '' : 's'}`,
    ),
  ];
  for (const g of gas) {
    const diff = replay.differences.filter((d) => d.label === g.label).map((d) => d.kind);
    const delta =
      g.delta === null
        ? ''
        : `gas ${g.before} → ${g.after} (${g.delta.startsWith('-') ? g.delta : `+${g.delta}`})`;
    out.push(
      `  ${diff.length > 0 ? c.red('✗') : c.green('✓')} ${g.label}  ${c.dim(delta)}${diff.length > 0 ? c.red(`  ${diff.join(', ')} differ`) : ''}`,
    );
  }
  return out;
}

function pocLines({ poc }: SimulateReport, c: Colors): string[] {
  if (poc.length === 0) return [];
  return [
    '',
    c.bold('Exploit regression'),
    ...poc.map((p) => {
      const good = p.before === 'succeeded' && p.after === 'failed';
      const after = p.after === 'failed' && p.reasonAfter ? `failed (${p.reasonAfter})` : p.after;
      return `  ${good ? c.green('✓') : c.red('✗')} ${p.name}: before ${p.before} (profit ${p.profitBefore}), after ${after}`;
    }),
  ];
}

function fuzzLines({ fuzz }: SimulateReport, c: Colors): string[] {
  if ('skipped' in fuzz) return ['', c.dim(`Differential fuzzing skipped: ${fuzz.skipped}`)];
  const n = fuzz.differences.length;
  const budget = fuzz.budgetExhausted ? c.dim(' (time budget spent)') : '';
  return [
    '',
    c.bold(
      `Differential fuzzing (seed ${fuzz.seed}): ${fuzz.functionsCovered} of ${fuzz.functionsTotal} functions, ${fuzz.callsRun} calls, ${n} difference${n === 1 ? '' : 's'}`,
    ) + budget,
    ...fuzz.differences.map((d) => {
      const call = `${d.call.from} calls ${d.function.split('(')[0]}(${d.call.args.join(', ')})`;
      const mark = d.changed ? c.dim('· changed by the patch') : c.red('✗ unchanged code');
      return `  ${mark} ${d.function}: ${call} — ${d.aspect}: before ${d.before}, after ${d.after}`;
    }),
  ];
}

export function simulateText(report: SimulateReport, c: Colors): string {
  return findingsText(report, c, {
    sections: [
      ...nodeLines(report, c),
      ...controlLines(report, c),
      ...governanceLines(report, c),
      ...storageLines(report, c),
      ...invariantLines(report, c),
      ...replayLines(report, c),
      ...pocLines(report, c),
      ...fuzzLines(report, c),
    ],
  });
}
