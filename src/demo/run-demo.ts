/**
 * The whole lifecycle on the bundled example (examples/vault), on an embedded anvil, no network: deploy V1
 * behind Safe → timelock → ProxyAdmin; run the exploit and show the loss; check the fix and every bad patch;
 * simulate the fix on a fork of the live chain (and the bad patches only simulation catches); propose; two
 * of three owners approve; queue; warp past the delay; execute; verify on chain; run the exploit again and
 * show it fails. Each step reports as it finishes (`onStep`); the result is the demo's JSON report.
 */

import { fileURLToPath } from 'node:url';
import { proveOf } from '../analyze/prove-stage.js';
import { type CheckReport, runCheck } from '../analyze/run-check.js';
import { projectErrorsAbi } from '../build/errors-abi.js';
import { loadProject } from '../build/index.js';
import { type Anvil, startAnvil } from '../chain/anvil.js';
import { connect } from '../chain/clients.js';
import { loadConfig } from '../config/load.js';
import type { Config, PatchConfig } from '../config/schema.js';
import { evidenceDigest } from '../core/digest.js';
import { passedIf, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { runPoc } from '../simulate/poc.js';
import { runSimulate, type SimulateReport } from '../simulate/run-simulate.js';
import { deploySystem, withLiveAddresses } from '../system/deploy.js';
import type { DeployedSystem } from '../system/model.js';
import { fixEvidence } from './evidence.js';
import { FIX, lifecycle } from './lifecycle.js';
import type { DemoPatchResult, DemoReport, DemoSimulation, DemoStep } from './report.js';
import { demoFiles, openThrowawayStore } from './throwaway.js';
import { watchStage } from './watch.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/vault/', import.meta.url));

function checkResult(patch: PatchConfig, report: CheckReport, ms: number): DemoPatchResult {
  const blocking = report.findings.filter((f) => f.blocking && !f.acknowledged && f.status !== 'fixed');
  return {
    name: patch.name,
    candidate: patch.candidate,
    expected: patch.expect,
    verdict: report.verdict,
    asExpected:
      (patch.expect === undefined || patch.expect === report.verdict) &&
      (patch.expectFindings ?? []).every((id) => blocking.some((f) => f.id === id)),
    blocking: blocking.map((f) => ({ id: f.id, severity: f.severity, location: f.location })),
    fixed: report.findings.filter((f) => f.status === 'fixed').map((f) => f.id),
    durationMs: ms,
    note: patch.note,
  };
}

function simulation(patch: PatchConfig, report: SimulateReport): DemoSimulation {
  return {
    name: patch.name,
    expected: patch.expectSimulate as 'pass' | 'fail',
    verdict: report.verdict,
    asExpected: report.verdict === patch.expectSimulate,
    governancePath: report.governancePath,
    poc: report.poc,
    findings: report.findings.map((f) => ({ id: f.id, message: f.message })),
  };
}

/** `; fuzzed 47 functions (638 calls), 2 changed as the patch intends`: the fuzz stage in one phrase. */
function fuzzed(r: SimulateReport): string {
  if (!r.fuzz || 'skipped' in r.fuzz) return '';
  const f = r.fuzz;
  const changed = f.differences.filter((d) => d.changed).length;
  return `; fuzzed ${f.functionsCovered} functions (${f.callsRun} calls before and after), ${changed} changed as the patch intends`;
}

const units = (v: string) => `${(Number(BigInt(v)) / 1e6).toLocaleString('en-US')} TestUSD`;

/** The demo's chain, left running (`demo --keep`): the caller stops it. */
export interface KeptChain {
  anvil: Anvil;
  system: DeployedSystem;
  /** The example with `live` at the chain's addresses, `project` absolute. */
  config: Config;
}

