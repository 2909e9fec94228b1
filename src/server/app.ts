/**
 * `patchgate serve`'s HTTP API over the library: the patches of a store and its transparency log, read-only (the
 * first floor of issue 15; sign-in, roles and approving from a browser come on top). Hono, because its handlers are
 * web-standard Request → Response functions — the tests call `app.request()` with no socket — and it is small, with
 * no install script; the same zod schemas validate the requests and make the OpenAPI document.
 */
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type Hex, type LocalAccount, toHex } from 'viem';
import type { z } from 'zod';
import { inputError } from '../core/errors.js';
import { jsonLine } from '../core/report-json.js';
import { MAX_APPROVAL_FILE_BYTES, parseApprovalFile } from '../lifecycle/approval-file.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { patchStatus } from '../lifecycle/status.js';
import type { Ledger } from '../store/ledger-store.js';
import type { Store } from '../store/store.js';
import {
  type AuthConfig,
  issueNonce,
  SESSION_COOKIE,
  type Session,
  sessionOf,
  signIn,
  signOut,
} from './auth.js';
import { errorResponse } from './errors.js';
import { openApiDocument } from './openapi.js';
import { type Role, requireRole, rolesOf } from './roles.js';
import {
  approvalBody,
  ENTRIES_PAGE,
  entriesQuery,
  loginBody,
  proofParams,
  proofQuery,
  ROUTES,
} from './routes.js';
import { webPage } from './static.js';

export interface ServerDeps {
  store: Store;
  ledger: Ledger;
  /** Sign-In with Ethereum: the domain and chain a message must name. */
  auth: AuthConfig;
  /**
   * The project's config, chain and store (`serve --rpc`): roles are read from the chain, and the routes that act
   * (approve, queue, execute) run the library's lifecycle steps on it. Without it the server only reads.
   */
  lc?: Lifecycle;
  /** The project's config without a chain (`serve --config` alone): only its `server.roles` lists count. */
  config?: Lifecycle['config'];
  /** The account that sends queue and execute transactions (`serve --key-env`): any funded account will do. */
  relayer?: LocalAccount;
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

/** A JSON answer whose big integers (nonces, ETAs) are decimal strings, as the CLI's `--format json` writes them. */
const bigJson = (c: Context, value: unknown) =>
  c.body(jsonLine(value), 200, { 'content-type': 'application/json; charset=UTF-8' });

/** The request's body as text, refused past `max` bytes before it is parsed. */
async function boundedText(c: Context, max: number): Promise<string> {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > max) {
    throw inputError('bad-request', `the body is over ${max} bytes`, 'an approval is a few hundred bytes');
  }
  return text;
}

export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  const { store, ledger, auth, lc, relayer } = deps;
  const db = store.db;
  const roleContext = { config: lc?.config ?? deps.config, lc };

  /** The session's account, or 401. */
  const signedIn = async (c: Context): Promise<Session> => {
    const session = await sessionOf(db, tokenOf(c));
    if (!session) {
      throw inputError(
        'not-signed-in',
        'not signed in (no session, or it has expired)',
        'sign in: POST /api/auth/nonce, then /api/auth/login',
      );
    }
    return session;
  };

  /** A route that acts on the chain: signed in (401), a server with a chain (503), the role (403). */
  const actor = async (c: Context, role: Role): Promise<{ session: Session; lc: Lifecycle }> => {
    const session = await signedIn(c);
    if (!lc) {
      throw inputError(
        'server-read-only',
        'this server was started without --rpc: it reads the store and acts on no chain',
        'start `patchgate serve` with --rpc URL (and --config), or use the CLI',
      );
    }
    await requireRole(roleContext, session.address, role);
    return { session, lc };
  };

  const digestOf = (c: Context): Hex =>
    parse(ROUTES.patch.params, c.req.param(), 'path').digest.toLowerCase() as Hex;

  const requireRelayer = (): LocalAccount => {
    if (relayer) return relayer;
    throw inputError(
      'relayer-missing',
      'this server has no relayer key to send the transaction',
      'start `patchgate serve` with --key-env NAME (any funded account), or run the step with the CLI',
    );
  };

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
    const session = await signedIn(c);
    return c.json({ ...session, roles: await rolesOf(roleContext, session.address) });
  });

  app.get(hono(ROUTES.approvalRequest.path), async (c) => {
    const { lc } = await actor(c, 'approver');
    const { approvalRequest } = await import('../lifecycle/approve.js');
    return bigJson(c, await approvalRequest(lc, digestOf(c)));
  });

  app.post(hono(ROUTES.approve.path), async (c) => {
    const { session, lc } = await actor(c, 'approver');
    const digest = digestOf(c);
    const text = await boundedText(c, MAX_APPROVAL_FILE_BYTES);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw inputError('bad-request', 'the body is not JSON', 'post the approval file as JSON');
    }
    parse(approvalBody, raw, 'body');
    // The same reading and the same verification as `patchgate approve --approval FILE`, bound to the session.
    const file = parseApprovalFile(text, 'in the request body');
    const { approve } = await import('../lifecycle/approve.js');
    return bigJson(c, await approve(lc, { digest, file, expectSigner: session.address }));
  });

  app.post(hono(ROUTES.queue.path), async (c) => {
    const { lc } = await actor(c, 'executor');
    const digest = digestOf(c);
    const { queue } = await import('../lifecycle/queue.js');
    return bigJson(c, await queue(lc, { digest, submitter: requireRelayer() }));
  });

  app.post(hono(ROUTES.execute.path), async (c) => {
    const { lc } = await actor(c, 'executor');
    const digest = digestOf(c);
    const { execute } = await import('../lifecycle/execute.js');
    return bigJson(c, await execute(lc, { digest, submitter: requireRelayer(), wait: 'no' }));
  });

  app.post(ROUTES.logout.path, async (c) => {
    await signOut(db, tokenOf(c));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  app.get('*', webPage());

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
