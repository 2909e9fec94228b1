/**
 * The transparency log in the store's database (PGlite or PostgreSQL, same SQL). Three tables per database,
 * any number of logs in them (one per origin):
 *   ledger_heads    one row per log: its size and frontier — the row every append locks first
 *   ledger_entries  the canonical entry text by index
 *   ledger_nodes    every complete Merkle node (level, index) → hash, written once as it completes
 * An append (or a batch of them) is one transaction: lock the head row (`select … for update`), hash the new
 * leaves onto the frontier, insert the entries and the nodes they complete, move the head. Concurrent
 * appenders queue on that lock, so indexes never collide and the tree is never built from a stale frontier.
 * Proofs read O(log n) stored nodes in one query.
 */
import { hexToBytes } from '@noble/hashes/utils';
import type { Hex } from 'viem';
import { environmentError, inputError } from '../core/errors.js';
import { canonicalEntry, entryLeafHash } from '../ledger/entry.js';
import type { ExportRecord } from '../ledger/export.js';
import { appendLeaf, completedBy, type Frontier, frontierLength, frontierRoot } from '../ledger/frontier.js';
import { type Hash, toHex } from '../ledger/hash.js';
import {
  type ConsistencyProof,
  consistencyProof,
  type InclusionProof,
  inclusionProof,
  type NodeId,
  type NodeSource,
} from '../ledger/merkle.js';
import type { Db } from './db.js';
import { SCHEMA_LOCK } from './schema.js';

const SCHEMA = [
  `create table if not exists ledger_heads (
    origin text primary key,
    size bigint not null default 0,
    frontier text not null default '',
    updated_at timestamptz not null default now()
  )`,
  `create table if not exists ledger_entries (
    origin text not null references ledger_heads(origin),
    idx bigint not null,
    entry text not null,
    appended_at timestamptz not null default now(),
    primary key (origin, idx)
  )`,
  // What an entry records, for entries derived from the patch store (\`<digest>:approval:<signer>\`…): an
  // entry is appended once per source, however often the store is synced to the log.
  'alter table ledger_entries add column if not exists source text',
  'create unique index if not exists ledger_entries_source on ledger_entries (origin, source)',
  `create table if not exists ledger_nodes (
    origin text not null references ledger_heads(origin),
    level smallint not null,
    idx bigint not null,
    hash bytea not null,
    primary key (origin, level, idx)
  )`,
];

type Query = Pick<Db, 'query'>;

export interface Appended {
  index: number;
  leafHash: Hex;
  /** The root and size right after this entry. */
  root: Hex;
  size: number;
}

export interface LedgerHead {
  origin: string;
  size: number;
  root: Hex;
  /** The right-edge subtree roots, largest first. */
  frontier: Hex[];
}

export interface Ledger {
  origin: string;
  /**
   * Validates, canonicalizes and appends one entry. Calls made while an append is being written are
   * committed together in the next transaction (group commit), in call order.
   */
  append(entry: unknown): Promise<Appended>;
  /** Appends several entries in one transaction (all or none): the fast path for bulk writes. */
  appendMany(entries: readonly unknown[]): Promise<Appended[]>;
  /**
   * Appends each entry whose `source` is not in the log yet, in one transaction: re-running it appends
   * nothing twice. Returns what was appended.
   */
  appendOnce(items: readonly { source: string; entry: unknown }[]): Promise<Appended[]>;
  head(): Promise<LedgerHead>;
  /** The audit path of entry `index` in the tree of `size` entries (default: the current size). */
  inclusionProof(index: number, size?: number): Promise<InclusionProof>;
  consistencyProof(from: number, to?: number): Promise<ConsistencyProof>;
  /** Entries [from, to) with the nodes each completed: export records. */
  entries(from?: number, to?: number): Promise<ExportRecord[]>;
}

function encodeFrontier(f: Frontier): string {
  return f.nodes.map((h) => toHex(h).slice(2)).join('');
}

function decodeFrontier(size: number, text: string, origin: string): Frontier {
  if (text.length !== frontierLength(size) * 64 || !/^[0-9a-f]*$/.test(text)) {
    throw environmentError(
      'ledger-damaged',
      `the log "${origin}" in the store is damaged: its head row's frontier does not fit size ${size}`,
    );
  }
  const nodes: Hash[] = [];
  for (let i = 0; i < text.length; i += 64) nodes.push(hexToBytes(text.slice(i, i + 64)));
  return { size, nodes };
}

