/**
 * The `fuzz` stage as simulate runs it: the state just before the upgrade is marked (its block and the live
 * implementation), and after the upgrade the fuzzer runs between that block and the new head. Its differences
 * become findings: `behaviour-changed` on a function the patch did not change (blocks), `behaviour-changed-expected`
 * on one it did (information). Off in the config, or with no upgrade applied, the stage is recorded as skipped.
 */
import { type Address, toHex } from 'viem';
import { makeFinding } from '../../analyze/catalog.js';
import { introspectProxy } from '../../chain/proxy.js';
import type { Finding } from '../../core/finding.js';
import type { SimulationRun } from '../prepare.js';
import type { Upgrade } from '../upgrade.js';
import { type FuzzDifference, type FuzzReport, runFuzz } from './run-fuzz.js';

export type { FuzzReport } from './run-fuzz.js';

export interface BeforeUpgrade {
  block: bigint;
  implementation: Address;
}

/** Where the state just before the upgrade is: read right before the governance path runs. */
export async function markBeforeUpgrade(run: SimulationRun): Promise<BeforeUpgrade> {
  const [block, proxy] = await Promise.all([
    run.clients.public.getBlockNumber({ cacheTime: 0 }),
    introspectProxy(run.clients.public, run.target.address),
  ]);
  return { block, implementation: proxy.implementation };
}

const callText = (d: FuzzDifference) =>
  `${d.call.from} calls ${d.function.split('(')[0]}(${d.call.args.join(', ')})`;

function findingsOf(report: FuzzReport, contract: string, budgetMs: number): Finding[] {
  const findings = report.differences.map((d) =>
    makeFinding(d.changed ? 'behaviour-changed-expected' : 'behaviour-changed', {
      message: `${contract}.${d.function} behaves differently (${d.aspect}): ${callText(d)} — before ${d.before}, after ${d.after}.`,
      status: 'introduced',
      key: d.function,
    }),
  );
  // Fail closed: a function no call reached was not compared.
  if (report.notCovered.length > 0) {
    const why = [...new Set(report.notCovered.map((n) => n.reason))]
      .map((r) => (r === 'time budget spent' ? `the time budget (${budgetMs} ms) was spent` : r))
      .join('; ');
    findings.push(
      makeFinding('fuzz-incomplete', {
        message: `${contract}: ${report.notCovered.length} of ${report.functionsTotal} functions got no call — ${why}: ${report.notCovered.map((n) => n.function).join(', ')}.`,
        status: 'introduced',
        key: 'fuzz',
      }),
    );
  }
  return findings;
}

export async function fuzzStage(
  run: SimulationRun,
  upgrade: Upgrade,
  before: BeforeUpgrade,
): Promise<{ fuzz: FuzzReport | { skipped: string }; findings: Finding[] }> {
  const options = { ...run.config.fuzz, ...(run.params.seed !== undefined ? { seed: run.params.seed } : {}) };
  const skip = !options.enabled
    ? 'off in the config (fuzz.enabled)'
    : !upgrade.governance.ok
      ? 'the upgrade did not apply'
      : undefined;
  if (skip) {
    run.stages.lap('fuzz', 'skipped');
    return { fuzz: { skipped: skip }, findings: [] };
  }
  return run.stages.time(
    'fuzz',
    async () => {
      const head = await run.clients.public.getBlock({ blockTag: 'latest' });
      const env = { number: toHex(head.number + 1n), time: toHex(head.timestamp + 1n) };
      const fuzz = await runFuzz(
        run,
        upgrade,
        {
          before: { block: before.block, env },
          after: { block: head.number, env },
          implementations: [before.implementation, upgrade.implementation],
        },
        options,
      );
      return { fuzz, findings: findingsOf(fuzz, run.patch.contract, options.timeBudgetMs) };
    },
    (r) => (r.findings.some((f) => f.blocking) ? 'failed' : 'passed'),
  );
}
