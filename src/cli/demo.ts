/**
 * `patchgate demo`: the lifecycle on the bundled example (examples/vault), no network.
 * For now: `check` on the correct patch and on every bad patch, each verdict compared with what the
 * example declares it should be. Later stages (simulate, approve, queue, execute, verify) join here.
 */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import pc from 'picocolors';
import { evidenceDigest } from '../analyze/acknowledge.js';
import type { Finding, StageResult } from '../analyze/finding.js';
import { runCheck } from '../analyze/run-check.js';
import { loadProject } from '../build/index.js';
import { loadConfig } from '../config/load.js';
import { writeOutput } from '../report/index.js';
import { VERSION } from '../version.js';
import { addOutputOptions, outputOptions, useColor } from './common.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/vault/', import.meta.url));

export interface DemoPatchResult {
  name: string;
  candidate: string;
  expected?: 'pass' | 'fail';
  verdict: 'pass' | 'fail';
  asExpected: boolean;
  blocking: Pick<Finding, 'id' | 'severity' | 'location'>[];
  fixed: string[];
  durationMs: number;
  note?: string;
}

export interface DemoSimulation {
  name: string;
  expected: 'pass' | 'fail';
  verdict: 'pass' | 'fail';
  asExpected: boolean;
  governancePath: unknown;
  poc: unknown[];
  findings: { id: string; message: string }[];
}

