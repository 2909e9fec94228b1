/**
 * `patchgate audit <proxy>`: rebuilds the proxy's upgrade history from the chain and flags every change the
 * transparency log does not explain. Only the entries a signed head commits to explain anything: without
 * --head the log is not used, and entries after the head's size are ignored. Exit codes: 0 everything
 * explained, 1 anything unexplained (or a log that does not verify), 2 bad input (an address, a file, a block
 * number), 3 the RPC does not answer.
 */
import { readFileSync } from 'node:fs';
import { Argument, Command } from 'commander';
import pc from 'picocolors';
import type { Address } from 'viem';
import { type AuditReport, auditProxy, type HistoryItem } from '../audit/index.js';
import { connect } from '../chain/clients.js';
import { inputError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { parseExport } from '../ledger/export.js';
import type { Head } from '../ledger/head.js';
import { readHead as parseHeadFile } from '../ledger/head-text.js';
import { renderReport, writeOutput } from '../report/index.js';
import { addOutputOptions, addRpcOption, blockNumber, REPORT_FORMATS, rpcUrl, useColor } from './options.js';
import { address } from './options-address.js';

type Colors = ReturnType<typeof pc.createColors>;

interface AuditOptions {
  rpc?: string;
  log?: string;
  head?: string;
  signer?: Address;
  gate?: Address;
  fromBlock?: bigint;
  format: 'text' | 'json' | 'md' | 'sarif';
  out?: string;
}

function readInput(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw inputError('unreadable-file', `cannot read ${flag} ${path}: ${why}`, 'check the path');
  }
}

/** The export's text, checked to be an export before the chain is asked anything (a bad file is exit 2). */
function readLog(path: string): string {
  const text = readInput(path, '--log');
  parseExport(text, `--log ${path}`);
  return text;
}

/** A head file: the JSON `log head --format json` writes, or the text `log head` prints. */
function readHead(path: string): Head {
  return parseHeadFile(readInput(path, '--head'), `--head ${path}`);
}

/** The event, named after its emitter when that is not the proxy: `ProxyAdmin.OwnershipTransferred`. */
function label(h: HistoryItem): string {
  const emitter = { proxy: '', 'proxy-admin': 'ProxyAdmin.', beacon: 'beacon.', gate: 'PatchGate.' }[
    h.emitter
  ];
  return `${emitter}${h.event}`;
}

/** What changed, in one cell: the implementation, the beacon, or `old → new` admin or owner. */
function what(h: HistoryItem): string {
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
export function timelineLines(history: readonly HistoryItem[], c: Colors): string[] {
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

export function auditText(r: AuditReport, color = false): string[] {
  const c = pc.createColors(color);
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
  return lines;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The Markdown report with the timeline as a table after it. */
function auditMarkdown(r: AuditReport): string {
  const rows = r.history.map((h) => {
    const s = h.status === 'authorized' ? `AUTHORIZED \`${h.patch}\`` : h.status.toUpperCase();
    return `| ${h.blockNumber} | ${label(h)} | \`${cell(what(h))}\` | \`${h.txHash}\` | \`${h.sender}\` | ${s} |`;
  });
  return [
    renderReport(r, 'md').trimEnd(),
    '',
    `#### History of \`${r.proxy}\` (chain ${r.chainId}, blocks ${r.fromBlock}…${r.toBlock})`,
    '',
    '| block | event | change | tx | sender | status |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function render(r: AuditReport, opts: AuditOptions): string {
  if (opts.format === 'text') return `${auditText(r, useColor(opts.out)).join('\n')}\n`;
  if (opts.format === 'md') return auditMarkdown(r);
  return renderReport(r, opts.format);
}

export function auditCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('audit')
    .description(
      "rebuild a proxy's upgrade history from the chain and flag every change the log does not explain",
    )
    .addArgument(new Argument('<proxy>', 'the proxy address').argParser(address('proxy')));
  addRpcOption(cmd, { note: 'default: $ETH_RPC_URL, then http://127.0.0.1:8545' });
  cmd
    .option('--log <export>', 'the transparency log export (JSON lines from `patchgate log export`)')
    .option('--head <file>', 'a signed head the export must match (`patchgate log head --format json`)')
    .option(
      '--signer <address>',
      "the log signer's published address (required for the log to be used: a head proves only who signed it)",
      address('--signer'),
    )
    .option(
      '--gate <address>',
      'a PatchGate contract whose PatchExecuted events are read too',
      address('--gate'),
    )
    .option('--from-block <n>', 'start the history at this block (default 0)', blockNumber('--from-block'));
  addOutputOptions(cmd, REPORT_FORMATS);
  cmd.action(async (proxy: Address, opts: AuditOptions) => {
    if (opts.log === undefined && (opts.head !== undefined || opts.signer !== undefined)) {
      throw inputError('missing-log', '--head and --signer check a log export: pass it with --log EXPORT');
    }
    const params = {
      proxy,
      ...(opts.gate !== undefined ? { gate: opts.gate } : {}),
      ...(opts.signer !== undefined ? { signer: opts.signer } : {}),
      ...(opts.fromBlock !== undefined ? { fromBlock: opts.fromBlock } : {}),
      ...(opts.log !== undefined ? { log: readLog(opts.log) } : {}),
      ...(opts.head !== undefined ? { head: readHead(opts.head) } : {}),
    };
    // The environment's URL is checked like --rpc's: a bad one is exit 2 naming it, not a failed connection.
    const env = process.env.ETH_RPC_URL;
    const clients = await connect(opts.rpc ?? (env ? rpcUrl('ETH_RPC_URL')(env) : 'http://127.0.0.1:8545'));
    const report = await auditProxy(clients.public, params);
    writeOutput(render(report, opts), opts.out);
    onExit(report.verdict === 'pass' ? 0 : 1);
  });
  return cmd;
}
