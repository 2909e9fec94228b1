/**
 * Roles on the API, route by route, on the live example (real Safe 1.4.1, timelock and proxy on anvil): each account
 * signs in with EIP-4361 and gets the roles the chain gives it (Safe owners: proposer, approver, executor; the
 * guardian key: guardian; anyone: viewer) or the config's lists. A viewer approves nothing, an approver who is not an
 * executor cannot queue or execute, nobody records an approval signed by somebody else, and an approval from a
 * wallet (the typed data the server hands out, signed as eth_signTypedData_v4 would) goes through to execution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { Hex, LocalAccount } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../../src/chain/clients.js';
import type { Lifecycle } from '../../src/lifecycle/lifecycle.js';
import { LOG_ORIGIN } from '../../src/lifecycle/log-sync.js';
import { createApp } from '../../src/server/app.js';
import { openPglite } from '../../src/store/db.js';
import { type Ledger, openLedger } from '../../src/store/ledger-store.js';
import { openStore, type Store } from '../../src/store/store.js';
import { KEY_ENV, type LiveExample, lifecycleOn, proposedFix, startLiveExample } from '../helpers/live.js';
import { startServe } from '../helpers/serve.js';
import { signInTo } from '../helpers/siwe.js';

const SITE = { domain: 'review.example.org', chainId: 31337 };
const account = (i: number) => localAccount(i) as LocalAccount;
const deployer = account(0);
const [owner1, owner2, owner3] = [account(1), account(2), account(3)];
const guardian = account(9);
const outsider = account(7);

let live: LiveExample;
let store: Store;
let ledger: Ledger;
let lc: Lifecycle;
let digest: Hex;
/** Roles from the chain. */
let app: Hono;
/** The same project with `server.roles.executor` naming the deployer alone: owners approve, only it executes. */
let split: Hono;
const tokens = new Map<string, string>();

beforeAll(async () => {
  live = await startLiveExample();
  store = await openStore(await openPglite('memory://'));
  ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  lc = await lifecycleOn(live, store);
  digest = await proposedFix(lc);
  app = createApp({ store, ledger, auth: SITE, lc, relayer: deployer });
  const config = { ...live.config, server: { roles: { executor: [deployer.address] } } };
  split = createApp({ store, ledger, auth: SITE, lc: { ...lc, config }, relayer: deployer });
  for (const a of [deployer, owner1, owner2, owner3, guardian, outsider]) {
    tokens.set(a.address, await signInTo(app, a, SITE));
  }
}, 240_000);
afterAll(async () => {
  await store?.close();
  await live?.anvil.stop();
});

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

async function call(
  on: Hono,
  method: 'GET' | 'POST',
  path: string,
  who?: LocalAccount,
  body?: unknown,
): Promise<Answer> {
  const token = who ? tokens.get(who.address) : undefined;
  const r = await on.request(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as Answer['body'] };
}