export function demoCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('demo').description(
    'run the lifecycle on the bundled example protocol (no network)',
  );
  addOutputOptions(cmd, ['text', 'json']);
  cmd.action(async (opts: { format?: string; out?: string; stateDir?: string }) => {
    const out = outputOptions(opts);
    const color = useColor(out.out);
    const c = color ? pc : pc.createColors(false);
    const lines: string[] = [];
    const say = (line: string) => {
      if (out.format === 'text' && !out.out) process.stdout.write(`${line}\n`);
      lines.push(line);
    };
    const started = performance.now();
    const { config, projectDir } = await loadConfig({ searchDir: EXAMPLE_DIR });
    say(
      c.bold(
        'patchgate demo — examples/vault: an ERC-4626 vault behind a transparent proxy, rewards behind UUPS',
      ),
    );
    let t = performance.now();
    const project = await loadProject({ dir: projectDir, stateDir: out.stateDir });
    const buildMs = Math.round(performance.now() - t);
    say(
      `${c.dim('build ')}  ${project.cached ? 'compiler output from cache' : 'compiled with solc-js'} ${c.dim(`(${buildMs} ms)`)}`,
    );

    t = performance.now();
    const patches: DemoPatchResult[] = [];
    for (const patch of config.patches) {
      const target = config.contracts[patch.contract];
      const p0 = performance.now();
      const report = await runCheck({
        projectDir,
        stateDir: out.stateDir,
        project,
        reference: target?.reference ?? '',
        candidate: patch.candidate,
        kind: target?.kind,
        acknowledge: config.acknowledge,
      });
      const blocking = report.findings.filter((f) => f.blocking && !f.acknowledged && f.status !== 'fixed');
      const result: DemoPatchResult = {
        name: patch.name,
        candidate: patch.candidate,
        expected: patch.expect,
        verdict: report.verdict,
        asExpected:
          (patch.expect === undefined || patch.expect === report.verdict) &&
          (patch.expectFindings ?? []).every((id) => blocking.some((f) => f.id === id)),
        blocking: blocking.map((f) => ({ id: f.id, severity: f.severity, location: f.location })),
        fixed: report.findings.filter((f) => f.status === 'fixed').map((f) => f.id),
        durationMs: Math.round(performance.now() - p0),
        note: patch.note,
      };
      patches.push(result);
      const verdict = result.verdict === 'pass' ? c.green('PASS') : c.red('FAIL');
      const mark = result.asExpected
        ? c.green('as expected')
        : c.red(`EXPECTED ${patch.expect?.toUpperCase()}`);
      const first = blocking[0];
      const why = first
        ? `${first.id}${first.location ? ` ${first.location.file}:${first.location.line}` : ''}${blocking.length > 1 ? ` (+${blocking.length - 1})` : ''}`
        : result.fixed.length > 0
          ? `fixes: ${[...new Set(result.fixed)].join(', ')}`
          : '';
      say(
        `${c.dim('check ')}  ${patch.name.padEnd(28)} ${verdict}  ${mark}  ${why} ${c.dim(`(${result.durationMs} ms)`)}`,
      );
      if (patch.note && patch.expect === 'pass' && patch.candidate.includes('/bad/')) {
        say(`${' '.repeat(39)}${c.dim(`note: ${patch.note}`)}`);
      }
    }
    const checkMs = Math.round(performance.now() - t);
    const checksGood = patches.every((p) => p.asExpected);

    // simulate: the patches the example marks for it, each on a fresh embedded anvil.
    t = performance.now();
    const { runSimulate } = await import('../simulate/run-simulate.js');
    const simulations: DemoSimulation[] = [];
    for (const patch of config.patches.filter((p) => p.expectSimulate)) {
      const report = await runSimulate({ config, projectDir, stateDir: out.stateDir, patch: patch.name });
      const sim: DemoSimulation = {
        name: patch.name,
        expected: patch.expectSimulate as 'pass' | 'fail',
        verdict: report.verdict,
        asExpected: report.verdict === patch.expectSimulate,
        governancePath: report.governancePath,
        poc: report.poc,
        findings: report.findings.map((f) => ({ id: f.id, message: f.message })),
      };
      simulations.push(sim);
      const verdict = sim.verdict === 'pass' ? c.green('PASS') : c.red('FAIL');
      const mark = sim.asExpected ? c.green('as expected') : c.red(`EXPECTED ${sim.expected.toUpperCase()}`);
      const poc = report.poc
        .map((p) => `${p.name}: ${p.before} → ${p.after}${p.reasonAfter ? ` (${p.reasonAfter})` : ''}`)
        .join('; ');
      const why = report.findings[0]
        ? `${report.findings[0].id}: ${report.findings[0].message}`
        : `upgraded via Safe → timelock → ProxyAdmin; ${poc}`;
      say(`${c.dim('simulate')}  ${patch.name.padEnd(26)} ${verdict}  ${mark}  ${why}`);
    }
    const simulateMs = Math.round(performance.now() - t);
    const simulationsGood = simulations.every((s) => s.asExpected);
    const allGood = checksGood && simulationsGood;
    const stages: StageResult[] = [
      { name: 'check', status: checksGood ? 'passed' : 'failed', durationMs: buildMs + checkMs },
      { name: 'simulate', status: simulationsGood ? 'passed' : 'failed', durationMs: simulateMs },
    ];
    const totalMs = Math.round(performance.now() - started);
    const good = patches.filter((p) => p.verdict === 'pass').length;
    say(
      `${allGood ? c.green('ok') : c.red('MISMATCH')}  ${patches.length} patches checked (${good} pass, ${patches.length - good} rejected), ${simulations.length} simulated, all as the example declares ${c.dim(`(${totalMs} ms)`)}`,
    );
    if (out.format === 'json') {
      const json = {
        tool: { name: 'patchgate', version: VERSION },
        verdict: allGood ? 'pass' : 'fail',
        digest: evidenceDigest({ patches: patches.map(({ durationMs: _d, ...p }) => p), simulations }),
        stages,
        findings: [],
        patches,
        simulations,
        durationMs: totalMs,
      };
      writeOutput(
        `${JSON.stringify(json, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
        out.out,
      );
    } else if (out.out) {
      writeOutput(`${lines.join('\n')}\n`, out.out);
    }
    onExit(allGood ? 0 : 1);
  });
  return cmd;
}