export async function runDemo(params: {
  stateDir: string;
  onStep?: (step: DemoStep) => void;
  /** Leave the chain running after the demo and hand it over here (else it stops with the demo). */
  keep?: (chain: KeptChain) => void;
}): Promise<DemoReport> {
  const started = performance.now();
  const recorder = stageRecorder();
  const stages = recorder.stages;
  const say = params.onStep ?? (() => {});
  const stage = <T>(name: string, fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> =>
    recorder.time(name, fn, (v) => passedIf(ok(v)));
  const loaded = await loadConfig({ searchDir: EXAMPLE_DIR });
  const projectDir = loaded.projectDir;
  const report: DemoReport = {
    tool: { name: 'patchgate', version: VERSION },
    verdict: 'fail',
    digest: '0x', // computed once every stage has run
    stages,
    findings: [],
    report: 'demo',
    patches: [],
    simulations: [],
    exploit: {},
    lifecycle: {},
    durationMs: 0,
  };
  // First: a state dir that holds someone's real store is refused before any work is done.
  const store = await stage(
    'store',
    () => openThrowawayStore(params.stateDir, 'demo'),
    () => true,
  );
  let anvil: Anvil | undefined;
  let kept = false;
  try {
    const p = await stage(
      'build',
      async () => {
        const project = await loadProject({ dir: projectDir, stateDir: params.stateDir });
        say({
          stage: 'build',
          ok: true,
          text: project.cached ? 'compiler output from cache' : 'compiled with solc-js',
        });
        return project;
      },
      () => true,
    );
    const { system, clients } = await stage(
      'deploy',
      async () => {
        anvil = await startAnvil();
        const clients = await connect(anvil.rpcUrl);
        return {
          clients,
          system: await deploySystem(clients, p, loaded.config.system as NonNullable<Config['system']>),
        };
      },
      () => true,
    );
    const rpcUrl = (anvil as Anvil | undefined)?.rpcUrl as string;
    const errorsAbi = projectErrorsAbi(p);
    const config = withLiveAddresses(loaded.config, system);
    say({
      stage: 'deploy',
      ok: true,
      text: `V1 live on an embedded anvil: vault ${system.contracts.get('vault')?.address} ← ProxyAdmin ← TimelockController ← Safe ${system.threshold}-of-${system.owners.length}`,
    });
    const poc = config.pocs.find((x) => x.target === 'vault');
    if (poc) {
      report.exploit.before = await stage(
        'exploit-before',
        () => runPoc(clients, p, system, poc, errorsAbi),
        (r) => r.outcome === 'succeeded',
      );
      const b = report.exploit.before;
      say({
        stage: 'exploit',
        ok: b.outcome === 'succeeded',
        text: `${poc.name} against V1: ${b.outcome === 'succeeded' ? `the attacker walks away with ${units(b.profit)} of depositors' money` : `did not work (${b.reason})`}`,
      });
    }

    if (poc) {
      const w = await stage(
        'watch',
        () => watchStage({ clients, project: p, config, projectDir, system, poc }),
        (r) => r.attack.status === 'reverted' && r.pause?.before === true && r.valueLost === '0',
      );
      report.watch = w;
      const first = w.detected[0];
      say({
        stage: 'watch',
        ok: w.attack.status === 'reverted' && w.valueLost === '0',
        text: w.pause
          ? `the attacker tries again: ${first ? `${first.rule}/${first.id} seen ${first.pending ? 'pending' : 'mined'} ${first.afterMs} ms after it was sent; ` : ''}the guardian's pause went ${w.pause.afterMs} ms after, mined ${w.pause.before ? 'first' : 'AFTER the attack'} in block ${w.pause.blockNumber}; the attack ${w.attack.status}; ${units(w.valueLost)} lost`
          : `the attacker tries again: NO PAUSE was sent; the attack ${w.attack.status}; ${units(w.valueLost)} lost`,
      });
    }

    let fixCheck: CheckReport | undefined;
    await stage(
      'check',
      async () => {
        for (const patch of config.patches) {
          const target = config.contracts[patch.contract];
          const t = performance.now();
          const r = await runCheck({
            projectDir,
            stateDir: params.stateDir,
            project: p,
            reference: target?.reference ?? '',
            candidate: patch.candidate,
            kind: target?.kind,
            acknowledge: config.acknowledge,
            ...proveOf(config),
          });
          if (patch.name === FIX) fixCheck = r;
          const result = checkResult(patch, r, Math.round(performance.now() - t));
          report.patches.push(result);
          const first = result.blocking[0];
          const why = first
            ? `${first.id}${first.location ? ` ${first.location.file}:${first.location.line}` : ''}${result.blocking.length > 1 ? ` (+${result.blocking.length - 1})` : ''}`
            : result.fixed.length > 0
              ? `fixes: ${[...new Set(result.fixed)].join(', ')}`
              : '';
          say({
            stage: 'check',
            ok: result.asExpected,
            text: `${patch.name.padEnd(28)} ${result.verdict === 'pass' ? 'PASS' : 'FAIL'}  ${result.asExpected ? 'as expected' : `EXPECTED ${patch.expect?.toUpperCase()}`}  ${why}`.trimEnd(),
            detail:
              patch.note && patch.expect === 'pass' && patch.candidate.includes('/bad/')
                ? `note: ${patch.note}`
                : undefined,
            durationMs: result.durationMs,
          });
        }
        return report.patches;
      },
      (all) => all.every((x) => x.asExpected),
    );

    if (fixCheck) await fixEvidence(fixCheck, report, stage, say);

    let fixSimulation: SimulateReport | undefined;
    await stage(
      'simulate',
      async () => {
        for (const patch of config.patches.filter((x) => x.expectSimulate)) {
          const t = performance.now();
          // The fix on a fork of the live chain, as `propose` does; the bad patches on fresh deployments.
          const r = await runSimulate({
            config,
            projectDir,
            stateDir: params.stateDir,
            patch: patch.name,
            ...(patch.name === FIX ? { forkUrl: rpcUrl } : {}),
          });
          if (patch.name === FIX) fixSimulation = r;
          const sim = simulation(patch, r);
          report.simulations.push(sim);
          const pocs = r.poc
            .map((x) => `${x.name}: ${x.before} → ${x.after}${x.reasonAfter ? ` (${x.reasonAfter})` : ''}`)
            .join('; ');
          // What blocked it; the review notes (a changed function's new behaviour) are in the JSON.
          const first = r.findings.find((f) => f.blocking && !f.acknowledged);
          say({
            stage: 'simulate',
            ok: sim.asExpected,
            text: `${patch.name.padEnd(26)} ${sim.verdict === 'pass' ? 'PASS' : 'FAIL'}  ${sim.asExpected ? 'as expected' : `EXPECTED ${sim.expected.toUpperCase()}`}  ${first ? `${first.id}: ${first.message}` : `Safe → timelock → ProxyAdmin on a fork of the live chain; ${pocs}${fuzzed(r)}`}`,
            durationMs: Math.round(performance.now() - t),
          });
        }
        return report.simulations;
      },
      (all) => all.every((x) => x.asExpected),
    );

    const lc: Lifecycle = {
      config: { ...config, project: projectDir },
      projectDir,
      stateDir: params.stateDir,
      store,
      clients,
      rpcUrl,
    };
    const { log, head } = demoFiles(params.stateDir);
    await lifecycle(lc, report, stage, say, { check: fixCheck, simulate: fixSimulation }, { log, head });
    if (poc && report.lifecycle.verify) {
      const after = await stage(
        'exploit-after',
        () => runPoc(clients, p, system, poc, errorsAbi),
        (r) => r.outcome === 'failed',
      );
      report.exploit.after = after;
      say({
        stage: 'exploit',
        ok: after.outcome === 'failed',
        text: `${poc.name} against the upgraded vault: ${after.outcome === 'failed' ? `fails (${after.reason ?? 'no profit'}) — the depositors' money stays` : `STILL WORKS (profit ${units(after.profit)})`}`,
      });
    }
    const chain = anvil as Anvil | undefined;
    if (params.keep && chain) {
      params.keep({ anvil: chain, system, config: { ...config, project: projectDir } });
      kept = true;
    }
  } finally {
    await store.close();
    if (!kept) await (anvil as Anvil | undefined)?.stop();
  }
  report.verdict =
    stages.every((s) => s.status === 'passed') && stages.some((s) => s.name === 'verify') ? 'pass' : 'fail';
  report.digest = evidenceDigest({
    patches: report.patches.map(({ durationMs: _d, ...x }) => x),
    simulations: report.simulations.map(({ governancePath: _g, ...x }) => x),
    fix: report.fix ?? null,
    lifecycle: report.lifecycle.digest ?? null,
  });
  report.durationMs = Math.round(performance.now() - started);
  return report;
}
