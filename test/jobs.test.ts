/**
 * Jobs: check, simulate, verify and audit queued through the API into pg-boss on the store's own database, run by
 * workers, their reports stored once, their progress streamed as server-sent events. In-process on PGlite (the
 * single-user run), then `patchgate worker` processes on a real PostgreSQL: one killed mid-job, the job run again by
 * the other, its evidence stored once.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { type JobQueue, openQueue, QUEUE } from '../src/jobs/queue.js';
import { startWorker } from '../src/jobs/worker.js';
import { LOG_ORIGIN } from '../src/lifecycle/log-sync.js';
import { createApp } from '../src/server/app.js';
import { TEST_DATABASE_URL } from '../src/store/backends.fixture.js';
import { openPglite, openPostgres } from '../src/store/db.js';
import { jobEvents, jobEvidence } from '../src/store/jobs.js';
import { openLedger } from '../src/store/ledger-store.js';
import { openStore, type Store } from '../src/store/store.js';
import { EXAMPLE_DIR, TEST_STATE_DIR } from './helpers/example.js';
import { signInTo } from './helpers/siwe.js';

const SITE = { domain: 'review.example.org', chainId: 31337 };
const proposer = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
const viewer = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
let config: Config;
let store: Store;
let queue: JobQueue;
let app: Hono;
let stopWorker: () => Promise<void>;
const tokens = new Map<string, string>();

beforeAll(async () => {
  const loaded = await loadConfig({ searchDir: EXAMPLE_DIR });
  config = { ...loaded.config, server: { roles: { proposer: [proposer.address] } } };
  store = await openStore(await openPglite('memory://'));
  queue = await openQueue(store.db, { jobTimeout: 120 });
  const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  app = createApp({ store, ledger, auth: SITE, config, queue });
  const worker = await startWorker(
    queue,
    { config, projectDir: EXAMPLE_DIR, stateDir: TEST_STATE_DIR, store },
    { name: 'in-process', pollSeconds: 0.5 },
  );
  stopWorker = worker.stop;
  for (const a of [proposer, viewer]) tokens.set(a.address, await signInTo(app, a, SITE));
}, 120_000);
afterAll(async () => {
  await stopWorker?.();
  await queue?.stop();
  await store?.close();
});

async function submit(who: LocalAccount | undefined, body: unknown) {
  const token = who ? tokens.get(who.address) : undefined;
  const r = await app.request('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: r.status,
    body: (await r.json()) as { id?: string; error?: { code: string; message: string } },
  };
}

interface JobView {
  state: string;
  by: string;
  output: { verdict?: string; reportDigest?: string; error?: { code: string } } | null;
  evidence?: { verdict: string; reportDigest: string; worker: string; report: { report: string } };
  events: { kind: string; message: string }[];
}

async function finished(id: string, timeoutMs = 90_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = (await (await app.request(`/api/jobs/${id}`)).json()) as JobView;
    if (['completed', 'failed', 'cancelled'].includes(view.state) || Date.now() > deadline) return view;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('jobs through the API (PGlite, a worker in this process)', () => {
  it("runs a proposer's check job and stores its report once, with its events", async () => {
    const sent = await submit(proposer, { kind: 'check', patch: 'fix-flash-deposit' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const view = await finished(sent.body.id as string);
    expect(view.state).toBe('completed');
    expect(view.by).toBe(proposer.address);
    expect(view.output).toMatchObject({ verdict: 'pass', reportDigest: view.evidence?.reportDigest });
    expect(view.evidence).toMatchObject({
      verdict: 'pass',
      worker: 'in-process',
      report: { report: 'check' },
    });
    const kinds = view.events.map((e) => e.kind);
    expect([kinds[0], kinds.at(-1)]).toEqual(['started', 'stored']);
    // The check's stages, as they ended, in between.
    const stages = view.events.filter((e) => e.kind === 'stage').map((e) => e.message.split(' ')[0]);
    expect(stages).toEqual(expect.arrayContaining(['build', 'check']));
    expect(kinds.slice(1, -1).every((k) => k === 'stage')).toBe(true);
  }, 120_000);

  it('streams the progress as server-sent events, ending with done', async () => {
    const sent = await submit(proposer, { kind: 'check', patch: 'fix-flash-deposit' });
    const r = await app.request(`/api/jobs/${sent.body.id}/events`);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const text = await r.text(); // the stream ends when the job is done
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.at(-1)).toBe('done');
    expect(events.slice(0, -1).every((e) => e === 'progress')).toBe(true);
    expect(events.length).toBeGreaterThan(3); // started, the stages, stored
    expect(text).toMatch(/"state":"completed"/);
    // A reconnect with Last-Event-ID resumes after it: no event twice.
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const again = await (
      await app.request(`/api/jobs/${sent.body.id}/events`, { headers: { 'last-event-id': String(ids[1]) } })
    ).text();
    expect([...again.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual(ids.slice(2));
  }, 120_000);

  it('completes a job for an undeclared patch with the error, without retrying it', async () => {
    const sent = await submit(proposer, { kind: 'check', patch: 'no-such-patch' });
    const view = await finished(sent.body.id as string);
    expect(view.state).toBe('completed');
    expect(view.output?.error?.code).toBe('unknown-patch');
    expect(view.evidence).toBeUndefined();
    expect(view.events.map((e) => e.kind)).toEqual(['started', 'refused']);
  }, 60_000);

  it('refuses a check from a viewer (403), an unsigned request (401), a malformed one (400) and an unknown job (404)', async () => {
    expect((await submit(viewer, { kind: 'check', patch: 'fix-flash-deposit' })).body.error?.code).toBe(
      'role-missing',
    );
    expect((await submit(undefined, { kind: 'check', patch: 'fix-flash-deposit' })).status).toBe(401);
    const bad = await submit(proposer, { kind: 'deploy', patch: 'x' });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'bad-request']);
    const unknown = await app.request(`/api/jobs/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`);
    expect(unknown.status).toBe(404);
    // A verify needs the chain; this worker has none: refused, not retried.
    const verify = await submit(viewer, { kind: 'verify', digest: `0x${'ab'.repeat(32)}` });
    expect(verify.status).toBe(200);
    expect((await finished(verify.body.id as string)).output?.error?.code).toBe('server-read-only');
  }, 60_000);
});

const BIN = fileURLToPath(new URL('../bin/patchgate.js', import.meta.url));

/** A `patchgate worker` on `url`, its stderr collected. */
function startWorkerProcess(url: string) {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--database-url',
      url,
      '--project',
      EXAMPLE_DIR,
      '--state-dir',
      TEST_STATE_DIR,
      '--job-timeout',
      '25',
    ],
    { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { child, stderr: () => err, closed: once(child, 'close') };
}

