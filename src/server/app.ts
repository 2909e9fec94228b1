/**
 * `patchgate serve`'s HTTP API over the library: the patches of a store and its transparency log, read-only (the
 * first floor of issue 15; sign-in, roles and approving from a browser come on top). Hono, because its handlers are
 * web-standard Request → Response functions — the tests call `app.request()` with no socket — and it is small, with
 * no install script; the same zod schemas validate the requests and make the OpenAPI document.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type Hex, type LocalAccount, toHex } from 'viem';
import { inputError, isPatchgateError } from '../core/errors.js';
import type { JobQueue } from '../jobs/queue.js';
import { type HeadSigner, signCurrentHead } from '../ledger/head.js';
import { MAX_APPROVAL_FILE_BYTES, parseApprovalFile } from '../lifecycle/approval-file.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { patchStatus } from '../lifecycle/status.js';
import type { Ledger } from '../store/ledger-store.js';
import type { Store, StoredPatch } from '../store/store.js';
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
import { jobRoutes, SERVER_LIMITS, type ServerLimits } from './jobs.js';
import { openApiDocument } from './openapi.js';
import { bigJson, boundedText, hono, jsonBody, parse } from './request.js';
import { reviewRoutes } from './reviews.js';
import { hasRole, type Role, requireRole, rolesOf } from './roles.js';
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
  /** Where the project's sources and build cache are, for the source diff (`lc` has them when given). */
  project?: { config: Lifecycle['config']; projectDir: string; stateDir: string };
  /** The account that sends queue and execute transactions (`serve --key-env`): any funded account will do. */
  relayer?: LocalAccount;
  /** The log's key: `GET /api/log/head` answers a head signed by it (EIP-191 over the checkpoint text). */
  logSigner?: HeadSigner;
  /** The job queue (jobs.ts routes); none: the job routes answer 503. */
  queue?: JobQueue;
  /** What one client may hold of the server (defaults: SERVER_LIMITS in jobs.ts). */
  limits?: Partial<ServerLimits>;
}

/** The session token: the cookie, or `Authorization: Bearer` for scripts. */
function tokenOf(c: Context): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  return bearer ?? getCookie(c, SESSION_COOKIE);
}

/** Behind TLS (directly, or a proxy that says so), the cookie is sent over https only. */
const overTls = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  const { store, ledger, auth, lc, relayer } = deps;
  const db = store.db;
  const roleContext = { config: lc?.config ?? deps.config, lc };
  const limits = { ...SERVER_LIMITS, ...deps.limits };

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

  // No request body the API takes is near this; a larger one is refused before it is read whole.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: () => {
        throw inputError('bad-request', 'the body is over 64 KiB', 'no request to this API is that large');
      },
    }),
  );

  // A page on another port of this host, or on a sibling subdomain, is the same *site*: a SameSite=Strict cookie
  // rides along on its requests (a form, a no-cors fetch — "simple" requests, sent without a preflight). So a
  // state-changing request a browser says came from another origin is refused; a script sends neither header.
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const own = [new URL(c.req.url).host, auth.domain];
    const from = origin === undefined ? undefined : URL.canParse(origin) ? new URL(origin).host : origin;
    if (site === 'cross-site' || site === 'same-site' || (from !== undefined && !own.includes(from))) {
      throw inputError(
        'cross-origin-request',
        `a ${c.req.method} from ${origin ?? `a ${site} page`} is refused: only this server's own page may act with its session`,
        "act from the server's page, or from a script with Authorization: Bearer",
      );
    }
    return next();
  });

  app.get('/openapi.json', (c) => c.json(openApiDocument()));

  /**
   * A patch's status: with the chain (`--rpc`), its approvals re-verified as of now, the lane's approvers and who is
   * missing, and the timelock operation; a chain that fails to answer leaves the store's view and says why.
   */
  const statusOf = async (patch: StoredPatch) => {
    if (!lc) return patchStatus(store, patch);
    try {
      return await patchStatus(store, patch, lc);
    } catch (e) {
      const why = isPatchgateError(e) ? e.shortMessage : 'the chain did not answer';
      return { ...(await patchStatus(store, patch)), chainError: why };
    }
  };

  /**
   * An embargoed patch not yet revealed (docs/embargo.md) shows the public only its commitment and state: its
   * proxy, implementation, calldata, evidence, sources and reviews are for signed-in approvers.
   */
  const sealed = (p: StoredPatch) => p.embargo !== undefined && p.embargo.revealedAt === undefined;
  const approverSees = async (c: Context): Promise<boolean> => {
    const session = await sessionOf(db, tokenOf(c));
    return session ? hasRole(roleContext, session.address, 'approver') : false;
  };
  const sealedView = (p: StoredPatch) => ({
    embargoed: true,
    commitment: p.embargo?.commitment,
    state: p.state,
  });
  /** Refuses an embargoed patch's details to anyone but a signed-in approver. */
  const requireUnsealed = async (c: Context, p: StoredPatch): Promise<void> => {
    if (!sealed(p) || (await approverSees(c))) return;
    throw inputError(
      'patch-embargoed',
      `this patch is under embargo (commitment ${p.embargo?.commitment}): its details are for its approvers until it is revealed`,
      'sign in as an approver, or wait for `patchgate reveal` after execution',
    );
  };

  app.get(hono(ROUTES.patches.path), async (c) => {
    const patches = await store.list();
    const approver = patches.some(sealed) ? await approverSees(c) : false;
    return c.json({
      patches: await Promise.all(patches.map((p) => (sealed(p) && !approver ? sealedView(p) : statusOf(p)))),
    });
  });

  app.get(hono(ROUTES.patch.path), async (c) => {
    const { digest } = parse(ROUTES.patch.params, c.req.param(), 'path');
    const key = digest.toLowerCase() as `0x${string}`;
    const patch = await store.get(key);
    if (!patch) {
      throw inputError('unknown-patch', `no patch ${key} in the store`, 'GET /api/patches lists them');
    }
    if (sealed(patch) && !(await approverSees(c))) return c.json({ digest: key, ...sealedView(patch) });
    return c.json({
      ...(await statusOf(patch)),
      record: patch.record,
      evidence: await store.evidence(key),
    });
  });

  app.get(hono(ROUTES.head.path), async (c) => {
    const current = await ledger.head();
    // With the log key (`serve --log-key-env`), the head is signed now: the page checks the signature itself.
    if (deps.logSigner) return c.json(await signCurrentHead(current, deps.logSigner));
    const { origin, size, root } = current;
    return c.json({ origin, size, root, signed: false });
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
    return c.json({ ...session, roles: await rolesOf(roleContext, session.address) });
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

  reviewRoutes(app, { store, ledger, requireUnsealed });

  app.get(hono(ROUTES.sourceDiff.path), async (c) => {
    const { digest } = parse(ROUTES.sourceDiff.params, c.req.param(), 'path');
    const patch = await store.get(digest.toLowerCase() as Hex);
    if (!patch)
      throw inputError('unknown-patch', `no patch ${digest} in the store`, 'GET /api/patches lists them');
    await requireUnsealed(c, patch);
    const project = lc ?? deps.project;
    if (!project) {
      throw inputError(
        'server-read-only',
        'this server has no project to read sources from',
        'start `patchgate serve` with --project (and --rpc, to check the sources against the chain)',
      );
    }
    const { sourceDiff } = await import('./source-diff.js');
    return c.json(await sourceDiff({ ...project, ...(lc ? { lc } : {}) }, patch));
  });

  jobRoutes(app, { store, queue: deps.queue, roleContext, signedIn, limits });

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
