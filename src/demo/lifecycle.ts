/**
 * The demo's second half, on the live chain and in-process: propose → approve (2 of 3) → queue → warp →
 * execute → verify, then the transparency log published (export + signed head) and checked from the files.
 */

import { writeFileSync } from 'node:fs';
import type { Hex, LocalAccount } from 'viem';
import type { CheckReport } from '../analyze/run-check.js';
import { auditProxy } from '../audit/index.js';
import { localAccount } from '../chain/clients.js';
import { jsonText } from '../core/report-json.js';
import { exportLine } from '../ledger/export.js';
import { signCurrentHead } from '../ledger/head.js';
import { verifyExport } from '../ledger/verify-export.js';
import { approve } from '../lifecycle/approve.js';
import { assess } from '../lifecycle/assess.js';
import { execute } from '../lifecycle/execute.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { LOG_ORIGIN } from '../lifecycle/log-sync.js';
import { propose } from '../lifecycle/propose.js';
import { queue } from '../lifecycle/queue.js';
import { verify } from '../lifecycle/verify.js';
import type { SimulateReport } from '../simulate/run-simulate.js';
import { openLedger } from '../store/ledger-store.js';
import type { DemoReport, DemoStep } from './report.js';

export const FIX = 'fix-flash-deposit';

export type Stage = <T>(name: string, fn: () => Promise<T>, ok: (v: T) => boolean) => Promise<T>;