async function until(what: () => Promise<boolean> | boolean, timeoutMs: number, why: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${why()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('patchgate worker on PostgreSQL', () => {
  it('a worker killed mid-job: the job runs again on the other worker and its evidence is stored once', async () => {
    const name = `patchgate_jobs_${randomBytes(4).toString('hex')}`;
    const admin = await openPostgres(TEST_DATABASE_URL);
    await admin.query(`create database ${name}`);
    const url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
    const pg = await openStore(await openPostgres(url));
    const q = await openQueue(pg.db, { jobTimeout: 25 });
    const a = startWorkerProcess(url);
    let b: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      await until(() => a.stderr().includes('worker ready'), 60_000, a.stderr);
      const id = await q.send({ kind: 'simulate', patch: 'fix-flash-deposit' }, 'test');
      await until(async () => (await jobEvents(pg.db, id)).length > 0, 60_000, a.stderr);
      a.child.kill('SIGKILL');
      await a.closed;
      b = startWorkerProcess(url);
      await until(
        async () => (await q.boss.getJobById(QUEUE, id))?.state === 'completed',
        150_000,
        () => (b as { stderr: () => string }).stderr(),
      );
      const job = await q.boss.getJobById(QUEUE, id);
      expect(job?.retryCount).toBe(1);
      const events = await jobEvents(pg.db, id);
      const milestones = events.filter((e) => e.kind !== 'stage');
      expect(milestones.map((e) => e.kind)).toEqual(['started', 'started', 'stored']);
      expect(milestones[0]?.message).not.toBe(milestones[1]?.message); // two different workers
      const stored = await jobEvidence(pg.db, id);
      expect(stored).toMatchObject({ kind: 'simulate', verdict: 'pass' });
      expect(stored?.worker).toBe(milestones[1]?.message.replace(/^simulate started on /, ''));
      const rows = await pg.db.query<{ n: string }>('select count(*)::text as n from job_evidence');
      expect(rows).toEqual([{ n: '1' }]);
    } finally {
      a.child.kill('SIGKILL');
      if (b) {
        b.child.kill('SIGTERM');
        const [code] = await b.closed;
        expect(code, b.stderr()).toBe(0);
      }
      await q.stop();
      await pg.close();
      await admin.query(`drop database ${name} with (force)`);
      await admin.close();
    }
  }, 300_000);
});
