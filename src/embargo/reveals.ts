/**
 * What `log verify` checks of embargoed patches, from the export alone: every `patch-revealed` entry publishes a
 * bundle that hashes to a commitment the log held before it, whose record digests to the digest the revealed,
 * approval, queued and verified entries name, and whose operation (timelock call, implementation, codehash) is the
 * one those entries say was queued and verified. A commitment whose patch executed but was never revealed is a
 * warning, not a failure: the team still owes the reveal (docs/embargo.md).
 */
import { getAddress, type Hex, isAddressEqual, keccak256, recoverTypedDataAddress } from 'viem';
import { isPatchgateError } from '../core/errors.js';
import { approvalTypedData } from '../govern/approval.js';
import type { Entry } from '../ledger/entry.js';
import { type Bundle, readBundle } from './bundle.js';

export interface IndexedEntry {
  index: number;
  entry: Entry;
}

export interface RevealProblem {
  index: number;
  code:
    | 'reveal-bundle-invalid'
    | 'reveal-not-committed'
    | 'reveal-digest-mismatch'
    | 'reveal-entry-mismatch'
    | 'reveal-incomplete';
  message: string;
}

export interface RevealChecks {
  /** Every `patch-revealed` entry and whether it checked out. */
  reveals: { index: number; digest: Hex; commitment: Hex; ok: boolean }[];
  /** Committed patches that executed and were never revealed (a warning). */
  unrevealed: { commitment: Hex; digest: Hex; executedIndex: number }[];
  problems: RevealProblem[];
}

type Of<K extends Entry['kind']> = Extract<Entry, { kind: K }> & { index: number };

