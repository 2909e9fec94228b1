/**
 * Verifying a log export with nothing but the files: every entry is re-read and re-hashed, the tree is rebuilt,
 * and its root is checked against a signed head (signature included) and against an earlier head (the log may
 * only have grown since). Any difference — an entry modified, deleted, inserted, moved or cut off, or a history
 * rewritten after an earlier head was published — fails, naming the first bad index.
 *
 * A head commits to its first `size` entries and to nothing else. Entries after them (the *unsigned tail*) —
 * and every entry, when no head is given — are authenticated by nothing: anyone can append lines that
 * re-hash correctly. They fail the export (`unsigned-tail`) unless the caller allows them, and even then they
 * are only named, never counted as verified: `committed` says how many entries a consumer may read.
 *
 * Two kinds of evidence, kept apart: what the lines show (an index out of place, an entry that does not hash to
 * the nodes recorded with it) and what the signed head proves (walking its root down, `locate.ts`). Entries
 * before `provenBefore` are proven by the head whatever a tamperer recomputed; `firstBadIndex` is the first
 * entry shown to be bad, or the first unproven one when the head alone cannot say more.
 */
import type { Address, Hex } from 'viem';
import { inputError } from '../core/errors.js';
import { ENTRY_KINDS } from './entry.js';
import { type ExportRecord, parseExport } from './export.js';
import { EMPTY_ROOT, equalHash, type Hash, parseHash, toHex } from './hash.js';
import { checkFrontier, type Head, verifyHead } from './head.js';
import { locate } from './locate.js';
import { consistencyProof, rangeNodes } from './merkle.js';
import { type Rebuilt, rebuild } from './rebuild.js';
import { verifyConsistency } from './verify.js';

export interface ExportProblem {
  /** The entry this problem is about; absent for problems with a head itself. */
  index?: number;
  /** For a mismatch the head cannot narrow to one entry: the bad entries are somewhere in [lo, hi). */
  range?: [number, number];
  code: string;
  message: string;
}

export type HeadRole = 'head' | 'earlier head';

export interface HeadReport {
  role: HeadRole;
  origin: string;
  size: number;
  root: Hex;
  signer?: Address;
  signature: 'valid' | 'invalid' | 'unsigned';
  /** The export's first `size` entries are exactly the ones this head committed to. */
  matches: boolean;
  /** Entries [0, provenBefore) are proven by this head's root. */
  provenBefore: number;
}

/** An entry no verified head commits to, named by what it claims to be (when its text says). */
export interface UnsignedEntry {
  index: number;
  kind?: string;
  digest?: string;
}

/** The entries after the head's (all of them without a head); at most `UNSIGNED_LISTED` are listed. */
export interface UnsignedTail {
  from: number;
  to: number;
  entries: UnsignedEntry[];
}

const UNSIGNED_LISTED = 100;

export interface ExportReport {
  /** Every check passed and every entry is committed to by the head (or the unsigned tail was allowed). */
  ok: boolean;
  /**
   * A head was given, its signature checks and the export's first `size` entries are exactly the ones it
   * committed to (and so does the earlier head, when given). Without it nothing in the export is authenticated.
   */
  authenticated: boolean;
  /** Entries [0, committed) are the ones an authenticated head committed to: the only ones a consumer may read. */
  committed: number;
  /**
   * The head was checked against the caller's `signer`. When false, a valid head only shows that whoever
   * holds the key it names signed it — anyone can sign a head with their own key.
   */
  signerPinned: boolean;
  entries: number;
  /** The root recomputed over every entry of the export. */
  root: Hex;
  firstBadIndex?: number;
  problems: ExportProblem[];
  heads: HeadReport[];
  /** True when both heads match and the RFC 9162 consistency proof between them verifies. */
  consistent?: boolean;
  /** Entries no head commits to: past the head's size, or all of them without a head. */
  unsigned?: UnsignedTail;
}

export interface VerifyExportInput {
  /** The export's text (JSON lines). */
  text: string;
  /** How errors name the export (e.g. `--file log.jsonl`); default "the export". */
  name?: string;
  head?: Head;
  previousHead?: Head;
  /** The log signer's address; without it, the head's own `signer` (the earlier head must have the same). */
  signer?: Address;
  /**
   * Entries after the head's (every entry, without a head) are then named in `unsigned` but do not fail the
   * export. They stay unauthenticated: `committed` never covers them.
   */
  allowUnsignedTail?: boolean;
}

