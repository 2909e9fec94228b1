/**
 * `patchgate audit <proxy>`: rebuilds the proxy's upgrade history from the chain and flags every change the
 * transparency log does not explain. Only the entries a signed head commits to explain anything: without
 * --head the log is not used, and entries after the head's size are ignored. Exit codes: 0 everything
 * explained, 1 anything unexplained (or a log that does not verify), 2 bad input (an address, a file, a block
 * number), 3 the RPC does not answer.
 */
import { readFileSync } from 'node:fs';
import { Argument, Command } from 'commander';
import type { Address } from 'viem';
import { type AuditReport, auditProxy } from '../audit/index.js';
import { connect } from '../chain/clients.js';
import { inputError } from '../core/errors.js';
import { parseExport } from '../ledger/export.js';
import type { Head } from '../ledger/head.js';
import { readHead as parseHeadFile } from '../ledger/head-text.js';
import { renderReport, writeOutput } from '../report/index.js';
import { addOutputOptions, addRpcOption, blockNumber, REPORT_FORMATS, rpcUrl, useColor } from './options.js';
import { address } from './options-address.js';

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

function render(r: AuditReport, opts: AuditOptions): string {
  return renderReport(r, opts.format, { color: useColor(opts.out) });
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
