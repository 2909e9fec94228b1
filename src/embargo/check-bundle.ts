/**
 * An approver's check of a bundle they received privately: it must be a well-formed bundle whose parts agree
 * (`readBundle`), and its commitment must be one the public log holds in a `patch-committed` entry on the
 * bundle's chain — so what they approve is exactly what was committed, and what the reveal must later publish.
 */
import type { Hex } from 'viem';
import { inputError } from '../core/errors.js';
import { type Entry, parseEntry } from '../ledger/entry.js';
import type { ExportRecord } from '../ledger/export.js';
import { type Bundle, readBundle } from './bundle.js';

export interface BundleCheck {
  bundle: Bundle;
  commitment: Hex;
  /** The log's `patch-committed` entry for this commitment. */
  committed: { index: number; at: string; chainId: number };
  /** Evidence verdicts by stage, as the reports say. */
  verdicts: Record<string, string>;
}

type Committed = Extract<Entry, { kind: 'patch-committed' }>;

function committedEntries(records: readonly ExportRecord[]): (Committed & { index: number })[] {
  return records.flatMap((r) => {
    try {
      const entry = parseEntry(r.entry);
      return entry.kind === 'patch-committed' ? [{ ...entry, index: r.index }] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Checks a bundle's text against the log's records (those a head authenticated, when the caller has one).
 *
 * @example
 * ```ts
 * const c = checkBundle(readFileSync('bundle.json', 'utf8'), 'bundle.json', parseExport(logText));
 * console.log(c.bundle.digest, c.committed.index);
 * ```
 */
export function checkBundle(text: string, name: string, records: readonly ExportRecord[]): BundleCheck {
  const { bundle, commitment } = readBundle(text, name);
  const found = committedEntries(records).find((c) => c.commitment === commitment);
  if (!found) {
    throw inputError(
      'bundle-not-committed',
      `${name} hashes to ${commitment}, which no patch-committed entry of the log holds: it is not the bundle that was committed (a changed byte changes the hash)`,
      'do not approve from it: get the bundle again from the proposer, or a current export of the log',
    );
  }
  if (found.chainId !== bundle.record.chainId) {
    throw inputError(
      'bundle-tampered',
      `${name}: the commitment was logged for chain ${found.chainId}, the bundle's patch is on chain ${bundle.record.chainId}`,
      'do not approve from it',
    );
  }
  const verdicts: Record<string, string> = {};
  for (const [stage, report] of Object.entries(bundle.evidence)) {
    const v = (report as { verdict?: unknown } | null)?.verdict;
    verdicts[stage] = typeof v === 'string' ? v : 'unknown';
  }
  return {
    bundle,
    commitment,
    committed: { index: found.index, at: found.at, chainId: found.chainId },
    verdicts,
  };
}