/** Where the export departs from one head, and how many of its first entries the head proves. */
function compare(
  rebuilt: Rebuilt,
  entries: number,
  head: Head,
  role: HeadRole,
): { problems: ExportProblem[]; provenBefore: number } {
  const root = parseHash(head.root) as Hash;
  if (head.size === 0) {
    if (equalHash(root, EMPTY_ROOT)) return { problems: [], provenBefore: 0 };
    const message = `the ${role} has size 0 but not the empty-tree root`;
    return { problems: [{ index: 0, code: 'bad-empty-head', message }], provenBefore: 0 };
  }
  const frontier = head.frontier && !checkFrontier(head) ? head.frontier : undefined;
  const tops = frontier
    ? rangeNodes(0, head.size).map((n, j) => ({
        lo: n.index * 2 ** n.level,
        hi: (n.index + 1) * 2 ** n.level,
        hash: parseHash(frontier[j]) as Hash,
      }))
    : [{ lo: 0, hi: head.size, hash: root }];
  const found = locate({ tops, recomputed: rebuilt.recomputed, supplied: rebuilt.supplied });
  if (!found) return { problems: [], provenBefore: head.size };
  const problems: ExportProblem[] = [];
  const [lo, hi] = found.range;
  const provenBefore = Math.min(found.exact ? found.index : lo, entries);
  if (head.size > entries) {
    const missing =
      head.size - entries === 1 ? `entry ${entries} is` : `entries ${entries}…${head.size - 1} are`;
    problems.push({
      index: entries,
      code: 'truncated',
      message: `the ${role} has ${head.size} entries but the export ends after ${entries}: ${missing} missing`,
    });
    // A mismatch that the missing entries alone explain is not a second problem.
    if (found.exact ? found.index >= entries : hi > entries) return { problems, provenBefore };
  }
  const fork = role === 'earlier head';
  const code = fork ? 'fork' : 'root-mismatch';
  if (found.exact) {
    problems.push({
      index: found.index,
      code,
      message: fork
        ? `the earlier head (size ${head.size}) committed to another entry ${found.index}: the log's history was rewritten after that head was published (a fork)`
        : `entry ${found.index} is not the entry the head (size ${head.size}) committed to: it was modified, inserted, deleted or moved`,
    });
  } else {
    problems.push({
      range: [lo, hi],
      code,
      message: fork
        ? `the log's history was rewritten after the earlier head (size ${head.size}) was published (a fork): that head committed to other entries somewhere in ${lo}…${hi - 1}`
        : `the head (size ${head.size}) committed to other entries somewhere in ${lo}…${hi - 1}; entries before ${lo} are proven`,
    });
  }
  return { problems, provenBefore };
}

/** The first index shown to be bad; a range the head could not narrow counts only when no line inside it is bad. */
function firstBad(problems: readonly ExportProblem[]): number | undefined {
  const shown = problems.flatMap((p) => (p.index === undefined ? [] : [p.index]));
  const unnarrowed = problems.flatMap(({ range }) =>
    range && !shown.some((i) => i >= range[0] && i < range[1]) ? [range[0]] : [],
  );
  const all = [...shown, ...unnarrowed];
  return all.length ? Math.min(...all) : undefined;
}

/** What an unsigned entry says it is — a claim, read only to name it. */
function describeEntry(record: ExportRecord): UnsignedEntry {
  try {
    const { kind, digest } = JSON.parse(record.entry) as { kind?: unknown; digest?: unknown };
    // Echo only what has the shape of a kind and a digest: the text may be anyone's, of any length.
    return {
      index: record.index,
      ...((ENTRY_KINDS as readonly unknown[]).includes(kind) ? { kind: kind as string } : {}),
      ...(typeof digest === 'string' && /^0x[0-9a-fA-F]{64}$/.test(digest) ? { digest } : {}),
    };
  } catch {
    return { index: record.index };
  }
}

const span = (from: number, to: number) =>
  to - from === 1 ? `entry ${from} comes` : `entries ${from}…${to - 1} come`;

