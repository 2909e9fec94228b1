/**
 * `patchgate serve`'s HTTP API over the library: the patches of a store and its transparency log, read-only (the
 * first floor of issue 15; sign-in, roles and approving from a browser come on top). Hono, because its handlers are
 * web-standard Request → Response functions — the tests call `app.request()` with no socket — and it is small, with
 * no install script; the same zod schemas validate the requests and make the OpenAPI document.
 */
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type Hex, toHex } from 'viem';
import type { z } from 'zod';
import { inputError } from '../core/errors.js';
import { patchStatus } from '../lifecycle/status.js';
import type { Ledger } from '../store/ledger-store.js';
import type { Store } from '../store/store.js';
import { type AuthConfig, issueNonce, SESSION_COOKIE, sessionOf, signIn, signOut } from './auth.js';
import { errorResponse } from './errors.js';
import { openApiDocument } from './openapi.js';
import { ENTRIES_PAGE, entriesQuery, loginBody, proofParams, proofQuery, ROUTES } from './routes.js';

export interface ServerDeps {
  store: Store;
  ledger: Ledger;
  /** Sign-In with Ethereum: the domain and chain a message must name. */
  auth: AuthConfig;
}

/** The session token: the cookie, or `Authorization: Bearer` for scripts. */
function tokenOf(c: Context): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  return bearer ?? getCookie(c, SESSION_COOKIE);
}

/** Behind TLS (directly, or a proxy that says so), the cookie is sent over https only. */
const overTls = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw inputError(
      'bad-request',
      'the body is not JSON',
      'send Content-Type: application/json with a JSON object',
    );
  }
}

/** `schema` applied to a request part; a mismatch is `bad-request` naming the field. */
function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || where;
  throw inputError(
    'bad-request',
    `${where} ${field}: ${issue?.message ?? 'invalid'}`,
    'the route and its parameters: GET /openapi.json',
  );
}

const hono = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  const { store, ledger, auth } = deps;
  const db = store.db;

  app.get('/openapi.json', (c) => c.json(openApiDocument()));

  app.get(hono(ROUTES.patches.path), async (c) => {
    const patches = await store.list();
    return c.json({ patches: await Promise.all(patches.map((p) => patchStatus(store, p))) });
  });

  app.get(hono(ROUTES.patch.path), async (c) => {
    const { digest } = parse(ROUTES.patch.params, c.req.param(), 'path');
    const key = digest.toLowerCase() as `0x${string}`;
    const patch = await store.get(key);
    if (!patch) {
      throw inputError('unknown-patch', `no patch ${key} in the store`, 'GET /api/patches lists them');
    }
    return c.json({
      ...(await patchStatus(store, patch)),
      record: patch.record,
      evidence: await store.evidence(key),
    });
  });

  app.get(hono(ROUTES.head.path), async (c) => {
    const { origin, size, root } = await ledger.head();
    return c.json({ origin, size, root });
  });

  app.get(hono(ROUTES.entries.path), async (c) => {
    const q = parse(entriesQuery, c.req.query(), 'query');
    const { size } = await ledger.head();
    const from = Math.min(q.from ?? 0, size);
    const to = Math.min(q.to ?? size, size, from + ENTRIES_PAGE);
    if (to < from) throw inputError('bad-request', `query to ${to} is before from ${from}`, 'pass from ≤ to');
    return c.json({ entries: await ledger.entries(from, to) });
  });

  app.get(hono(ROUTES.proof.path), async (c) => {
    const { index } = parse(proofParams, c.req.param(), 'path');
    const q = parse(proofQuery, c.req.query(), 'query');
    const { size } = await ledger.head();
    const at = q.size ?? size;
    if (at > size || index >= at) {
      throw inputError(
        'bad-request',
        `entry ${index} is not in a tree of ${at} entries (the log has ${size})`,
        'GET /api/log/head gives the size',
      );
    }
    const p = await ledger.inclusionProof(index, at);
    return c.json({
      origin: ledger.origin,
      index: p.index,
      size: p.size,
      leafHash: toHex(p.leafHash),
      root: toHex(p.root),
      proof: p.proof.map((h) => toHex(h)),
    });
  });

  app.post(ROUTES.nonce.path, async (c) =>
    c.json({ ...(await issueNonce(db, auth)), domain: auth.domain, chainId: auth.chainId }),
  );

  app.post(ROUTES.login.path, async (c) => {
    const body = parse(loginBody, await jsonBody(c), 'body');
    const session = await signIn(db, auth, { message: body.message, signature: body.signature as Hex });
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: overTls(c),
      path: '/',
      expires: new Date(session.expiresAt),
    });
    return c.json(session);
  });

  app.get(ROUTES.me.path, async (c) => {
    const session = await sessionOf(db, tokenOf(c));
    if (!session) {
      throw inputError(
        'not-signed-in',
        'not signed in (no session, or it has expired)',
        'sign in: POST /api/auth/nonce, then /api/auth/login',
      );
    }
    return c.json(session);
  });

  app.post(ROUTES.logout.path, async (c) => {
    await signOut(db, tokenOf(c));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  app.notFound((c) => {
    const { status, body } = errorResponse(
      inputError(
        'unknown-route',
        `no route ${c.req.method} ${new URL(c.req.url).pathname}`,
        'GET /openapi.json lists the routes',
      ),
    );
    return c.json(body, status);
  });
  app.onError((e, c) => {
    const { status, body } = errorResponse(e);
    if (status === 500 && process.env.PATCHGATE_DEBUG) console.error(e);
    return c.json(body, status);
  });
  return app;
}
