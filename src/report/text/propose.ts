/** A propose report in text: what was recorded for approval (or why nothing was), and the next step. */
import type { ProposeReport } from '../../lifecycle/propose.js';
import type { Colors } from './findings.js';

export function proposeText(r: ProposeReport, _c: Colors): string {
  return `${proposeLines(r).join('\n')}\n`;
}

function proposeLines(r: ProposeReport): string[] {
  if (r.verdict !== 'pass' || !r.record || !r.plan) {
    const failed = r.stages.find((s) => s.status === 'failed')?.name ?? 'a stage';
    return [
      `REFUSED  ${r.patch}: ${failed} fails — nothing was proposed`,
      ...r.findings.map((f) => `  ${f.severity.padEnd(8)} ${f.id}  ${f.message}`),
      `  run \`patchgate ${failed} --patch ${r.patch}\` for the full report`,
    ];
  }
  const { record, plan } = r;
  return [
    `${r.created ? 'PROPOSED' : 'ALREADY PROPOSED'}  ${r.patch}  (${record.lane} lane, state ${r.state})`,
    `  digest          ${r.digest}`,
    `  chain / proxy   ${record.chainId} / ${record.proxy}`,
    `  timelock call   ${record.target}  ${record.calldata.slice(0, 10)}… (${(record.calldata.length - 2) / 2} bytes)`,
    `  implementation  ${record.implementation} ${r.implementation?.reused ? '(already on chain)' : '(deployed now)'}  codehash ${record.codehash.slice(0, 18)}…`,
    `  evidence        check ${record.evidence.check?.slice(0, 18)}…  simulate ${record.evidence.simulate?.slice(0, 18)}…`,
    `  policy          ${r.policy?.threshold} of ${r.policy?.approvers.length} approvers; scheduled with a ${plan.delay} s delay on timelock ${plan.timelock}`,
    ...riskLines(r),
    ...(r.paused
      ? [
          `  paused          ${r.paused.address} ${r.paused.already ? '(was already paused)' : `by the guardian (tx ${r.paused.txHash})`}`,
        ]
      : []),
    ...(r.embargo
      ? [
          `  EMBARGOED       the public log holds only commitment ${r.embargo.commitment}${r.embargo.revealedAt ? ` (revealed ${r.embargo.revealedAt})` : ''}`,
          ...(r.embargo.bundleFile
            ? [
                `  bundle          ${r.embargo.bundleFile} (mode 0600): hand it to each approver privately; they check it with`,
                `                  patchgate bundle verify ${r.embargo.bundleFile} --log LOG.jsonl`,
              ]
            : []),
        ]
      : []),
    '',
    `next: each approver runs  patchgate approve ${r.digest} --rpc URL --key-env THEIR_KEY`,
  ];
}

/** The assessment in two lines: class, priority and advice; what this lane leaves exposed. */
function riskLines(r: ProposeReport): string[] {
  const a = r.assessment;
  const lane = r.record?.lane;
  if (!a || !lane) return [];
  const w = a.exposure[lane];
  return [
    `  risk            ${a.severity.level} (${a.severity.impact})${a.public ? ', public' : ''}; ${a.priority}, recommended lane ${a.lane.recommended}; ${a.valueAtRisk.usd !== undefined ? `$${a.valueAtRisk.usd}` : 'unknown value'} at risk`,
    `                  this lane: ${Number(w.windowSeconds) / 3600} h to execution${w.exposureUsdHours !== undefined ? `, $${w.exposureUsdHours}·h exposed` : ''}${lane !== a.lane.recommended ? ` — not the recommended lane; the policy allows it (\`patchgate assess ${r.digest.slice(0, 10)}…\` for the full assessment)` : ''}`,
  ];
}