function tailProblem(head: Head | undefined, tail: UnsignedTail): ExportProblem {
  const message = head
    ? `${span(tail.from, tail.to)} after the head (size ${head.size}): no signed head commits to ${tail.to - tail.from === 1 ? 'it' : 'them'}, so anyone could have appended ${tail.to - tail.from === 1 ? 'it' : 'them'}`
    : `no head given: nothing in this export is authenticated (${tail.to === 1 ? 'entry 0' : `entries 0…${tail.to - 1}`} could have been written by anyone)`;
  return { index: tail.from, code: 'unsigned-tail', message };
}

/**
 * Checks a log export against its signed head (and an earlier head): every entry, node and root recomputed, the
 * signature checked, and how far the export is authenticated.
 *
 * @example
 * ```ts
 * const report = await verifyExport({
 *   text: readFileSync('log.jsonl', 'utf8'),
 *   head: JSON.parse(readFileSync('head.json', 'utf8')),
 * });
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export async function verifyExport(input: VerifyExportInput): Promise<ExportReport> {
  if (input.previousHead && !input.head) {
    throw inputError(
      'missing-log-head',
      'an earlier head was given without a head to check it against',
      'pass the current head too (--head HEAD.json)',
    );
  }
  const records = parseExport(input.text, input.name);
  const rebuilt = rebuild(records);
  const problems: ExportProblem[] = [...rebuilt.problems];
  const heads: HeadReport[] = [];
  const { head, previousHead } = input;
  const signer = input.signer ?? (head?.signed ? head.signer : undefined);

  for (const [h, role] of [
    [head, 'head'],
    [previousHead, 'earlier head'],
  ] as const) {
    if (!h) continue;
    const check = await verifyHead(h, signer);
    if (!check.ok)
      problems.push({ code: h.signed ? 'bad-head' : 'unsigned-head', message: `${role}: ${check.problem}` });
    const compared = compare(rebuilt, records.length, h, role);
    problems.push(...compared.problems);
    heads.push({
      role,
      origin: h.origin,
      size: h.size,
      root: h.root,
      ...(h.signed ? { signer: h.signer } : {}),
      signature: h.signed ? (check.ok ? 'valid' : 'invalid') : 'unsigned',
      matches: compared.problems.length === 0,
      provenBefore: compared.provenBefore,
    });
  }

  let consistent: boolean | undefined;
  if (head && previousHead) {
    if (previousHead.origin !== head.origin) {
      problems.push({
        code: 'origin-mismatch',
        message: `the earlier head is for the log "${previousHead.origin}", the head for "${head.origin}"`,
      });
    }
    if (previousHead.size > head.size) {
      problems.push({
        index: head.size,
        code: 'head-rollback',
        message: `the head (size ${head.size}) is smaller than the earlier head (size ${previousHead.size}): the log lost entries`,
      });
    } else if (heads.every((h) => h.matches)) {
      const proof = await consistencyProof(rebuilt.tree.nodes, previousHead.size, head.size);
      consistent = verifyConsistency({
        ...proof,
        fromRoot: parseHash(previousHead.root) as Hash,
        toRoot: parseHash(head.root) as Hash,
      });
      if (!consistent) {
        problems.push({
          code: 'inconsistent',
          message: 'the RFC 9162 consistency proof between the two heads fails',
        });
      }
    }
  }

  // Every check so far is about what the head committed to: passing them all authenticates its entries.
  const authenticated = head !== undefined && problems.length === 0;
  const committedSize = head?.size ?? 0;
  const unsigned =
    records.length > committedSize
      ? {
          from: committedSize,
          to: records.length,
          entries: records.slice(committedSize, committedSize + UNSIGNED_LISTED).map(describeEntry),
        }
      : undefined;
  if (unsigned && !input.allowUnsignedTail) problems.push(tailProblem(head, unsigned));

  const firstBadIndex = firstBad(problems);
  return {
    ok: problems.length === 0,
    authenticated,
    committed: authenticated ? committedSize : 0,
    signerPinned: input.signer !== undefined,
    entries: records.length,
    root: toHex(rebuilt.tree.root()),
    ...(firstBadIndex !== undefined ? { firstBadIndex } : {}),
    problems: problems.sort((a, b) => (a.index ?? a.range?.[0] ?? -1) - (b.index ?? b.range?.[0] ?? -1)),
    heads,
    ...(consistent !== undefined ? { consistent } : {}),
    ...(unsigned ? { unsigned } : {}),
  };
}
