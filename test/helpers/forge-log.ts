/**
 * What an attacker without the log key can do to a published log: rewrite its export with every node hash
 * recomputed (so the lines agree with each other), and re-spell a head's signature. Used by the adversarial
 * log and audit tests.
 */
import { join } from 'node:path';
import type { Hex } from 'viem';
import { canonicalEntry, type EntryInput } from '../../src/ledger/entry.js';
import { exportLine } from '../../src/ledger/export.js';
import { toHex } from '../../src/ledger/hash.js';
import { type SignedHead, signHead, treeHead } from '../../src/ledger/head.js';
import { memoryTree } from '../../src/ledger/memory.js';
import { openPglite } from '../../src/store/db.js';
import { openLedger } from '../../src/store/ledger-store.js';

/** secp256k1's group order. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The entry texts of an export, in line order. */
export function entriesOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { entry: string }).entry);
}

/** An export of these entry texts, numbered in order, with every node hash recomputed. */
export function exportOf(entries: readonly string[]): string {
  const tree = memoryTree();
  return entries
    .map((entry) => {
      const { index, completed } = tree.append(new TextEncoder().encode(entry));
      return exportLine({ index, entry, nodes: completed.map((c) => toHex(c.hash)) });
    })
    .join('');
}

/** The export with these entries appended after its own, hashes recomputed: it re-hashes cleanly. */
export function appendForged(text: string, entries: readonly EntryInput[]): string {
  return exportOf([...entriesOf(text), ...entries.map((e) => canonicalEntry(e).json)]);
}

/** The other valid ECDSA signature of the same message by the same key: s → n − s, v flipped. */
export function highSTwin(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130), 16);
  return `${signature.slice(0, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
}

/** The same signature with v as the recovery bit (0/1) instead of 27/28: viem recovers it too. */
export function recoveryBitV(signature: Hex): Hex {
  const v = Number.parseInt(signature.slice(130), 16);
  return `${signature.slice(0, 130)}0${v - 27}` as Hex;
}

/** A head over every entry of an export, signed by `account` — what whoever holds a key can make. */
export async function signedHeadOf(
  text: string,
  account: Parameters<typeof signHead>[1],
  origin = 'patchgate',
): Promise<SignedHead> {
  const tree = memoryTree();
  for (const entry of entriesOf(text)) tree.append(new TextEncoder().encode(entry));
  const base = treeHead(origin, tree.size(), tree.root(), new Date());
  return signHead(base, account, tree.frontier().nodes.map(toHex));
}

/** Appends entries to the store's log under a state dir (the store is made if it is missing). */
export async function appendTo(stateDir: string, entries: unknown[]): Promise<void> {
  const db = await openPglite(join(stateDir, 'db'));
  try {
    await (await openLedger(db, { origin: 'patchgate' })).appendMany(entries);
  } finally {
    await db.close();
  }
}
