/**
 * Sign-In with Ethereum on the API (EIP-4361 messages made and signed with viem, a real store): a session for the
 * signer (an httpOnly SameSite=Strict cookie, or the bearer token), and every forged or stale sign-in refused with
 * 401 and its code — a replayed message, an expired or unknown nonce, another site's domain, another chain, an
 * expired message, another key's signature, a session after logout.
 */
import type { Hono } from 'hono';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_ORIGIN } from '../../src/lifecycle/log-sync.js';
import { createApp } from '../../src/server/app.js';
import { openPglite } from '../../src/store/db.js';
import { openLedger } from '../../src/store/ledger-store.js';
import { openStore, type Store } from '../../src/store/store.js';

const DOMAIN = 'review.example.org';
const CHAIN = 31337;
const alice = privateKeyToAccount(generatePrivateKey());
const mallory = privateKeyToAccount(generatePrivateKey());
let store: Store;
let app: Hono;

beforeAll(async () => {
  store = await openStore(await openPglite('memory://'));
  const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  app = createApp({ store, ledger, auth: { domain: DOMAIN, chainId: CHAIN } });
}, 120_000);
afterAll(() => store?.close());

const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function nonce(): Promise<string> {
  const r = await post('/api/auth/nonce');
  expect(r.status).toBe(200);
  const body = (await r.json()) as { nonce: string; domain: string; chainId: number };
  expect(body).toMatchObject({ domain: DOMAIN, chainId: CHAIN });
  return body.nonce;
}

async function message(over: Partial<Parameters<typeof createSiweMessage>[0]> = {}) {
  return createSiweMessage({
    domain: DOMAIN,
    address: alice.address,
    uri: `https://${DOMAIN}/`,
    version: '1',
    chainId: CHAIN,
    nonce: await nonce(),
    issuedAt: new Date(),
    statement: 'Sign in to review patches.',
    ...over,
  });
}

async function login(text: string, signer = alice) {
  const r = await post('/api/auth/login', {
    message: text,
    signature: await signer.signMessage({ message: text }),
  });
  return {
    status: r.status,
    cookie: r.headers.get('set-cookie') ?? '',
    body: (await r.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

const me = async (headers: Record<string, string>) => {
  const r = await app.request('/api/auth/me', { headers });
  return {
    status: r.status,
    body: (await r.json()) as Record<string, unknown> & { error?: { code: string } },
  };
};

describe('Sign-In with Ethereum', () => {
  it('opens a session for the signer: an httpOnly SameSite=Strict cookie and a bearer token, both naming the account', async () => {
    const r = await login(await message());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      address: alice.address,
      chainId: CHAIN,
      token: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(r.cookie).toMatch(/^patchgate_session=[0-9a-f]{64};/);
    expect(r.cookie).toMatch(/HttpOnly/);
    expect(r.cookie).toMatch(/SameSite=Strict/);
    expect(r.cookie).not.toMatch(/Secure/); // plain http here; behind TLS it is set (next test)
    const cookie = r.cookie.split(';')[0] as string;
    expect((await me({ cookie })).body).toMatchObject({ address: alice.address, chainId: CHAIN });
    expect((await me({ authorization: `Bearer ${r.body.token}` })).body).toMatchObject({
      address: alice.address,
    });
  });

  it('marks the cookie Secure behind TLS', async () => {
    const text = await message();
    const r = await post(
      '/api/auth/login',
      { message: text, signature: await alice.signMessage({ message: text }) },
      { 'x-forwarded-proto': 'https' },
    );
    expect(r.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('refuses a replayed message: its nonce is spent (401 siwe-nonce-invalid)', async () => {
    const text = await message();
    expect((await login(text)).status).toBe(200);
    const again = await login(text);
    expect(again.status).toBe(401);
    expect(again.body.error?.code).toBe('siwe-nonce-invalid');
  });

  it('refuses a nonce the server never issued, and one that has expired', async () => {
    const made = await login(await message({ nonce: 'abcdefgh12345678' }));
    expect(made.status).toBe(401);
    expect(made.body.error?.code).toBe('siwe-nonce-invalid');
    const text = await message();
    const n = /Nonce: (\w+)/.exec(text)?.[1];
    await store.db.query(`update auth_nonces set expires_at = now() - interval '1 second' where nonce = $1`, [
      n,
    ]);
    const stale = await login(text);
    expect(stale.status).toBe(401);
    expect(stale.body.error?.code).toBe('siwe-nonce-invalid');
  });

  it("refuses a message for another site's domain and one for another chain, naming them", async () => {
    const site = await login(await message({ domain: 'evil.example' }));
    expect(site.status).toBe(401);
    expect(site.body.error).toMatchObject({
      code: 'siwe-invalid',
      message: `the message signs in to "evil.example", not to ${DOMAIN}`,
    });
    const chain = await login(await message({ chainId: 1 }));
    expect(chain.status).toBe(401);
    expect(chain.body.error).toMatchObject({
      code: 'siwe-invalid',
      message: `the message is for chain 1; this server is for chain ${CHAIN}`,
    });
  });

  it('refuses an expired message, and a signature by another key than the one the message names', async () => {
    const old = await login(await message({ expirationTime: new Date(Date.now() - 60_000) }));
    expect(old.status).toBe(401);
    expect(old.body.error?.code).toBe('siwe-invalid');
    const text = await message();
    const forged = await login(text, mallory);
    expect(forged.status).toBe(401);
    expect(forged.body.error?.code).toBe('siwe-signature-invalid');
    // The forged attempt did not spend the nonce of the message it claimed: nobody can burn alice's sign-in.
    expect((await login(text)).status).toBe(200);
  });

  it('ends the session on logout; an unknown or malformed token is not signed in', async () => {
    const r = await login(await message());
    const headers = { authorization: `Bearer ${r.body.token}` };
    expect((await me(headers)).status).toBe(200);
    expect((await post('/api/auth/logout', undefined, headers)).status).toBe(200);
    const after = await me(headers);
    expect(after.status).toBe(401);
    expect(after.body.error?.code).toBe('not-signed-in');
    expect((await me({ authorization: `Bearer ${'0'.repeat(64)}` })).status).toBe(401);
    expect((await me({ cookie: 'patchgate_session=../../etc' })).status).toBe(401);
  });

  it('refuses a body that is not JSON or does not fit the schema (400 bad-request)', async () => {
    const r = await app.request('/api/auth/login', { method: 'POST', body: 'message=hi' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('bad-request');
    const short = await post('/api/auth/login', { message: 'x', signature: '0x12' });
    expect(((await short.json()) as { error: { message: string } }).error.message).toBe(
      'body signature: a signature is 0x and 130 hex digits (65 bytes)',
    );
  });
});
