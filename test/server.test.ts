/**
 * `patchgate serve`'s read-only API over a real store (PGlite) and its RFC 9162 log: the patches with their
 * evidence, the log's head, entries and inclusion proofs (verified here from the hex alone), errors as
 * `{error: {code, message, hint}}` with the CLI's codes, the OpenAPI document; and the command itself — a real
 * socket, SIGTERM, a missing store and a taken port refused with exit 2.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, hexToBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceDigest } from '../src/core/digest.js';
import { type PatchRecord, patchDigest } from '../src/govern/digest.js';
import { SAMPLE_PLAN, SAMPLE_RECORD } from '../src/govern/sample-record.fixture.js';
import { type Head, verifyHead } from '../src/ledger/head.js';
import { sampleEntries } from '../src/ledger/sample-entries.fixture.js';
import { verifyInclusion } from '../src/ledger/verify.js';
import { LOG_ORIGIN } from '../src/lifecycle/log-sync.js';
import { createApp } from '../src/server/app.js';
import { openPglite } from '../src/store/db.js';
import { type Ledger, openLedger } from '../src/store/ledger-store.js';
import { openStore, type Store } from '../src/store/store.js';
import { runCli } from './helpers/cli.js';
import { startServe } from './helpers/serve.js';

const REPORTS = { check: { verdict: 'pass', findings: [] } };
const RECORD: PatchRecord = { ...SAMPLE_RECORD, evidence: { check: evidenceDigest(REPORTS.check) } };
const digest = patchDigest(RECORD);
const PLAN = { ...SAMPLE_PLAN, salt: digest };
let state: string;
let store: Store;
let app: ReturnType<typeof createApp>;
let ledger: Ledger;

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'pg-serve-'));
  store = await openStore(await openPglite(join(state, 'db')));
  await store.propose(RECORD, PLAN, REPORTS);
  ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  await ledger.appendMany(sampleEntries(3));
  app = createApp({ store, ledger, auth: { domain: 'review.example.org', chainId: 31337 } });
}, 120_000);
afterAll(async () => {
  await store?.close();
  rmSync(state, { recursive: true, force: true });
});

const get = async (path: string) => {
  const r = await app.request(path);
  return {
    status: r.status,
    body: (await r.json()) as Record<string, unknown> & { error?: { code: string } },
  };
};

describe('the API', () => {
  it('lists the patches and shows one with its record and evidence', async () => {
    const list = await get('/api/patches');
    expect(list.status).toBe(200);
    expect(list.body.patches).toEqual([
      expect.objectContaining({ digest, state: 'proposed', name: PLAN.name, approvals: [] }),
    ]);
    const one = await get(`/api/patches/${digest.toUpperCase().replace('0X', '0x')}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ digest, state: 'proposed', evidence: { check: { verdict: 'pass' } } });
    expect(one.body.record).toMatchObject({ proxy: SAMPLE_RECORD.proxy, chainId: SAMPLE_RECORD.chainId });
  });

  it('answers an unknown patch with 404 unknown-patch and a malformed digest with 400 bad-request, naming it', async () => {
    const missing = await get(`/api/patches/0x${'ab'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'unknown-patch', hint: 'GET /api/patches lists them' });
    const bad = await get('/api/patches/0x1234');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'bad-request',
      message: 'path digest: a patch digest is 0x and 64 hex digits',
    });
  });

  it("serves the log's head, its entries, and inclusion proofs that verify from the hex alone", async () => {
    const head = await get('/api/log/head');
    expect(head.body).toMatchObject({
      origin: LOG_ORIGIN,
      size: 3,
      root: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(head.body.signed).toBe(false);
    // With the log key, the head is signed: the signature verifies as `log verify --head` verifies it.
    const logKey = privateKeyToAccount(generatePrivateKey());
    const signing = createApp({
      store,
      ledger,
      auth: { domain: 'review.example.org', chainId: 31337 },
      logSigner: logKey,
    });
    const signed = (await (await signing.request('/api/log/head')).json()) as Head;
    expect(signed).toMatchObject({ signed: true, signer: logKey.address, size: 3, root: head.body.root });
    expect(await verifyHead(signed, logKey.address)).toMatchObject({ ok: true });
    const entries = await get('/api/log/entries?from=1&to=3');
    expect((entries.body.entries as { index: number; entry: string }[]).map((e) => e.index)).toEqual([1, 2]);
    const [second] = sampleEntries(1, 1);
    expect(JSON.parse((entries.body.entries as { entry: string }[])[0]?.entry as string)).toMatchObject({
      kind: (second as { kind: string }).kind,
    });
    for (const index of [0, 1, 2]) {
      const p = (await get(`/api/log/proof/${index}`)).body as {
        index: number;
        size: number;
        leafHash: Hex;
        root: Hex;
        proof: Hex[];
      };
      expect(p.root).toBe(head.body.root);
      const check = {
        ...p,
        leafHash: hexToBytes(p.leafHash),
        root: hexToBytes(p.root),
        proof: p.proof.map((h) => hexToBytes(h)),
      };
      expect(verifyInclusion(check), `entry ${index}`).toBe(true);
      // One bit of the path changed: the proof no longer verifies.
      const first = check.proof[0];
      if (first) {
        const flipped = first.slice();
        flipped[0] = (flipped[0] ?? 0) ^ 1;
        expect(verifyInclusion({ ...check, proof: [flipped, ...check.proof.slice(1)] })).toBe(false);
      }
    }
  });

  it('refuses an entry outside the log, a negative or unknown query value, and an unknown route', async () => {
    expect((await get('/api/log/proof/3')).body.error).toMatchObject({ code: 'bad-request' });
    expect((await get('/api/log/proof/0?size=9')).status).toBe(400);
    expect((await get('/api/log/entries?from=-1')).status).toBe(400);
    expect((await get('/api/log/entries?limit=5')).body.error).toMatchObject({ code: 'bad-request' });
    const route = await get('/api/approve');
    expect(route.status).toBe(404);
    expect(route.body.error).toMatchObject({ code: 'unknown-route', message: 'no route GET /api/approve' });
  });

  it('publishes an OpenAPI 3.1 document with every route and its parameters', async () => {
    const doc = (await get('/openapi.json')).body as {
      openapi: string;
      paths: Record<string, { get: { parameters: { name: string; in: string; required: boolean }[] } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/auth/login',
      '/api/auth/logout',
      '/api/auth/me',
      '/api/auth/nonce',
      '/api/jobs',
      '/api/jobs/{id}',
      '/api/jobs/{id}/events',
      '/api/log/entries',
      '/api/log/head',
      '/api/log/proof/{index}',
      '/api/patches',
      '/api/patches/{digest}',
      '/api/patches/{digest}/approval-request',
      '/api/patches/{digest}/approvals',
      '/api/patches/{digest}/diff',
      '/api/patches/{digest}/execute',
      '/api/patches/{digest}/queue',
      '/api/patches/{digest}/reviews',
    ]);
    expect(doc.paths['/api/patches/{digest}']?.get.parameters).toEqual([
      expect.objectContaining({ name: 'digest', in: 'path', required: true }),
    ]);
    expect(doc.paths['/api/log/entries']?.get.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['from', 'query', false],
      ['to', 'query', false],
    ]);
    const approve = (
      doc.paths['/api/patches/{digest}/approvals'] as unknown as Record<string, Record<string, unknown>>
    ).post;
    expect(approve).toMatchObject({
      'x-patchgate-role': 'approver',
      security: [{ session: [] }, { bearer: [] }],
    });
    expect(Object.keys(approve?.responses as object)).toEqual(expect.arrayContaining(['401', '403', '503']));
    expect(JSON.stringify(approve?.requestBody)).toContain('safeSignatures');
  });
});

describe('patchgate serve', () => {
  it('serves the store on a real socket until SIGTERM, then exits 0 and lets the store go', async () => {
    await store.close(); // one process owns an embedded store at a time
    const served = await startServe(['--state-dir', state]);
    const r = await fetch(`${served.url}/api/patches`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { patches: { digest: string }[] }).patches.map((p) => p.digest)).toEqual([
      digest,
    ]);
    const { code, stderr } = await served.stop();
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/serve stopped\n$/);
    // The store is free again: it opens, with what it held.
    store = await openStore(await openPglite(join(state, 'db'), { create: false }));
    expect((await store.list()).map((p) => p.digest)).toEqual([digest]);
  }, 120_000);

  it('refuses a state dir without a store (exit 2, nothing created) and a port in use (exit 2)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pg-serve-empty-'));
    const none = runCli(['serve', '--port', '0', '--state-dir', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr.split('\n')[0]).toBe(`patchgate: no patchgate store at ${join(empty, 'db')}`);
    rmSync(empty, { recursive: true, force: true });

    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    await store.close();
    const busy = runCli(['serve', '--port', String(port), '--state-dir', state]);
    taken.close();
    store = await openStore(await openPglite(join(state, 'db'), { create: false }));
    expect(busy.code, busy.stderr).toBe(2);
    expect(busy.stderr.split('\n')[0]).toBe(`patchgate: --port ${port} is in use by another process`);
  }, 120_000);
});
