/**
 * Signed tree heads. A head names the log (`origin`), its size, its root and when it was taken; the log's
 * Ethereum key signs it with EIP-191 (`personal_sign`) over a C2SP tlog-checkpoint body, so anyone holding the
 * signer's address can check it with viem, ethers or `cast wallet verify`. The exact bytes are in docs/log.md.
 * The caller passes a viem account: the private key stays inside it, never in a head, a message or a file.
 */
import { type Address, getAddress, type Hex, type LocalAccount, recoverMessageAddress } from 'viem';
import { z } from 'zod';
import { inputError } from '../core/errors.js';
import { frontierLength } from './frontier.js';
import { equalHash, type Hash, parseHash, toHex } from './hash.js';
import { fold } from './merkle.js';

export interface TreeHead {
  /** The log's name: printable ASCII without spaces or '+', as in a C2SP checkpoint. */
  origin: string;
  size: number;
  root: Hex;
  /** ISO 8601 UTC with milliseconds. */
  timestamp: string;
}

/**
 * A head as published. `frontier` (the right-edge subtree roots, largest first) is not signed: the root
 * authenticates it (their fold must be the root), and it lets a verifier narrow down where a later history
 * departs from this head.
 */
export type Head = TreeHead & { frontier?: Hex[] } & (
    | { signed: true; signer: Address; signature: Hex }
    | { signed: false }
  );
export type SignedHead = Extract<Head, { signed: true }>;

const ORIGIN_PATTERN = /^[!-*,-~]+$/;

/** The signed text: `<origin>\n<size>\n<base64 root>\n<timestamp>\n` (UTF-8; EIP-191 prefixes it). */
export function checkpointText(head: TreeHead): string {
  const root = parseHash(head.root);
  if (!root) throw inputError('bad-log-head', `head root ${String(head.root)} is not a 32-byte hex hash`);
  return `${head.origin}\n${head.size}\n${Buffer.from(root).toString('base64')}\n${head.timestamp}\n`;
}

/** Who signs heads: a viem local account (from a key in an environment variable, a keystore, …). */
export type HeadSigner = Pick<LocalAccount, 'address' | 'signMessage'>;

/** Signs a head (EIP-191 over `checkpointText`). The account holds the key; the ledger never sees it. */
/** The head of a log as it stands (`Ledger.head()`: origin, size, root, frontier), signed now by `account`. */
export function signCurrentHead(
  current: { origin: string; size: number; root: Hex; frontier: Hex[] },
  account: HeadSigner,
  at: Date = new Date(),
): Promise<SignedHead> {
  const root = parseHash(current.root) as Hash;
  return signHead(treeHead(current.origin, current.size, root, at), account, current.frontier);
}

/**
 * A signed tree head: the checkpoint text (origin, size, root, time) signed with EIP-191 by the log's key.
 *
 * @example
 * ```ts
 * const head = await signHead(
 *   { origin: 'patchgate', size: 12, root, timestamp: new Date().toISOString() },
 *   privateKeyToAccount(logKey),
 * );
 * ```
 */
export async function signHead(head: TreeHead, account: HeadSigner, frontier?: Hex[]): Promise<SignedHead> {
  const signature = await account.signMessage({ message: checkpointText(head) });
  return {
    origin: head.origin,
    size: head.size,
    root: head.root,
    timestamp: head.timestamp,
    signed: true,
    signer: account.address,
    signature,
    ...(frontier ? { frontier } : {}),
  };
}

/** secp256k1's group order n, and n / 2: an `s` above it is the malleable twin of a valid signature. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N / 2n;

/**
 * The one spelling of a head signature patchgate accepts — the one `signHead` produces: 65 bytes r ‖ s ‖ v,
 * 0 < r < n, 0 < s ≤ n/2 (low s, EIP-2), v 27 or 28. ECDSA has a second valid signature for every message
 * (s → n − s, v flipped) and viem also recovers with v 0/1: each would be another spelling of the same head,
 * so each is refused rather than accepted as equivalent.
 */
