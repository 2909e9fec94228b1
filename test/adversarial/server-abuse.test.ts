/**
 * The team server attacked from the browser and by flooding (outside review, issue 15): a page on another port of
 * the same host (or a sibling subdomain) is the same *site*, so a SameSite=Strict cookie rides along on its
 * requests — every state-changing route must check where the request came from; one signed-in account (any key
 * signs in) must not be able to fill the job queue; a job's event stream must not be held open for ever; the
 * sign-in tables must not keep what can no longer be used. In-process (createApp, PGlite, pg-boss with no worker:
 * every job stays queued, as under a flood).
 */
import type { Hono } from 'hono';
import { createPublicClient, http, type LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clients } from '../../src/chain/clients.js';
import { type JobQueue, openQueue } from '../../src/jobs/queue.js';
import { startWorker } from '../../src/jobs/worker.js';
import { LOG_ORIGIN } from '../../src/lifecycle/log-sync.js';
import { createApp } from '../../src/server/app.js';
import { openPglite } from '../../src/store/db.js';
import { openLedger } from '../../src/store/ledger-store.js';
import { openStore, type Store } from '../../src/store/store.js';
import { signInTo } from '../helpers/siwe.js';

const SITE = { domain: '127.0.0.1:8547', chainId: 31337 };
const ORIGIN = `http://${SITE.domain}`;
const proposer = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
const outsider = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
let store: Store;
let queue: JobQueue;
let app: Hono;
const tokens = new Map<string, string>();

beforeAll(async () => {
  store = await openStore(await openPglite('memory://'));
  queue = await openQueue(store.db, { jobTimeout: 120 });
  const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  app = createApp({
    store,
    ledger,
    auth: { ...SITE, nonceTtlMs: 200, sessionTtlMs: 60_000 },
    queue,
    config: { server: { roles: { proposer: [proposer.address] } } } as never,
    limits: { streamSeconds: 1, streams: 2 },
  });
  for (const a of [proposer, outsider]) tokens.set(a.address, await signInTo(app, a, SITE));
}, 120_000);
afterAll(async () => {
  await queue?.stop();
  await store?.close();
});

/** A request from a browser page at `origin` carrying `who`'s session cookie. */
const fromPage = (path: string, who: LocalAccount, origin: string | undefined, site: string, body?: string) =>
  app.request(`http://${SITE.domain}${path}`, {
    method: 'POST',
    headers: {
      cookie: `patchgate_session=${tokens.get(who.address)}`,
      // A form or a no-cors fetch: a "simple" request, sent without a preflight.
      'content-type': 'text/plain',
      ...(origin ? { origin } : {}),
      'sec-fetch-site': site,
    },
    ...(body !== undefined ? { body } : {}),
  });

const job = (who: LocalAccount, body: unknown) =>
  app.request('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(who.address)}` },
    body: JSON.stringify(body),
  });

const verify = (i: number) => ({ kind: 'verify', digest: `0x${i.toString(16).padStart(64, '0')}` });

