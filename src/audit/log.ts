/**
 * The transparency log as evidence for an audit: the export is verified first (entries re-hashed, the tree
 * rebuilt, checked against a signed head when one is given) and only a log that verifies is read. Reading it
 * means: which patches were proposed (chain, proxy, implementation, codehash) and in which transactions they
 * were executed.
 */
import type { Address, Hex } from 'viem';
import { type Entry, parseEntry } from '../ledger/entry.js';
import { type ExportRecord, exportLine, parseExport } from '../ledger/export.js';
import type { Head } from '../ledger/head.js';
import { type ExportReport, verifyExport } from '../ledger/verify-export.js';

export type Proposed = Extract<Entry, { kind: 'patch-proposed' }>;

export interface Execution {
  digest: Hex;
  txHash: Hex;
  blockNumber: bigint;
  /** The executed entry's index in the log. */
  index: number;
}

export interface AuditLog {
  entries: number;
  root: Hex;
  /** Set when the export was checked against a signed head. */
  head?: { size: number; signer?: Address; signature: string };
  /** patch-proposed entries by digest (the first one of each digest). */
  proposals: Map<Hex, Proposed & { index: number }>;
  /** executed entries, in log order. */
  executions: Execution[];
}

export interface LogInput {
  /** The export: its text (JSON lines) or its records. */
  log: string | readonly ExportRecord[];
  head?: Head;
  /** The log signer's address; without it, the head's own signer. */
  signer?: Address;
}

export type LoadedLog =
  | { ok: true; log: AuditLog; report: ExportReport }
  | { ok: false; report: ExportReport };

function index(records: readonly ExportRecord[]): Pick<AuditLog, 'proposals' | 'executions'> {
  const proposals: AuditLog['proposals'] = new Map();
  const executions: Execution[] = [];
  for (const record of records) {
    const entry = parseEntry(record.entry);
    if (entry.kind === 'patch-proposed' && !proposals.has(entry.digest)) {
      proposals.set(entry.digest, { ...entry, index: record.index });
    } else if (entry.kind === 'executed') {
      executions.push({
        digest: entry.digest,
        txHash: entry.txHash,
        blockNumber: BigInt(entry.blockNumber),
        index: record.index,
      });
    }
  }
  return { proposals, executions };
}

/**
 * Verifies the export and, when it verifies, indexes it. A line that is not an export record is bad input
 * (`parseExport` throws, exit 2); an export that does not verify is returned as such, never read.
 */
export async function loadLog(input: LogInput): Promise<LoadedLog> {
  const text = typeof input.log === 'string' ? input.log : input.log.map(exportLine).join('');
  const report = await verifyExport({ text, head: input.head, signer: input.signer });
  if (!report.ok) return { ok: false, report };
  const head = report.heads[0];
  return {
    ok: true,
    report,
    log: {
      entries: report.entries,
      root: report.root,
      ...(head ? { head: { size: head.size, signer: head.signer, signature: head.signature } } : {}),
      ...index(parseExport(text)),
    },
  };
}

/** `first bad entry 4 (hash-mismatch: …)`: what a failed verification says, in one line. */
export function describeFailure(report: ExportReport): string {
  const first = report.problems[0];
  const where =
    report.firstBadIndex !== undefined
      ? `first bad entry ${report.firstBadIndex}`
      : 'the heads do not check out';
  return first ? `${where} (${first.code}: ${first.message})` : where;
}