function signatureProblem(signature: Hex): string | undefined {
  const hex = signature.slice(2);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== 130) {
    return `the head signature is ${Math.floor(hex.length / 2)} bytes, not 65 (r ‖ s ‖ v)`;
  }
  const r = BigInt(`0x${hex.slice(0, 64)}`);
  const s = BigInt(`0x${hex.slice(64, 128)}`);
  const v = Number.parseInt(hex.slice(128), 16);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) {
    return 'the head signature is malformed: r or s is out of range';
  }
  if (s > HALF_N) return 'the head signature has a high s value (the malleable twin of a signature): refused';
  if (v !== 27 && v !== 28) return `the head signature's v is ${v}, not 27 or 28: refused`;
  return undefined;
}

export interface HeadCheck {
  ok: boolean;
  /** The address that signed the checkpoint text, when the signature recovers at all. */
  recovered?: Address;
  problem?: string;
}

/**
 * Checks the signature (against `expectedSigner` when given, else the head's own `signer`) and the frontier.
 * Without `expectedSigner` a valid head only shows that whoever holds its `signer` key signed it.
 *
 * @example
 * ```ts
 * const check = await verifyHead(JSON.parse(readFileSync('head.json', 'utf8')), expectedSigner);
 * if (!check.ok) throw new Error(check.problem);
 * ```
 */
export async function verifyHead(head: Head, expectedSigner?: Address): Promise<HeadCheck> {
  const frontierProblem = checkFrontier(head);
  if (frontierProblem) return { ok: false, problem: frontierProblem };
  if (!head.signed) return { ok: false, problem: 'the head is not signed' };
  const spelling = signatureProblem(head.signature);
  if (spelling) return { ok: false, problem: spelling };
  let recovered: Address;
  try {
    recovered = await recoverMessageAddress({ message: checkpointText(head), signature: head.signature });
  } catch {
    return { ok: false, problem: 'the head signature is malformed' };
  }
  const want = getAddress(expectedSigner ?? head.signer);
  if (recovered !== want) {
    return { ok: false, recovered, problem: `the head is signed by ${recovered}, not by ${want}` };
  }
  if (expectedSigner && getAddress(head.signer) !== want) {
    return { ok: false, recovered, problem: `the head names signer ${head.signer}, not ${want}` };
  }
  return { ok: true, recovered };
}

/** The frontier, when present, must have one hash per set bit of the size and fold to the root. */
export function checkFrontier(head: Head): string | undefined {
  if (!head.frontier) return undefined;
  const hashes = head.frontier.map(parseHash);
  if (hashes.length !== frontierLength(head.size) || hashes.some((h) => !h)) {
    return `the head's frontier does not have ${frontierLength(head.size)} hashes for size ${head.size}`;
  }
  const root = parseHash(head.root) as Hash;
  if (!equalHash(fold(hashes as Hash[]), root)) return "the head's frontier does not fold to its root";
  return undefined;
}

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x and 64 hex digits');
const common = {
  origin: z.string().regex(ORIGIN_PATTERN, 'must be printable ASCII without spaces or "+"'),
  size: z.number().int().nonnegative(),
  root: hex32,
  timestamp: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be ISO 8601 UTC'),
  frontier: z.array(hex32).optional(),
};
const headSchema = z.discriminatedUnion('signed', [
  z.strictObject({
    ...common,
    signed: z.literal(true),
    signer: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be an address'),
    signature: z.string().regex(/^0x[0-9a-fA-F]+$/, 'must be hex'),
  }),
  z.strictObject({ ...common, signed: z.literal(false) }),
]);

/** Reads a head from parsed JSON; `what` names it in the error (e.g. the file). */
export function parseHead(value: unknown, what: string): Head {
  const parsed = headSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw inputError(
      'bad-log-head',
      `${what} is not a patchgate log head: ${issue?.path.join('.') || 'value'} ${issue?.message ?? ''}`.trim(),
      'make one with `patchgate log head --format json`',
    );
  }
  return parsed.data as Head;
}

/** A head of the tree with these numbers, not yet signed. */
export function treeHead(origin: string, size: number, root: Hash, at: Date): TreeHead {
  if (!ORIGIN_PATTERN.test(origin)) {
    throw inputError(
      'bad-log-origin',
      `log origin "${origin}" has spaces, "+" or non-ASCII characters`,
      'use a schema-less URL such as example.com/patchgate',
    );
  }
  return { origin, size, root: toHex(root), timestamp: at.toISOString() };
}
