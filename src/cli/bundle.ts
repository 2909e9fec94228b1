/**
 * `patchgate bundle verify FILE`: what an approver runs on the embargo bundle they received privately — the
 * bundle's commitment recomputed and found in the log (an export with `--log`, or the store's log), its record's
 * digest recomputed, and the patch they are about to approve printed. A bundle that is not the committed one, or
 * whose parts disagree, is exit 2 (docs/embargo.md).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type Address, decodeFunctionData, type Hex, parseAbi } from 'viem';
import { inputError } from '../core/errors.js';
import { type BundleCheck, checkBundle } from '../embargo/check-bundle.js';
import type { ExportRecord } from '../ledger/export.js';
import { parseExport } from '../ledger/export.js';
import { readHead } from '../ledger/head-text.js';
import { verifyExport } from '../ledger/verify-export.js';
import { LOG_ORIGIN } from '../lifecycle/log-sync.js';
import { openDb } from '../store/db.js';
import { openLedger } from '../store/ledger-store.js';
import { emit, type LifecycleOptions } from './lifecycle.js';
import { addOutputOptions, addStoreOptions, stateDirOf } from './options.js';
import { address } from './options-address.js';

interface BundleVerifyOptions extends LifecycleOptions {
  log?: string;
  head?: string;
  signer?: Address;
}

function read(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw inputError(
      'unreadable-file',
      `cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'check the path',
    );
  }
}

/** The log's records and how far they are authenticated. */
async function logRecords(
  opts: BundleVerifyOptions,
): Promise<{ records: ExportRecord[]; source: string; authenticated: string | undefined }> {
  if (!opts.log) {
    if (opts.head || opts.signer) {
      throw inputError(
        'missing-log',
        '--head/--signer check an export: pass it with --log',
        'pass --log EXPORT',
      );
    }
    const db = await openDb({ stateDir: stateDirOf(opts), databaseUrl: opts.databaseUrl, create: false });
    try {
      const ledger = await openLedger(db, { origin: LOG_ORIGIN });
      const { size } = await ledger.head();
      return {
        records: await ledger.entries(0, size),
        source: 'the store',
        authenticated: 'the store (local)',
      };
    } finally {
      await db.close();
    }
  }
  const text = read(opts.log, '--log');
  if (!opts.head)
    return { records: parseExport(text, `--log ${opts.log}`), source: opts.log, authenticated: undefined };
  const report = await verifyExport({
    text,
    name: `--log ${opts.log}`,
    head: readHead(read(opts.head, '--head'), `--head ${opts.head}`),
    signer: opts.signer,
    allowUnsignedTail: true,
  });
  if (!report.authenticated) {
    const why = report.problems[0]?.message ?? 'the head does not check out';
    throw inputError(
      'bundle-not-committed',
      `--log ${opts.log} does not verify against --head ${opts.head}: ${why}`,
      'get a current export and head of the log',
    );
  }
  const records = parseExport(text, `--log ${opts.log}`).slice(0, report.committed);
  const signer = report.heads[0]?.signer;
  return {
    records,
    source: opts.log,
    authenticated: `the head (size ${report.committed}) signed by ${signer}${report.signerPinned ? ' (pinned)' : ' (signer NOT pinned: pass --signer)'}`,
  };
}

const UPGRADE_ABI = parseAbi([
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
  'function upgradeToAndCall(address newImplementation, bytes data) payable',
]);

function callLine(data: Hex): string {
  try {
    const call = decodeFunctionData({ abi: UPGRADE_ABI, data });
    const init = call.args.at(-1) as Hex;
    return `${call.functionName}(${call.args.slice(0, -1).join(', ')}, init ${init === '0x' ? 'none' : `${init.slice(0, 10)}… (${(init.length - 2) / 2} bytes)`})`;
  } catch {
    return `${data.slice(0, 10)}… (${(data.length - 2) / 2} bytes)`;
  }
}

function bundleText(c: BundleCheck, log: { source: string; authenticated: string | undefined }): string[] {
  const { bundle: b } = c;
  return [
    `OK  the bundle is the one committed in the log: commitment ${c.commitment} (entry ${c.committed.index}, ${c.committed.at})`,
    `  patch           ${b.plan.name}  digest ${b.digest} (recomputed from the record)`,
    `  chain / proxy   ${b.record.chainId} / ${b.record.proxy}  (${b.plan.contract})`,
    `  upgrade call    ${b.record.target}  ${callLine(b.record.calldata)}`,
    `  timelock        ${b.plan.timelock}  call to ${b.call.target}, operation ${b.call.operationId}`,
    `  implementation  ${b.record.implementation}  codehash ${b.record.codehash}`,
    `  candidate       ${b.build.candidate}  (solc ${b.build.compiler}, ${Object.keys(b.build.sources).length} source files)`,
    `  evidence        ${Object.entries(c.verdicts)
      .map(([stage, v]) => `${stage} ${v} (${b.record.evidence[stage]?.slice(0, 18)}…)`)
      .join(', ')}`,
    `  lane / delay    ${b.record.lane}, ${b.plan.delay} s, proposed by Safe ${b.plan.safe}`,
    `  log             ${log.source}: ${log.authenticated ?? 'NOT AUTHENTICATED (no --head): pass --head HEAD.json --signer 0xLOG_SIGNER'}`,
    '',
    `next: patchgate approve ${b.digest} --rpc URL --key-env YOUR_KEY`,
  ];
}

function verifySub(onExit: (code: number) => void): Command {
  const cmd = new Command('verify')
    .description(
      'check an embargo bundle against the log’s commitment and print the patch it holds (exit 2: not the committed bundle)',
    )
    .argument('<file>', 'the bundle file `propose --embargo --bundle` wrote')
    .option('--log <export>', 'the log export to find the commitment in (default: the store’s log)')
    .option('--head <file>', 'a signed head of that export: only the entries it commits to count')
    .option('--signer <address>', "the log signer's address (with --head)", address('--signer'));
  addStoreOptions(cmd);
  addOutputOptions(cmd, ['text', 'json']);
  cmd.action(async (file: string, opts: BundleVerifyOptions) => {
    const text = read(file, 'bundle');
    const log = await logRecords(opts);
    const checked = checkBundle(text, file, log.records);
    const json = {
      verdict: 'pass',
      commitment: checked.commitment,
      committed: checked.committed,
      digest: checked.bundle.digest,
      record: checked.bundle.record,
      plan: checked.bundle.plan,
      call: checked.bundle.call,
      build: {
        candidate: checked.bundle.build.candidate,
        compiler: checked.bundle.build.compiler,
        sources: Object.keys(checked.bundle.build.sources),
      },
      verdicts: checked.verdicts,
      log: { source: log.source, authenticated: log.authenticated ?? null },
    };
    emit(opts, json, () => bundleText(checked, log));
    onExit(0);
  });
  return cmd;
}

export function bundleCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('bundle').description('embargoed patches: check the bundle an approver received');
  cmd.addCommand(verifySub(onExit));
  return cmd;
}
