/**
 * Rebuilding a log from its export, line by line: each entry is re-read (it must be a canonical entry), re-hashed
 * and appended to a fresh tree; its line must carry the index it lands at, and the node hashes it carries must
 * be the ones the append completes. The result holds both trees a verifier needs: the one recomputed from
 * the entries, and the node hashes as the export claims them (keyed by the index each line claims).
 */
import { entryLeafHash, parseEntry } from './entry.js';
import type { ExportRecord } from './export.js';
import { completedBy } from './frontier.js';
import { equalHash, type Hash, parseHash } from './hash.js';
import type { RangeHash } from './locate.js';
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
  /** Subtree hashes from the node hashes the export carries. */
  supplied: RangeHash;
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

export function rebuild(records: readonly ExportRecord[]): Rebuilt {
  const tree = memoryTree();
  const claimed = new Map<string, Hash>();
  const problems: LineProblem[] = [];
  const report = (p: LineProblem) => {
    if (!problems.some((q) => q.code === p.code)) problems.push(p);
  };
  const anyNodes = records.some((r) => r.nodes);

  for (const [at, record] of records.entries()) {
    if (record.index !== at) {
      report({
        index: at,
        code: 'index-out-of-sequence',
        message: `line ${at + 1} holds entry ${record.index} where entry ${at} belongs: an entry was deleted, inserted or moved`,
      });
    }
    try {
      parseEntry(record.entry);
    } catch (e) {
      report({ index: at, code: 'bad-entry', message: `entry ${at}: ${(e as Error).message}` });
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
        if (!claimed.has(k)) claimed.set(k, nodes[j] as Hash);
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
    supplied: rangeHash((level, index) => claimed.get(`${level}:${index}`)),
    problems,
  };
}