/** propose → approve (2 of 3) → queue → warp → execute → verify, on the live chain, in-process. */
export async function lifecycle(
  lc: Lifecycle,
  report: DemoReport,
  stage: Stage,
  say: (s: DemoStep) => void,
  fix: { check?: CheckReport; simulate?: SimulateReport },
  files: { log: string; head: string },
): Promise<void> {
  const fixSimulation = fix.simulate;
  if (fixSimulation?.verdict !== 'pass') return;
  const owner = (i: number) => localAccount(i) as LocalAccount;
  if (fix.check) {
    const reports = { check: fix.check, simulate: fixSimulation };
    const a = await stage(
      'assess',
      () => assess(lc, { patch: FIX, reports }),
      (r) => r.lane.conflicts.length === 0,
    );
    report.assess = a;
    const lane = a.exposure.standard;
    say({
      stage: 'assess',
      ok: a.lane.conflicts.length === 0,
      text: `${a.severity.level} (${a.severity.impact}), ${a.priority}: $${a.valueAtRisk.usd ?? '?'} at risk, the PoC nets $${a.netGainUsd ?? '?'}; recommended lane ${a.lane.recommended} (${Number(a.exposure.emergency.windowSeconds) / 3600} h to execution vs ${Number(lane.windowSeconds) / 3600} h standard). The demo takes the standard lane to show the whole review window: the policy allows it ($${a.valueAtRisk.usd ?? '?'} ≤ the $${lc.config.policy.lanes.standard.maxValueAtRisk ?? '∞'} cap)`,
    });
  }
  const proposed = await stage(
    'propose',
    () =>
      propose(lc, {
        patch: FIX,
        lane: 'standard',
        deployer: owner(0),
        reports: { ...(fix.check ? { check: fix.check } : {}), simulate: fixSimulation },
      }),
    (r) => r.verdict === 'pass',
  );
  if (proposed.verdict !== 'pass') return;
  const digest = proposed.digest as Hex;
  report.lifecycle.digest = digest;
  say({
    stage: 'propose',
    ok: true,
    text: `${FIX}: digest ${digest.slice(0, 18)}… (standard lane: ${proposed.policy?.threshold} of ${proposed.policy?.approvers.length} approvals, ${Number(proposed.plan?.delay) / 3600} h review window); implementation ${proposed.record?.implementation}`,
  });
  const approvals = await stage(
    'approve',
    async () => {
      const out = [];
      for (const i of [1, 3]) out.push(await approve(lc, { digest, signer: owner(i) }));
      return out;
    },
    (r) => r.at(-1)?.state === 'approved',
  );
  report.lifecycle.approvals = approvals.map((a) => a.signer);
  say({
    stage: 'approve',
    ok: approvals.at(-1)?.state === 'approved',
    text: `owners ${approvals.map((a) => `${a.signer.slice(0, 8)}…`).join(' and ')} signed the EIP-712 approval and the schedule/execute SafeTxs: ${approvals.at(-1)?.approvals} approvals, the lane needs ${approvals.at(-1)?.threshold}`,
  });
  const q = await stage(
    'queue',
    () => queue(lc, { digest, submitter: owner(0) }),
    (r) => r.state === 'queued',
  );
  report.lifecycle.queueTx = q.txHash;
  say({
    stage: 'queue',
    ok: true,
    text: `Safe → TimelockController.schedule, operation ${q.operationId.slice(0, 18)}… (tx ${q.txHash?.slice(0, 10)}…)`,
  });
  const x = await stage(
    'execute',
    () => execute(lc, { digest, submitter: owner(0), wait: 'warp' }),
    (r) => r.state === 'executed',
  );
  report.lifecycle.executeTx = x.txHash;
  say({
    stage: 'execute',
    ok: true,
    text: `time warp +${x.warped ?? 0n} s; Safe → TimelockController.execute → ProxyAdmin.upgradeAndCall (tx ${x.txHash?.slice(0, 10)}…)`,
  });
  const v = await stage(
    'verify',
    () => verify(lc, { digest }),
    (r) => r.verdict === 'pass',
  );
  report.lifecycle.verify = { verdict: v.verdict, checks: v.checks };
  say({
    stage: 'verify',
    ok: v.verdict === 'pass',
    text:
      v.verdict === 'pass'
        ? `on chain = approved: implementation slot, runtime bytecode (audited build), executed calldata, ${v.checks.filter((c) => c.name.startsWith('invariant:')).length} invariants`
        : v.findings.map((f) => `${f.id}: ${f.message}`).join('; '),
  });
  if (v.verdict !== 'pass') return;
  const log = await stage(
    'log',
    () => publishLog(lc, files),
    (r) => r.ok,
  );
  report.lifecycle.log = log;
  say({
    stage: 'log',
    ok: log.ok,
    text: `${log.entries} entries exported, head signed by ${log.signer.slice(0, 10)}… (root ${log.root.slice(0, 18)}…) and verified from the files alone; audit of the vault: ${log.audit.history.join(', ')}`,
  });
}

/**
 * What a team publishes and anyone can check: the log export and a signed head (the demo signs with a local
 * test key), written under the state dir and verified from those two files alone.
 */
async function publishLog(lc: Lifecycle, files: { log: string; head: string }) {
  const ledger = await openLedger(lc.store.db, { origin: LOG_ORIGIN });
  const head = await ledger.head();
  const signer = localAccount(5) as LocalAccount;
  const signed = await signCurrentHead(head, signer);
  const text = (await ledger.entries()).map(exportLine).join('');
  writeFileSync(files.log, text);
  writeFileSync(files.head, jsonText(signed));
  const checked = await verifyExport({ text, head: signed, signer: signer.address });
  // What a depositor runs: the proxy's upgrade history from the chain, each change matched against the log.
  const vault = lc.config.live?.vault?.address as Hex;
  const audit = await auditProxy(lc.clients.public, {
    proxy: vault,
    log: text,
    head: signed,
    signer: signer.address,
  });
  return {
    ok: checked.ok && checked.heads[0]?.signature === 'valid' && audit.verdict === 'pass',
    entries: checked.entries,
    root: head.root,
    signer: signer.address,
    head: signed,
    files,
    audit: { verdict: audit.verdict, history: audit.history.map((h) => `${h.event} ${h.status}`) },
  };
}
