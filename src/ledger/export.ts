/**
 * The export format: JSON lines, one record per log entry, in index order —
 * `{"index":N,"entry":"<canonical entry JSON>","nodes":["0x<leaf hash>", …]}`.
 * `entry` is the logged text itself (a string, not an object), so a verifier hashes exactly the bytes the log
 * hashed, in any language, without re-serializing. `nodes` are the tree nodes this entry completed, bottom-up
 * (the leaf hash, then each parent the append closed): with them a verifier can name the first bad entry
 * against a signed root even when a tamperer recomputed hashes. See docs/log.md.
 */
import type { Hex } from 'viem';
import { inputError } from '../core/errors.js';
import { parseHash } from './hash.js';

export interface ExportRecord {
  index: number;
  /** The canonical entry JSON, exactly as hashed. */
  entry: string;
  /** Nodes this entry completed, leaf hash first (optional for verification, always written). */
  nodes?: Hex[];
}

export function exportLine(record: ExportRecord): string {
  const { index, entry, nodes } = record;
  return `${JSON.stringify(nodes ? { index, entry, nodes } : { index, entry })}\n`;
}

/**
 * Reads an export. A line that is not a JSON record of the right shape is bad input (the file is not an
 * export); what the records say is for the verifier to judge.
 *
 * @example
 * ```ts
 * const records = parseExport(readFileSync('log.jsonl', 'utf8'), 'log.jsonl');
 * ```
 */
export function parseExport(text: string, what = 'the export'): ExportRecord[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => {
    const where = `${what} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw inputError('bad-log-export', `${where} is not JSON`, 'an export has one JSON object per line');
    }
    const r = value as { index?: unknown; entry?: unknown; nodes?: unknown };
    const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : undefined;
    if (
      !keys ||
      keys.some((k) => k !== 'index' && k !== 'entry' && k !== 'nodes') ||
      !Number.isSafeInteger(r.index) ||
      (r.index as number) < 0 ||
      typeof r.entry !== 'string'
    ) {
      throw inputError(
        'bad-log-export',
        `${where} is not a log export record`,
        'each line is {"index": N, "entry": "<canonical JSON>", "nodes": ["0x…"]}',
      );
    }
    if (r.nodes !== undefined && (!Array.isArray(r.nodes) || r.nodes.some((n) => !parseHash(n)))) {
      throw inputError('bad-log-export', `${where}: "nodes" is not a list of 0x 32-byte hashes`);
    }
    return { index: r.index as number, entry: r.entry, ...(r.nodes ? { nodes: r.nodes as Hex[] } : {}) };
  });
}