function byKind<K extends Entry['kind']>(entries: readonly IndexedEntry[], kind: K): Of<K>[] {
  return entries.flatMap(({ index, entry }) => (entry.kind === kind ? [{ ...(entry as Of<K>), index }] : []));
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Every entry the log holds about the revealed patch, against the bundle; problems found. */
async function againstBundle(
  entries: readonly IndexedEntry[],
  reveal: Of<'patch-revealed'>,
  bundle: Bundle,
): Promise<RevealProblem[]> {
  const problems: RevealProblem[] = [];
  const at = reveal.index;
  const bad = (index: number, message: string) =>
    problems.push({ index, code: 'reveal-entry-mismatch', message });
  const { record, digest } = bundle;
  const of = <K extends Entry['kind']>(kind: K) =>
    byKind(entries, kind).filter((e) => 'digest' in e && same(e.digest as string, digest));

  const proposed = of('patch-proposed');
  if (proposed.length === 0) {
    problems.push({
      index: at,
      code: 'reveal-incomplete',
      message: `the reveal of ${digest} publishes no patch-proposed entry for it (the withheld entries are missing)`,
    });
  }
  for (const p of proposed) {
    const fields = ['proxy', 'target', 'implementation', 'codehash', 'calldata', 'lane'] as const;
    const differs = fields.filter((f) => !same(p[f], record[f]));
    if (p.chainId !== record.chainId) differs.unshift('chainId' as never);
    if (differs.length > 0)
      bad(p.index, `patch-proposed of ${digest} differs from the revealed bundle in ${differs.join(', ')}`);
  }
  for (const e of of('evidence')) {
    const expected = record.evidence[e.stage];
    if (!expected || !same(expected, e.hash)) {
      bad(
        e.index,
        `the ${e.stage} evidence entry of ${digest} is not the revealed bundle's (${expected ?? 'no such stage'})`,
      );
    }
  }
  for (const q of of('queued')) {
    if (!same(q.operationId, bundle.call.operationId)) {
      bad(
        q.index,
        `the queued operation ${q.operationId} is not the revealed bundle's ${bundle.call.operationId} (another call was scheduled)`,
      );
    }
    if (q.commitment && !same(q.commitment, reveal.commitment)) {
      bad(
        q.index,
        `the queued entry of ${digest} names commitment ${q.commitment}, the reveal ${reveal.commitment}`,
      );
    }
  }
  for (const v of of('verified')) {
    if (!same(v.implementation, record.implementation) || !same(v.codehash, record.codehash)) {
      bad(
        v.index,
        `the verified implementation ${v.implementation} (${v.codehash}) is not the revealed bundle's ${record.implementation} (${record.codehash})`,
      );
    }
  }
  const approvals = of('approval');
  for (const a of approvals) {
    // Signed for this digest, chain and proxy: the signature recovers to the signer the entry names.
    const typed = approvalTypedData({
      digest,
      chainId: record.chainId,
      proxy: record.proxy,
      nonce: BigInt(a.nonce),
      expiry: BigInt(a.expiry),
    });
    const recovered = await recoverTypedDataAddress({ ...typed, signature: a.signature }).catch(
      () => undefined,
    );
    if (!recovered || !isAddressEqual(recovered, a.signer)) {
      bad(
        a.index,
        `the approval by ${a.signer} is not a signature of the revealed patch (digest, chain, proxy)`,
      );
    }
  }
  for (const c of byKind(entries, 'approval-committed').filter((c) =>
    same(c.commitment, reveal.commitment),
  )) {
    const revealed = approvals.find(
      (a) => same(a.signer, c.signer) && same(keccak256(a.signature as Hex), c.signatureHash),
    );
    if (!revealed) {
      problems.push({
        index: c.index,
        code: 'reveal-incomplete',
        message: `the approval ${getAddress(c.signer)} gave under embargo (entry ${c.index}) is not among the revealed approvals of ${digest}`,
      });
    }
  }
  return problems;
}

/**
 * Checks every reveal in the log and finds the committed patches that executed unrevealed.
 *
 * @example
 * ```ts
 * const checks = await checkReveals(records.map((r) => ({ index: r.index, entry: parseEntry(r.entry) })));
 * if (checks.problems.length > 0) process.exitCode = 1;
 * ```
 */
export async function checkReveals(entries: readonly IndexedEntry[]): Promise<RevealChecks> {
  const problems: RevealProblem[] = [];
  const reveals: RevealChecks['reveals'] = [];
  const committed = byKind(entries, 'patch-committed');
  for (const r of byKind(entries, 'patch-revealed')) {
    const found: RevealProblem[] = [];
    let bundle: Bundle | undefined;
    try {
      const read = readBundle(r.bundle, `the bundle revealed in entry ${r.index}`);
      bundle = read.bundle;
      if (!read.canonical) {
        found.push({
          index: r.index,
          code: 'reveal-bundle-invalid',
          message: `the bundle revealed in entry ${r.index} is not in canonical form`,
        });
      }
      if (!same(read.commitment, r.commitment)) {
        found.push({
          index: r.index,
          code: 'reveal-bundle-invalid',
          message: `the bundle revealed in entry ${r.index} hashes to ${read.commitment}, not to the commitment ${r.commitment} it claims`,
        });
      }
    } catch (e) {
      found.push({
        index: r.index,
        code: 'reveal-bundle-invalid',
        message: isPatchgateError(e) ? e.shortMessage : String(e),
      });
    }
    const commitment = committed.find((c) => same(c.commitment, r.commitment) && c.index < r.index);
    if (!commitment) {
      found.push({
        index: r.index,
        code: 'reveal-not-committed',
        message: `entry ${r.index} reveals a bundle for commitment ${r.commitment}, which no earlier patch-committed entry holds: this is not the bundle that was committed`,
      });
    } else if (bundle && commitment.chainId !== bundle.record.chainId) {
      found.push({
        index: r.index,
        code: 'reveal-entry-mismatch',
        message: `the commitment was made on chain ${commitment.chainId}, the bundle's patch is on chain ${bundle.record.chainId}`,
      });
    }
    if (bundle && !same(bundle.digest, r.digest)) {
      found.push({
        index: r.index,
        code: 'reveal-digest-mismatch',
        message: `entry ${r.index} names patch ${r.digest}, its bundle's record digests to ${bundle.digest}`,
      });
    }
    // The entries about the patch are checked against what was revealed, whatever else is wrong with it.
    if (bundle && same(bundle.digest, r.digest)) found.push(...(await againstBundle(entries, r, bundle)));
    problems.push(...found);
    reveals.push({ index: r.index, digest: r.digest, commitment: r.commitment, ok: found.length === 0 });
  }
  const queued = byKind(entries, 'queued');
  const executed = byKind(entries, 'executed');
  const unrevealed: RevealChecks['unrevealed'] = [];
  for (const c of committed) {
    if (reveals.some((r) => same(r.commitment, c.commitment))) continue;
    const digests = new Set(
      queued.filter((q) => q.commitment && same(q.commitment, c.commitment)).map((q) => q.digest),
    );
    const run = executed.find((x) => digests.has(x.digest));
    if (run) unrevealed.push({ commitment: c.commitment, digest: run.digest, executedIndex: run.index });
  }
  return { reveals, unrevealed, problems: problems.sort((a, b) => a.index - b.index) };
}