/** Complete node hashes from `ledger_nodes`, many in one query. */
export function dbNodeSource(q: Query, origin: string): NodeSource {
  return {
    async nodes(ids: readonly NodeId[]) {
      if (ids.length === 0) return [];
      const rows = await q.query<{ level: number; idx: string; hash: string }>(
        `select n.level, n.idx::text as idx, encode(n.hash, 'hex') as hash
         from ledger_nodes n
         join unnest($2::int[], $3::bigint[]) as want(level, idx) on n.level = want.level and n.idx = want.idx
         where n.origin = $1`,
        [origin, ids.map((n) => n.level), ids.map((n) => String(n.index))],
      );
      const found = new Map(rows.map((r) => [`${r.level}:${r.idx}`, r.hash]));
      return ids.map(({ level, index }) => {
        const hash = found.get(`${level}:${index}`);
        if (!hash) {
          throw environmentError(
            'ledger-damaged',
            `the log "${origin}" in the store is damaged: node (${level}, ${index}) is missing`,
          );
        }
        return hexToBytes(hash);
      });
    },
  };
}

/** `value` must be an integer in [min, max]; `range` says what that means to a person. */
function checkRange(what: string, value: number, min: number, max: number, range: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw inputError('ledger-out-of-range', `${what} ${value} is out of range: ${range}`);
  }
}

/**
 * The transparency log (RFC 9162 Merkle tree) kept in a store's database, named by `origin`.
 *
 * @example
 * ```ts
 * const ledger = await openLedger(lc.store.db, { origin: LOG_ORIGIN });
 * const { size, root } = await ledger.head();
 * ```
 */
