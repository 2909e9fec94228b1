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
