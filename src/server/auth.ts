/**
 * Sign-In with Ethereum (EIP-4361) for the API: a nonce the server issued (single use, expiring, kept in the store so
 * that several servers on one PostgreSQL share it), a message bound to this server's domain and chain, an EOA's
 * signature over it → a session: an httpOnly, SameSite=Strict cookie (Secure behind TLS) for the page, the same token
 * as a bearer for scripts. Only a hash of the token is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Address, getAddress, type Hex, verifyMessage } from 'viem';
import { generateSiweNonce, parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { inputError } from '../core/errors.js';
import type { Db } from '../store/db.js';

export interface AuthConfig {
  /** The RFC 3986 authority users sign in to (`review.example.org`, `127.0.0.1:8547`). */
  domain: string;
  chainId: number;
  /** How long an issued nonce may be used (default 5 min). */
  nonceTtlMs?: number;
  /** How long a session lasts (default 12 h). */
  sessionTtlMs?: number;
}

export interface Session {
  address: Address;
  chainId: number;
  expiresAt: string;
}

const NONCE_TTL = 5 * 60_000;
const SESSION_TTL = 12 * 3_600_000;
export const SESSION_COOKIE = 'patchgate_session';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export async function issueNonce(db: Db, auth: AuthConfig): Promise<{ nonce: string; expiresAt: string }> {
  const nonce = generateSiweNonce();
  const expiresAt = new Date(Date.now() + (auth.nonceTtlMs ?? NONCE_TTL)).toISOString();
  // What can no longer open anything is deleted as soon as it cannot: an unused nonce past its minutes, a session
  // past its hours (a nonce flood keeps a few minutes of rows, not a day's; sessions were never deleted).
  await db.query('delete from auth_nonces where expires_at < now()');
  await db.query('delete from auth_sessions where expires_at < now()');
  await db.query('insert into auth_nonces (nonce, expires_at) values ($1, $2)', [nonce, expiresAt]);
  return { nonce, expiresAt };
}

const refuse = (
  code: 'siwe-invalid' | 'siwe-nonce-invalid' | 'siwe-signature-invalid',
  message: string,
  hint: string,
) => inputError(code, message, hint);

/** The signed message checked field by field, its nonce spent, its signer's session opened. */
export async function signIn(
  db: Db,
  auth: AuthConfig,
  input: { message: string; signature: Hex },
): Promise<Session & { token: string }> {
  const parsed = parseSiweMessage(input.message);
  if (!parsed.address || !parsed.nonce || !parsed.domain || parsed.chainId === undefined) {
    throw refuse(
      'siwe-invalid',
      'the message is not an EIP-4361 sign-in message',
      'sign the message the page built',
    );
  }
  if (parsed.domain !== auth.domain) {
    throw refuse(
      'siwe-invalid',
      `the message signs in to ${JSON.stringify(parsed.domain)}, not to ${auth.domain}`,
      'a message made for another site cannot sign in here: sign a new one for this domain',
    );
  }
  if (parsed.chainId !== auth.chainId) {
    throw refuse(
      'siwe-invalid',
      `the message is for chain ${parsed.chainId}; this server is for chain ${auth.chainId}`,
      'switch the wallet to the right chain and sign again',
    );
  }
  if (!validateSiweMessage({ message: parsed, domain: auth.domain, time: new Date() })) {
    throw refuse('siwe-invalid', 'the message has expired or is not valid yet', 'sign a new message');
  }
  const valid = await verifyMessage({
    address: parsed.address,
    message: input.message,
    signature: input.signature,
  }).catch(() => false);
  if (!valid) {
    throw refuse(
      'siwe-signature-invalid',
      `the signature is not ${getAddress(parsed.address)}'s over this message`,
      'sign the message with the account it names (smart-contract wallets are not supported yet)',
    );
  }
  // Spent here, once: a replayed message (or two racing logins with one nonce) finds it used.
  const spent = await db.query<{ nonce: string }>(
    'update auth_nonces set used_at = now() where nonce = $1 and used_at is null and expires_at > now() returning nonce',
    [parsed.nonce],
  );
  if (spent.length !== 1) {
    throw refuse(
      'siwe-nonce-invalid',
      'the nonce was not issued here, was already used, or has expired',
      'ask for a new nonce (POST /api/auth/nonce) and sign a new message',
    );
  }
  const token = randomBytes(32).toString('hex');
  const expiresAt = new Date(Date.now() + (auth.sessionTtlMs ?? SESSION_TTL)).toISOString();
  const address = getAddress(parsed.address);
  await db.query(
    'insert into auth_sessions (token_hash, address, chain_id, expires_at) values ($1, $2, $3, $4)',
    [hashOf(token), address, auth.chainId, expiresAt],
  );
  return { token, address, chainId: auth.chainId, expiresAt };
}

/** The session a token opens, if it is known and not expired. */
export async function sessionOf(db: Db, token: string | undefined): Promise<Session | undefined> {
  if (!token || !/^[0-9a-f]{64}$/.test(token)) return undefined;
  const [row] = await db.query<{ address: string; chain_id: string | number; expires_at: string | Date }>(
    'select address, chain_id, expires_at from auth_sessions where token_hash = $1 and expires_at > now()',
    [hashOf(token)],
  );
  if (!row) return undefined;
  return {
    address: getAddress(row.address),
    chainId: Number(row.chain_id),
    expiresAt: new Date(row.expires_at).toISOString(),
  };
}

export async function signOut(db: Db, token: string | undefined): Promise<void> {
  if (token) await db.query('delete from auth_sessions where token_hash = $1', [hashOf(token)]);
}