describe('the team server against cross-site requests and floods', () => {
  it('a cross-site POST carrying the session cookie (a page on another port of the host, a sibling subdomain) is refused: 403 cross-origin-request', async () => {
    for (const [origin, site] of [
      ['http://127.0.0.1:3000', 'same-site'], // any other local dev server: same site, ports are not part of it
      ['http://evil.127.0.0.1.nip.io', 'cross-site'],
      [undefined, 'same-site'], // Origin stripped (a redirect, a privacy extension): Sec-Fetch-Site still says
      ['null', 'cross-site'], // a sandboxed iframe
    ] as const) {
      const r = await fromPage('/api/jobs', proposer, origin, site, JSON.stringify(verify(1)));
      const body = (await r.json()) as { error?: { code: string; message: string } };
      expect([origin, r.status, body.error?.code]).toEqual([origin, 403, 'cross-origin-request']);
    }
    // Logging the victim out, or into the attacker's account (login CSRF), is refused the same way.
    const out = await fromPage('/api/auth/logout', proposer, 'http://127.0.0.1:3000', 'same-site');
    expect(out.status).toBe(403);
    const me = await app.request('/api/auth/me', {
      headers: { authorization: `Bearer ${tokens.get(proposer.address)}` },
    });
    expect(me.status).toBe(200);
    // The page itself (same origin) and a script (no Origin, no Sec-Fetch-Site: curl, the CLI) still work.
    const own = await fromPage('/api/jobs', proposer, ORIGIN, 'same-origin', JSON.stringify(verify(2)));
    expect(own.status).toBe(200);
    const script = await job(proposer, verify(3));
    expect(script.status).toBe(200);
    // No CORS: another origin's preflight is granted nothing, and no answer lets another origin read it.
    const preflight = await app.request('/api/jobs', {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' },
    });
    for (const r of [preflight, own, script]) expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('one signed-in account flooding the job queue is capped: 409 job-limit, the team still queues', async () => {
    const statuses: number[] = [];
    let last: { error?: { code: string; message: string } } = {};
    for (let i = 100; i < 130; i++) {
      const r = await job(outsider, verify(i));
      statuses.push(r.status);
      last = (await r.json()) as typeof last;
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(5);
    expect(statuses.at(-1)).toBe(409);
    expect(last.error?.code).toBe('job-limit');
    // A fresh key signs in for free: the outsiders' share of the queue is capped as a whole, the team's is not.
    for (let k = 0; k < 6; k++) {
      const sybil = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
      tokens.set(sybil.address, await signInTo(app, sybil, SITE));
      for (let i = 0; i < 5; i++) await job(sybil, verify(1000 + k * 10 + i));
    }
    const [row] = await store.db.query<{ n: string | number }>(
      "select count(*) as n from pgboss.job where state < 'completed' and data->>'by' <> $1",
      [proposer.address],
    );
    expect(Number(row?.n)).toBeLessThanOrEqual(20);
    expect((await job(proposer, verify(4))).status).toBe(200);
  });

  it("a job's event stream is not held open for ever, nor are streams opened without end: it ends after the server's limit (the client reconnects), and past the count 503 server-busy", async () => {
    const { id } = (await (await job(proposer, verify(5))).json()) as { id: string };
    const started = Date.now();
    const r = await app.request(`/api/jobs/${id}/events`);
    const text = await Promise.race([
      r.text(),
      new Promise<string>((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000)),
    ]);
    expect(text).toMatch(/^retry: \d+$/m);
    expect(text).not.toMatch(/still open/);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Reconnecting after the last event it saw; and no more than the server's count of streams open at once.
    const open = await Promise.all([1, 2].map(() => app.request(`/api/jobs/${id}/events`)));
    const third = await app.request(`/api/jobs/${id}/events`);
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('server-busy');
    await Promise.all(open.map((o) => o.text()));
    expect((await app.request(`/api/jobs/${id}/events`, { headers: { 'last-event-id': '7' } })).status).toBe(
      200,
    );
  });

  it('expired sign-in nonces and sessions are deleted, not kept for a day', async () => {
    for (let i = 0; i < 5; i++) await app.request('/api/auth/nonce', { method: 'POST' });
    await store.db.query("update auth_sessions set expires_at = now() - interval '1 minute'");
    await new Promise((r) => setTimeout(r, 300)); // the nonces' 200 ms have passed
    await app.request('/api/auth/nonce', { method: 'POST' });
    const [nonces] = await store.db.query<{ n: string | number }>('select count(*) as n from auth_nonces');
    const [sessions] = await store.db.query<{ n: string | number }>(
      'select count(*) as n from auth_sessions',
    );
    expect([Number(nonces?.n), Number(sessions?.n)]).toEqual([1, 0]);
  });

  it("a failed job's public view carries no RPC key, stack or cause: only its code and one line", async () => {
    // A worker whose node (its provider's key in the path, as Infura and Alchemy take it) fails every read.
    const KEY = 'k3yS3cretAbcdefghijklmnop0123456789';
    const rpcUrl = `http://127.0.0.1:1/v3/${KEY}`;
    const own = await openStore(await openPglite('memory://'));
    const q = await openQueue(own.db, { jobTimeout: 60, retries: 0 });
    const ledger = await openLedger(own.db, { origin: LOG_ORIGIN });
    const served = createApp({ store: own, ledger, auth: SITE, queue: q });
    const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
    const worker = await startWorker(
      q,
      {
        config: {} as never,
        projectDir: '.',
        stateDir: '.',
        store: own,
        chain: { clients: { public: client } as unknown as Clients, rpcUrl },
      },
      { pollSeconds: 0.5 },
    );
    try {
      const token = await signInTo(served, outsider, SITE);
      const sent = await served.request('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ kind: 'audit', proxy: `0x${'11'.repeat(20)}` }),
      });
      const { id } = (await sent.json()) as { id: string };
      let view: { state: string; output: unknown; events: { kind: string; message: string }[] } | undefined;
      for (let i = 0; i < 100 && view?.state !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        view = (await (await served.request(`/api/jobs/${id}`)).json()) as typeof view;
      }
      expect(view?.state).toBe('failed');
      const text = JSON.stringify(view);
      expect(text).toContain('audit-rpc-failed');
      expect(text).not.toContain(KEY);
      expect(text).not.toMatch(/\\n\s+at |"stack"|"cause"/);
    } finally {
      await worker.stop();
      await q.stop();
      await own.close();
    }
  });
});
