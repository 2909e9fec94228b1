/** Signing in to an in-process API (createApp) as a test account: nonce, EIP-4361 message, personal_sign, token. */
import type { Hono } from 'hono';
import type { LocalAccount } from 'viem';
import { createSiweMessage } from 'viem/siwe';

export async function signInTo(
  app: Hono,
  account: LocalAccount,
  site: { domain: string; chainId: number },
): Promise<string> {
  const n = await app.request('/api/auth/nonce', { method: 'POST' });
  const { nonce } = (await n.json()) as { nonce: string };
  const message = createSiweMessage({
    domain: site.domain,
    address: account.address,
    uri: `https://${site.domain}/`,
    version: '1',
    chainId: site.chainId,
    nonce,
    issuedAt: new Date(),
  });
  const r = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  });
  const body = (await r.json()) as { token?: string; error?: { message: string } };
  if (!body.token) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
  return body.token;
}
