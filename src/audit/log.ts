/**
 * The transparency log as evidence for an audit: the export is verified first (entries re-hashed, the tree
 * rebuilt, checked against a signed head) and only the entries an authenticated head commits to are read —
 * never an entry after the head's size (anyone can append lines that re-hash), and nothing at all without a
 * head. Reading it means: which patches were proposed (chain, proxy, implementation, codehash) and in which
 * transactions they were executed.
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
  /** How many entries were read: exactly the head's size. */
  entries: number;
  /** The head's root: the tree of the entries read. */
  root: Hex;
  head: { size: number; root: Hex; signer?: Address; signature: string };
  /** patch-proposed entries by digest (the first one of each digest). */
  proposals: Map<Hex, Proposed & { index: number }>;
  /** executed entries, in log order. */
  executions: Execution[];
  /**
   * executed entries after the head's size: claims nobody signed, never used to explain anything — kept only
   * so a report can say that an unsigned entry claims a transaction.
   */
  unsignedExecutions: Execution[];
}

export interface LogInput {
  /** The export: its text (JSON lines) or its records. */
  log: string | readonly ExportRecord[];
  head?: Head;
  /** The log signer's address; without it, the head's own signer. */
  signer?: Address;
}

/**
 * `authenticated`: the head checks out against the pinned signer and `log` holds its entries; `no-head`:
 * nothing authenticates the export; `unpinned`: the head verifies, but only against the address it names itself
 * (anyone can sign a forged log with a fresh key); `unverified`: the export does not verify. In all but the
 * first, none of it is read.
 */
export type LoadedLog =
  | { ok: true; status: 'authenticated'; log: AuditLog; report: ExportReport }
  | { ok: false; status: 'no-head' | 'unpinned' | 'unverified'; report: ExportReport };

function index(records: readonly ExportRecord[]): Pick<AuditLog, 'proposals' | 'executions'> {
  const proposals: AuditLog['proposals'] = new Map();
  const executions: Execution[] = [];
  for (const record of records) {
    const entry = readEntry(record);
    if (!entry) continue;
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

/** The entry of a record; `undefined` for one that is not a canonical entry (only possible past the head). */
function readEntry(record: ExportRecord): Entry | undefined {
  try {
    return parseEntry(record.entry);
  } catch {
    return undefined;
  }
}

/**
 * Verifies the export and, when a signed head authenticates it, indexes the entries that head commits to —
 * its first `size`, nothing after them. A line that is not an export record is bad input (`parseExport`
 * throws, exit 2); an export without a head, or one that does not verify, is returned as such, never read.
 * Entries after the head do not fail the log (they are reported in `report.unsigned`): they are ignored.
 */
export async function loadLog(input: LogInput): Promise<LoadedLog> {
  const text = typeof input.log === 'string' ? input.log : input.log.map(exportLine).join('');
  const report = await verifyExport({
    text,
    head: input.head,
    signer: input.signer,
    allowUnsignedTail: true,
  });
  const head = report.heads.find((h) => h.role === 'head');
  if (!head) return { ok: false, status: 'no-head', report };
  if (!report.ok || !report.authenticated) return { ok: false, status: 'unverified', report };
  // A head is only as trustworthy as the key that signed it: without the log's published address, a log forged
  // whole and signed with the forger's own key would verify. Fail closed: read nothing.
  if (input.signer === undefined) return { ok: false, status: 'unpinned', report };
  const records = parseExport(text);
  return {
    ok: true,
    status: 'authenticated',
    report,
    log: {
      entries: report.committed,
      root: head.root,
      head: { size: head.size, root: head.root, signer: head.signer, signature: head.signature },
      ...index(records.slice(0, report.committed)),
      unsignedExecutions: index(records.slice(report.committed)).executions,
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

/**
 * The log as this machine's own store holds it: no signed head to check, because the store is the source the
 * heads are signed from (the watcher reads its own store's log, as `patchgate log` does). Everything in it is read.
 */
export function storeLog(records: readonly ExportRecord[], root: Hex): AuditLog {
  return {
    entries: records.length,
    root,
    head: { size: records.length, root, signature: '' },
    ...index(records),
    unsignedExecutions: [],
  };
}