interface WalletTypedData {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** What a wallet does with the JSON typed data (decimal strings for integers): eth_signTypedData_v4. */
function signWallet(who: LocalAccount, data: WalletTypedData): Promise<Hex> {
  const { EIP712Domain: _domain, ...types } = data.types;
  const message = { ...data.message };
  for (const f of types[data.primaryType] ?? []) {
    if (/^u?int\d*$/.test(f.type)) message[f.name] = BigInt(message[f.name] as string);
  }
  const domain = { ...data.domain, chainId: Number(data.domain.chainId) };
  return who.signTypedData({ domain, types, primaryType: data.primaryType, message } as never);
}

interface ApprovalRequest {
  approval: { typedData: WalletTypedData };
  safeTxs: { purpose: string; typedData: WalletTypedData }[];
  file: Record<string, unknown> & { safeSignatures: Record<string, unknown>[] };
}

/** The approval file `who` fills in from the server's request: its approval and Safe signatures, signed. */
async function signedFile(who: LocalAccount, on = app): Promise<Record<string, unknown>> {
  const r = await call(on, 'GET', `/api/patches/${digest}/approval-request`, who);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const req = r.body as unknown as ApprovalRequest;
  const safeSignatures = await Promise.all(
    req.safeTxs.map(async (tx, i) => ({
      ...req.file.safeSignatures[i],
      signature: await signWallet(who, tx.typedData),
    })),
  );
  return { ...req.file, signature: await signWallet(who, req.approval.typedData), safeSignatures };
}

const approvalCount = async () => (await store.approvals(digest)).length;

describe('roles from the chain', () => {
  it('gives each account the roles the chain says it has', async () => {
    const roles = async (who: LocalAccount) => (await call(app, 'GET', '/api/auth/me', who)).body.roles;
    expect(await roles(owner1)).toEqual(['proposer', 'approver', 'executor', 'viewer']);
    expect(await roles(guardian)).toEqual(['guardian', 'viewer']);
    expect(await roles(outsider)).toEqual(['viewer']);
    // The config's list replaces the chain's default for that role only.
    expect((await call(split, 'GET', '/api/auth/me', owner1)).body.roles).toEqual([
      'proposer',
      'approver',
      'viewer',
    ]);
    expect((await call(split, 'GET', '/api/auth/me', deployer)).body.roles).toEqual(['executor', 'viewer']);
  });
});

describe('attacks on the roles', () => {
  it('refuses every acting route without a session (401 not-signed-in)', async () => {
    for (const [method, path] of [
      ['GET', `/api/patches/${digest}/approval-request`],
      ['POST', `/api/patches/${digest}/approvals`],
      ['POST', `/api/patches/${digest}/queue`],
      ['POST', `/api/patches/${digest}/execute`],
    ] as const) {
      const r = await call(app, method, path, undefined, method === 'POST' ? {} : undefined);
      expect(r.status, path).toBe(401);
      expect(r.body.error?.code).toBe('not-signed-in');
    }
  });

  it('a viewer can approve nothing: approval request, approval, queue and execute are 403 role-missing', async () => {
    const file = await signedFile(owner3);
    for (const [method, path, body] of [
      ['GET', `/api/patches/${digest}/approval-request`, undefined],
      ['POST', `/api/patches/${digest}/approvals`, file],
      ['POST', `/api/patches/${digest}/queue`, {}],
      ['POST', `/api/patches/${digest}/execute`, {}],
    ] as const) {
      for (const who of [outsider, guardian]) {
        const r = await call(app, method, path, who, body);
        expect(r.status, `${who.address} ${path}`).toBe(403);
        expect(r.body.error?.code).toBe('role-missing');
        expect(r.body.error?.message).toContain(who.address);
      }
    }
    expect(await approvalCount()).toBe(0);
  });

  it("an approver posting another approver's signed approval is refused (403 approval-signer-mismatch), nothing recorded", async () => {
    const theirs = await signedFile(owner2);
    const r = await call(app, 'POST', `/api/patches/${digest}/approvals`, owner1, theirs);
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe('approval-signer-mismatch');
    expect(r.body.error?.message).toContain(owner2.address);
    expect(await approvalCount()).toBe(0);
    expect(await store.safeSignatures(digest)).toEqual([]);
  });

  it('an approval signed by a key outside the approver set is refused as the CLI refuses it, nothing recorded', async () => {
    const forged = {
      ...(await signedFile(owner1)),
      signature: await signWallet(outsider, (await request(owner1)).approval.typedData),
    };
    const r = await call(app, 'POST', `/api/patches/${digest}/approvals`, owner1, forged);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('approval-unknown-signer');
    expect(await approvalCount()).toBe(0);
  });

  it('a malformed approval body is 400 naming the field, nothing recorded', async () => {
    const file = await signedFile(owner1);
    const r = await call(app, 'POST', `/api/patches/${digest}/approvals`, owner1, {
      ...file,
      expiry: 'soon',
    });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('bad-request');
    expect(r.body.error?.message).toContain('expiry');
    expect(await approvalCount()).toBe(0);
  });

  it('an approver who is not an executor cannot queue or execute (403 role-missing)', async () => {
    for (const step of ['queue', 'execute']) {
      const r = await call(split, 'POST', `/api/patches/${digest}/${step}`, owner1, {});
      expect(r.status, step).toBe(403);
      expect(r.body.error?.code).toBe('role-missing');
      expect(r.body.error?.message).toContain('not an executor');
    }
    expect((await store.get(digest))?.state).toBe('proposed');
  });

  it('a read-only server (no --rpc) acts on nothing: 503 server-read-only', async () => {
    const readOnly = createApp({ store, ledger, auth: SITE, config: live.config });
    const token = await signInTo(readOnly, owner1, SITE);
    const r = await readOnly.request(`/api/patches/${digest}/queue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(503);
    expect(((await r.json()) as Answer['body']).error?.code).toBe('server-read-only');
  });
});

async function request(who: LocalAccount): Promise<ApprovalRequest> {
  return (await call(app, 'GET', `/api/patches/${digest}/approval-request`, who))
    .body as unknown as ApprovalRequest;
}

describe('the source diff', () => {
  it('serves the reference against the candidate, checked against the approved code on chain', async () => {
    const r = await call(app, 'GET', `/api/patches/${digest}/diff`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      reference: 'src/VaultV1.sol:VaultV1',
      candidate: 'src/VaultV2.sol:VaultV2',
      verified: { ok: true },
    });
    expect(r.body.diff).toMatch(/^\+.*nonReentrant/m);
  });

  it('a source diff whose candidate is not the approved code is refused (409 source-mismatch)', async () => {
    // The project's sources moved on since the proposal: the patch's candidate now names another contract.
    const patches = live.config.patches.map((p) =>
      p.name === 'fix-flash-deposit' ? { ...p, candidate: 'src/bad/VaultV2FeeHike.sol:VaultV2FeeHike' } : p,
    );
    const moved = createApp({
      store,
      ledger,
      auth: SITE,
      lc: { ...lc, config: { ...live.config, patches } },
    });
    const r = await call(moved, 'GET', `/api/patches/${digest}/diff`);
    expect([r.status, r.body.error?.code]).toEqual([409, 'source-mismatch']);
    expect(r.body).not.toHaveProperty('diff');
  });
});

describe('the honest path through the API', () => {
  it('two owners approve from their wallets, the executor queues and executes through the relayer', async () => {
    const status = async () =>
      (await call(app, 'GET', `/api/patches/${digest}`)).body as {
        policy?: { threshold: number; approvers: string[]; missing: string[] };
        operation?: { eta?: string };
      };
    expect((await status()).policy).toEqual({
      threshold: 2,
      approvers: [owner1.address, owner2.address, owner3.address],
      missing: [owner1.address, owner2.address, owner3.address],
    });
    for (const who of [owner1, owner2]) {
      const r = await call(app, 'POST', `/api/patches/${digest}/approvals`, who, await signedFile(who));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.signer).toBe(who.address);
      expect((r.body.safeSigned as unknown[]).length).toBe(2);
    }
    expect((await store.get(digest))?.state).toBe('approved');
    expect((await status()).policy?.missing).toEqual([owner3.address]);
    // Approving again changes nothing.
    const again = await call(
      app,
      'POST',
      `/api/patches/${digest}/approvals`,
      owner1,
      await signedFile(owner1),
    );
    expect(again.body).toMatchObject({ alreadyApproved: true, approvals: 2 });

    const queued = await call(split, 'POST', `/api/patches/${digest}/queue`, deployer, {});
    expect(queued.status, JSON.stringify(queued.body)).toBe(200);
    expect(queued.body.state).toBe('queued');
    expect(typeof queued.body.eta).toBe('string');
    expect((await status()).operation?.eta).toBe(queued.body.eta);

    const early = await call(split, 'POST', `/api/patches/${digest}/execute`, deployer, {});
    expect(early.status).toBe(409);
    expect(early.body.error?.code).toBe('not-ready');

    const eta = BigInt(queued.body.eta as string);
    const now = (await live.clients.public.getBlock()).timestamp;
    await live.clients.test.increaseTime({ seconds: Number(eta - now) + 1 });
    await live.clients.test.mine({ blocks: 1 });
    const done = await call(split, 'POST', `/api/patches/${digest}/execute`, deployer, {});
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.state).toBe('executed');
  });
});

describe('patchgate serve --rpc', () => {
  it('reads the roles from the chain the command is pointed at, over a real socket', async () => {
    const state = mkdtempSync(join(tmpdir(), 'pg-serve-roles-'));
    await (await openStore(await openPglite(join(state, 'db')))).close();
    const served = await startServe(
      ['--rpc', live.anvil.rpcUrl, '--state-dir', state, '--key-env', 'RELAYER_KEY'],
      {
        cwd: live.configDir,
        env: { RELAYER_KEY: KEY_ENV.DEPLOYER_KEY },
      },
    );
    try {
      expect(served.stderr()).toContain(`acting on ${live.anvil.rpcUrl}, relayer ${deployer.address}`);
      const site = { domain: new URL(served.url).host, chainId: 31337 };
      // The same sign-in, over HTTP: the in-process app stands in for fetch.
      const remote = new Hono().all('*', (c) =>
        fetch(`${served.url}${new URL(c.req.url).pathname}`, c.req.raw),
      );
      const token = await signInTo(remote, owner1, site);
      const me = await fetch(`${served.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(await me.json()).toMatchObject({
        address: owner1.address,
        chainId: 31337,
        roles: ['proposer', 'approver', 'executor', 'viewer'],
      });
    } finally {
      const { code, stderr } = await served.stop();
      expect(code, stderr).toBe(0);
      expect(stderr).not.toContain(KEY_ENV.DEPLOYER_KEY.slice(2));
      rmSync(state, { recursive: true, force: true });
    }
  }, 120_000);
});
