/**
 * Rebuilding a log from its export, line by line: each entry is re-read (it must be a canonical entry), re-hashed
 * and appended to a fresh tree; its line must carry the index it lands at, and the node hashes it carries must
 * be the ones the append completes. The result holds both trees a verifier needs: the one recomputed from
 * the entries, and the node hashes as the export claims them (keyed by the index each line claims).
 */
import { isPatchgateError } from '../core/errors.js';
import { entryLeafHash, parseEntry } from './entry.js';
import type { ExportRecord } from './export.js';
import { completedBy } from './frontier.js';
import { equalHash, type Hash, parseHash } from './hash.js';
import type { RangeClaims, RangeHash } from './locate.js';
import { type MemoryTree, memoryTree } from './memory.js';
import { fold, rangeNodes } from './merkle.js';

export interface LineProblem {
  index: number;
  code: 'index-out-of-sequence' | 'bad-entry' | 'hash-mismatch' | 'missing-nodes';
  message: string;
}

export interface Rebuilt {
  tree: MemoryTree;
  /** Subtree hashes from the entries as they are in the export. */
  recomputed: RangeHash;
  /** Subtree hashes from the node hashes the export carries: every claim for a node, first claim first. */
  supplied: RangeClaims;
  /** The first problem of each kind, by line. */
  problems: LineProblem[];
}

function rangeHash(get: (level: number, index: number) => Hash | undefined): RangeHash {
  return (lo, hi) => {
    const hashes: Hash[] = [];
    for (const n of rangeNodes(lo, hi)) {
      const h = get(n.level, n.index);
      if (!h) return undefined;
      hashes.push(h);
    }
    return fold(hashes);
  };
}

/**
 * The first line whose index is out of place. A line that repeats an earlier index `j` with another entry means
 * one of the two was inserted, and nothing says which: the first bad entry is at `j` at the latest, so that is
 * the index reported. A repeat of the same entry, or a line from further on (a deletion, a move), is bad where
 * it stands.
 */
function outOfSequence(records: readonly ExportRecord[], at: number): LineProblem {
  const { index, entry } = records[at] as ExportRecord;
  const where = `line ${at + 1} holds entry ${index} where entry ${at} belongs`;
  if (index < at && records[index]?.entry !== entry) {
    return {
      index,
      code: 'index-out-of-sequence',
      message: `${where}, and line ${index + 1} holds another entry ${index}: one of them was inserted`,
    };
  }
  return {
    index: at,
    code: 'index-out-of-sequence',
    message: `${where}: an entry was deleted, inserted or moved`,
  };
}

/**
 * How many different hashes one node may be claimed with. Lines that repeat or move an index claim its nodes
 * again; a few candidates let the walk find the honest one, a bound keeps a hostile file from making the walk
 * quadratic.
 */
const MAX_CLAIMS = 8;

export function rebuild(records: readonly ExportRecord[]): Rebuilt {
  const tree = memoryTree();
  const claimed = new Map<string, Hash[]>();
  const problems: LineProblem[] = [];
  const report = (p: LineProblem) => {
    if (!problems.some((q) => q.code === p.code)) problems.push(p);
  };
  const anyNodes = records.some((r) => r.nodes);

  for (const [at, record] of records.entries()) {
    if (record.index !== at) report(outOfSequence(records, at));
    try {
      parseEntry(record.entry);
    } catch (e) {
      const why = isPatchgateError(e) ? e.shortMessage : (e as Error).message;
      report({ index: at, code: 'bad-entry', message: `entry ${at}: ${why}` });
    }
    const { completed } = tree.appendLeafHash(entryLeafHash(record.entry));
    const nodes = record.nodes?.map((n) => parseHash(n) as Hash);
    if (!nodes) {
      if (anyNodes)
        report({ index: at, code: 'missing-nodes', message: `entry ${at} carries no node hashes` });
      continue;
    }
    // The hashes a line carries are for the index it claims; a line that cannot be that index adds none.
    const ids = completedBy(record.index);
    if (ids.length === nodes.length) {
      ids.forEach((id, j) => {
        const k = `${id.level}:${id.index}`;
        const claims = claimed.get(k) ?? [];
        const hash = nodes[j] as Hash;
        if (claims.length < MAX_CLAIMS && !claims.some((c) => equalHash(c, hash))) claims.push(hash);
        claimed.set(k, claims);
      });
    }
    const same =
      nodes.length === completed.length && completed.every((c, j) => equalHash(c.hash, nodes[j] as Hash));
    if (!same) {
      report({
        index: at,
        code: 'hash-mismatch',
        message: `entry ${at} does not hash to the node hashes recorded with it: it or an entry before it was changed`,
      });
    }
  }
  return {
    tree,
    recomputed: rangeHash((level, index) => tree.nodes.get(level, index)),
    supplied: (lo, hi) => {
      const nodes = rangeNodes(lo, hi);
      const only = nodes.length === 1 ? nodes[0] : undefined;
      // One node: every claim. Several (the right edge of a tree): the fold of their first claims.
      if (only) return claimed.get(`${only.level}:${only.index}`) ?? [];
      const first = rangeHash((level, index) => claimed.get(`${level}:${index}`)?.[0])(lo, hi);
      return first ? [first] : [];
    },
    problems,
  };
}
