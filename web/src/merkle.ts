/**
 * RFC 9162 inclusion proofs verified in the browser with WebCrypto SHA-256 — the page recomputes the leaf from the
 * entry's text and folds the audit path up to a root itself, trusting none of the hashes the server states.
 * Leaf: SHA-256(0x00 ‖ UTF-8 entry); node: SHA-256(0x01 ‖ left ‖ right) (src/ledger/hash.ts); the walk is
 * §2.1.3.2's, sizes as plain integers and shifts as divisions (src/ledger/verify.ts). No imports: the tests run it
 * in Node against the ledger's own proofs (test/web-merkle.test.ts).
 */

type Bytes = Uint8Array<ArrayBuffer>;

async function sha256(...parts: Uint8Array[]): Promise<Bytes> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

export const toHex = (b: Uint8Array): `0x${string}` =>
  `0x${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;

/** A 32-byte hash from 0x + 64 hex digits, else undefined. */
export function hashFromHex(hex: string): Bytes | undefined {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** SHA-256(0x00 ‖ UTF-8 of the entry text). */
export const leafHashOf = (entry: string) => sha256(new Uint8Array([0]), new TextEncoder().encode(entry));
const nodeHash = (l: Uint8Array, r: Uint8Array) => sha256(new Uint8Array([1]), l, r);

export type InclusionResult =
  | { ok: true; leafHash: `0x${string}`; root: `0x${string}` }
  | { ok: false; reason: string };

/**
 * Does `proof` show `entry` at `index` in the tree of `size` entries whose root is `trustedRoot`? Every hash is
 * computed here; the reason names the first thing that did not hold.
 */
export async function verifyInclusion(p: {
  entry: string;
  index: number;
  size: number;
  proof: readonly string[];
  trustedRoot: string;
}): Promise<InclusionResult> {
  const root = hashFromHex(p.trustedRoot);
  if (!root) return { ok: false, reason: `the root ${p.trustedRoot} is not a 32-byte hex hash` };
  if (!Number.isSafeInteger(p.index) || !Number.isSafeInteger(p.size) || p.index < 0 || p.index >= p.size) {
    return { ok: false, reason: `entry ${p.index} cannot be in a tree of ${p.size} entries` };
  }
  const path: Bytes[] = [];
  for (const h of p.proof) {
    const b = hashFromHex(h);
    if (!b) return { ok: false, reason: `the proof holds ${h}, which is not a 32-byte hash` };
    path.push(b);
  }
  const leaf = await leafHashOf(p.entry);
  let fn = p.index;
  let sn = p.size - 1;
  let r = leaf;
  for (const e of path) {
    if (sn === 0) return { ok: false, reason: 'the proof is longer than the tree is deep' };
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(e, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, e);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return { ok: false, reason: 'the proof is shorter than the tree is deep' };
  if (toHex(r) !== toHex(root)) {
    return { ok: false, reason: `the proof leads to root ${toHex(r)}, not to ${toHex(root)}` };
  }
  return { ok: true, leafHash: toHex(leaf), root: toHex(r) };
}
