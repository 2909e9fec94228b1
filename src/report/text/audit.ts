/** An audit report in text: the proxy and its log, the timeline of every event judged, the findings, the tally. */
import type { AuditReport, HistoryItem } from '../../audit/index.js';
import type { Finding } from '../../core/finding.js';
import type { Colors } from './findings.js';

/** The event, named after its emitter when that is not the proxy: `ProxyAdmin.OwnershipTransferred`. */
export function label(h: HistoryItem): string {
  const emitter = { proxy: '', 'proxy-admin': 'ProxyAdmin.', beacon: 'beacon.', gate: 'PatchGate.' }[
    h.emitter
  ];
  return `${emitter}${h.event}`;
}

/** What changed, in one cell: the implementation, the beacon, or `old → new` admin or owner. */
export function what(h: HistoryItem): string {
  if (h.event === 'Upgraded' || h.event === 'PatchExecuted') return `${h.implementation}`;
  if (h.event === 'BeaconUpgraded') return `${h.beacon}`;
  return `${h.previous} → ${h.next}`;
}

function status(h: HistoryItem, c: Colors): string {
  if (h.status === 'authorized') return c.green(`AUTHORIZED ${h.patch}`);
  if (h.status === 'attested') return c.cyan(`ATTESTED ${h.digest}`);
  if (h.status === 'initial') return c.dim('INITIAL');
  return c.red(c.bold('UNEXPLAINED'));
}

/** One line per event: block, event, what changed, tx, sender, status. */
function timelineLines(history: readonly HistoryItem[], c: Colors): string[] {
  const block = Math.max(5, ...history.map((h) => String(h.blockNumber).length));
  const event = Math.max(...history.map((h) => label(h).length));
  const change = Math.max(...history.map((h) => what(h).length));
  return history.map(
    (h) =>
      `  ${String(h.blockNumber).padStart(block)}  ${label(h).padEnd(event)}  ${what(h).padEnd(change)}  tx ${h.txHash}  from ${h.sender}  ${status(h, c)}`,
  );
}

function logLine(r: AuditReport, c: Colors): string {
  const { log } = r;
  if (!log.given)
    return `  log: ${c.yellow('none given')} — nothing can explain a change: every change after deployment is UNEXPLAINED`;
  if (log.status === 'no-head')
    return `  log: ${c.red('NOT AUTHENTICATED')} — no --head given, so none of its ${log.entries} entries is used: every change after deployment is UNEXPLAINED`;
  if (log.status === 'unpinned')
    return `  log: ${c.red('NOT AUTHENTICATED')} — its head is signed by ${log.head?.signer ?? '?'}, but no --signer pins the log's key, so none of its ${log.entries} entries is used: every change after deployment is UNEXPLAINED`;
  if (log.status !== 'authenticated')
    return `  log: ${c.red('FAILS verification')} (first bad entry ${log.firstBadIndex ?? '?'}): not used`;
  const head = log.head as NonNullable<typeof log.head>;
  const who = `signed by ${head.signer} (${head.signature}, pinned)`;
  const extra = log.unsigned ? log.unsigned.to - log.unsigned.from : 0;
  const tail = extra
    ? `; ${c.yellow(`${extra} UNSIGNED ${extra === 1 ? 'entry' : 'entries'} after it ignored`)}`
    : '';
  if (head.size === 0) return `  log: the head ${who} commits to no entries: nothing is authorized${tail}`;
  return `  log: ${log.used} entries verified, root ${head.root}, matches the head of size ${head.size} ${who}${tail}`;
}

function findingLines(f: Finding, c: Colors): string[] {
  const mark = f.blocking ? c.red('  [blocking]') : '';
  const lines = [`  ${f.severity.padEnd(8)}  ${c.bold(f.id)}${mark}`, `      ${f.message}`];
  if (f.hint && (f.blocking || f.severity !== 'info')) lines.push(`      ${c.dim('> fix:')} ${f.hint}`);
  return lines;
}

export function auditText(r: AuditReport, c: Colors): string {
  const verdict = r.verdict === 'pass' ? c.green(c.bold('PASS')) : c.red(c.bold('FAIL'));
  const control = [r.admin ? `admin ${r.admin}` : '', r.beacon ? `beacon ${r.beacon}` : ''].filter(Boolean);
  const lines = [
    `${verdict}  audit ${r.proxy} (${r.kind}) on chain ${r.chainId}, blocks ${r.fromBlock}…${r.toBlock}`,
    `  implementation ${r.implementation}${control.length ? `, ${control.join(', ')}` : ''}`,
    logLine(r, c),
    '',
    ...(r.history.length ? timelineLines(r.history, c) : ['  no events in this block range']),
  ];
  for (const f of r.findings) lines.push('', ...findingLines(f, c));
  const { initial, authorized, unexplained } = r.tally;
  lines.push(
    '',
    `${initial} initial, ${authorized} authorized, ${unexplained} unexplained  (history digest ${r.digest})`,
  );
  return `${lines.join('\n')}\n`;
}