export async function openLedger(db: Db, opts: { origin: string }): Promise<Ledger> {
  const { origin } = opts;
  try {
    await db.transaction(async (tx) => {
      if (db.kind === 'postgres') await tx.query(SCHEMA_LOCK);
      for (const statement of SCHEMA) await tx.query(statement);
      await tx.query('insert into ledger_heads (origin) values ($1) on conflict (origin) do nothing', [
        origin,
      ]);
    });
  } catch (e) {
    throw environmentError(
      'ledger-schema',
      `cannot create the log tables: ${(e as Error).message}`,
      undefined,
      e,
    );
  }
  const nodes = dbNodeSource(db, origin);
  const readHead = async (q: Query, lock: boolean): Promise<Frontier> => {
    const [row] = await q.query<{ size: string; frontier: string }>(
      `select size::text as size, frontier from ledger_heads where origin = $1${lock ? ' for update' : ''}`,
      [origin],
    );
    if (!row) throw environmentError('ledger-damaged', `the log "${origin}" has no head row`);
    return decodeFrontier(Number(row.size), row.frontier, origin);
  };
  const size = async () => (await readHead(db, false)).size;

  const appendMany = async (inputs: readonly unknown[], sources?: readonly string[]): Promise<Appended[]> => {
    let prepared = inputs.map((e) => canonicalEntry(e).json);
    if (prepared.length === 0) return [];
    return db.transaction(async (tx) => {
      let frontier = await readHead(tx, true);
      let sourced: (string | null)[] = prepared.map(() => null);
      if (sources) {
        // Under the head lock: no other appender can add one of these sources meanwhile.
        const seen = new Set(
          (
            await tx.query<{ source: string }>(
              'select source from ledger_entries where origin = $1 and source = any($2::text[])',
              [origin, [...sources]],
            )
          ).map((r) => r.source),
        );
        const keep = sources.map((src, k) => !seen.has(src) && sources.indexOf(src) === k);
        prepared = prepared.filter((_, k) => keep[k]);
        sourced = sources.filter((_, k) => keep[k]);
        if (prepared.length === 0) return [];
      }
      const first = frontier.size;
      const out: Appended[] = [];
      const levels: number[] = [];
      const indexes: string[] = [];
      const hashes: string[] = [];
      for (const json of prepared) {
        const leaf = entryLeafHash(json);
        const next = appendLeaf(frontier, leaf);
        for (const n of next.completed) {
          levels.push(n.level);
          indexes.push(String(n.index));
          hashes.push(toHex(n.hash).slice(2));
        }
        frontier = next.frontier;
        out.push({
          index: frontier.size - 1,
          leafHash: toHex(leaf),
          root: toHex(frontierRoot(frontier)),
          size: frontier.size,
        });
      }
      // One statement writes the entries, the nodes they completed and the new head.
      await tx.query(
        `with entries as (
           insert into ledger_entries (origin, idx, entry, source)
           select $1, i, e, s from unnest($2::bigint[], $3::text[], $9::text[]) as t(i, e, s)
         ), nodes as (
           insert into ledger_nodes (origin, level, idx, hash)
           select $1, l, i, decode(h, 'hex') from unnest($4::int[], $5::bigint[], $6::text[]) as t(l, i, h)
         )
         update ledger_heads set size = $7, frontier = $8, updated_at = now() where origin = $1`,
        [
          origin,
          prepared.map((_, k) => String(first + k)),
          prepared,
          levels,
          indexes,
          hashes,
          String(frontier.size),
          encodeFrontier(frontier),
          sourced,
        ],
      );
      return out;
    });
  };

  // Group commit: append() calls that arrive while a transaction is being written wait for it and are then
  // written together, in call order, in the next one. A lone caller gets one transaction per entry; many
  // concurrent callers (a server) share transactions. Each entry is validated when it is handed in, so a bad
  // entry fails alone; a database error fails the whole group (none of it is written).
  let pending: { json: unknown; resolve: (a: Appended) => void; reject: (e: unknown) => void }[] = [];
  let draining = false;
  const drain = async (): Promise<void> => {
    draining = true;
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      try {
        const out = await appendMany(group.map((g) => g.json));
        for (const [k, g] of group.entries()) g.resolve(out[k] as Appended);
      } catch (e) {
        for (const g of group) g.reject(e);
      }
    }
    draining = false;
  };
  const groupCommit = (input: unknown): Promise<Appended> =>
    new Promise((resolve, reject) => {
      try {
        canonicalEntry(input);
      } catch (e) {
        reject(e);
        return;
      }
      pending.push({ json: input, resolve, reject });
      if (!draining) void drain();
    });

  return {
    origin,
    append: (entry) => groupCommit(entry),
    appendMany: (entries) => appendMany(entries),
    appendOnce: (items) =>
      appendMany(
        items.map((i) => i.entry),
        items.map((i) => i.source),
      ),
    async head() {
      const f = await readHead(db, false);
      return { origin, size: f.size, root: toHex(frontierRoot(f)), frontier: f.nodes.map(toHex) };
    },
    async inclusionProof(index, at) {
      const current = await size();
      if (at !== undefined)
        checkRange('tree size', at, 1, current, `the log "${origin}" has ${current} entries`);
      const treeSize = at ?? current;
      const range =
        treeSize === 0
          ? `the log "${origin}" is empty`
          : `the tree of ${treeSize} entries has indexes 0…${treeSize - 1}`;
      checkRange('entry index', index, 0, treeSize - 1, range);
      return inclusionProof(nodes, index, treeSize);
    },
    async consistencyProof(from, to) {
      const current = await size();
      const toSize = to ?? current;
      checkRange('tree size', toSize, 0, current, `the log "${origin}" has ${current} entries`);
      checkRange('earlier tree size', from, 0, toSize, `it must be at most ${toSize}`);
      return consistencyProof(nodes, from, toSize);
    },
    async entries(from = 0, to) {
      const end = to ?? (await size());
      checkRange('first entry', from, 0, Number.MAX_SAFE_INTEGER, 'it must be a non-negative integer');
      checkRange('end entry', end, 0, Number.MAX_SAFE_INTEGER, 'it must be a non-negative integer');
      if (end <= from) return [];
      // Ordered by the bigint column, not by its text (which would put 10 before 2).
      const rows = await db.query<{ i: string; entry: string }>(
        `select idx::text as i, entry from ledger_entries
         where origin = $1 and idx >= $2 and idx < $3 order by ledger_entries.idx`,
        [origin, String(from), String(end)],
      );
      const ids = rows.flatMap((r) => completedBy(Number(r.i)));
      const hashes = await nodes.nodes(ids);
      let at = 0;
      return rows.map((r) => {
        const n = completedBy(Number(r.i)).length;
        const record = { index: Number(r.i), entry: r.entry, nodes: hashes.slice(at, at + n).map(toHex) };
        at += n;
        return record;
      });
    },
  };
}
