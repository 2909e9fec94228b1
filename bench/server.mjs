#!/usr/bin/env node
/**
 * Benchmark: the team server under load, beside the library calls it wraps.
 *
 * 1. Approvals: the example deployed on an embedded anvil, the fix proposed through the real lifecycle and cloned
 *    into PATCHES patches (each with one more evidence report, so its own digest); APPROVERS approvers (the
 *    policy's approver set) signed in over HTTP to `patchgate serve`'s app on a real socket, all at once, each
 *    approving every patch (its own order). Then: approvals lost or doubled (must be 0), and each route's p50/p99
 *    under that load — beside the same library call made in-process, one at a time (the baseline).
 * 2. Jobs: JOBS `check` jobs queued on a fresh PostgreSQL database, two `patchgate worker` processes sharing them:
 *    none lost, none run twice (one `started` event and one evidence row per job), jobs/s and the split — beside
 *    the same checks run in-process one after the other.
 * Needs `npm run build` and PostgreSQL (PATCHGATE_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 *   node bench/server.mjs [--approvers N] [--patches N] [--jobs N] [--json FILE]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { arg, cli, figure, freshDir, median, quantile, report, root } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const APPROVERS = arg('--approvers', 50);
const PATCHES = arg('--patches', 20);
const JOBS = arg('--jobs', 100);
const DATABASE_URL = process.env.PATCHGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dist = (p) => import(`${root}dist/${p}`);
const { loadConfig } = await dist('config/load.js');
const { loadProject } = await dist('build/index.js');
const { startAnvil } = await dist('chain/anvil.js');
const { connect, localAccount } = await dist('chain/clients.js');
const { deploySystem, withLiveAddresses } = await dist('system/deploy.js');
const { openPglite, openPostgres } = await dist('store/db.js');
const { openStore } = await dist('store/store.js');
const { openLedger } = await dist('store/ledger-store.js');
const { propose } = await dist('lifecycle/propose.js');
const { approve } = await dist('lifecycle/approve.js');
const { patchStatus } = await dist('lifecycle/status.js');
const { chainNow } = await dist('lifecycle/context.js');
const { LOG_ORIGIN } = await dist('lifecycle/log-sync.js');
const { approvalTypedData } = await dist('govern/approval.js');
const { patchDigest } = await dist('govern/digest.js');
const { evidenceDigest } = await dist('core/digest.js');
const { createApp } = await dist('server/app.js');
const { openQueue, QUEUE } = await dist('jobs/queue.js');
const { runJob } = await dist('jobs/run-job.js');
const { serve } = await import('@hono/node-server');
const { keepAlive } = await dist('server/keep-alive.js');

const work = freshDir('server');
const exampleDir = join(root, 'examples/vault');
const stateDir = join(work, 'state');
const site = { domain: 'bench.example.org', chainId: 31337 };
const approvers = Array.from({ length: APPROVERS }, (_, i) =>
  privateKeyToAccount(keccak256(toHex(`approver ${i}`))),
);

/** Connections the server reset (each request is then sent once more and timed from its first try). */
let resets = 0;
async function fetchOnce(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (e?.cause?.code !== 'ECONNRESET') throw e;
    resets++;
    return fetch(url, init);
  }
}

/** Times `fn`, adding the milliseconds to `into[name]`. */
async function timed(into, name, fn) {
  const t = performance.now();
  const r = await fn();
  if (!into[name]) into[name] = [];
  into[name].push(performance.now() - t);
  return r;
}

async function approvalsBench() {
  const project = await loadProject({ dir: exampleDir, stateDir });
  const anvil = await startAnvil({ args: ['--steps-tracing'] });
  const store = await openStore(await openPglite('memory://'));
  let server;
  try {
    const clients = await connect(anvil.rpcUrl);
    const { config: example } = await loadConfig({ searchDir: exampleDir });
    const system = await deploySystem(clients, project, example.system);
    const config = {
      ...withLiveAddresses(example, system),
      project: exampleDir,
      policy: { ...example.policy, approvers: approvers.map((a) => a.address) },
    };
    const lc = { config, projectDir: exampleDir, stateDir, store, clients, rpcUrl: anvil.rpcUrl };
    const { digest: first } = await propose(lc, {
      patch: 'fix-flash-deposit',
      lane: 'standard',
      deployer: localAccount(0),
    });
    const fix = await store.get(first);
    const reports = await store.evidence(first);
    /** `n` patches of the same upgrade, each with its own digest. */
    const clones = async (tag, n) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const load = { note: `${tag} ${i}` };
        const record = { ...fix.record, evidence: { ...fix.record.evidence, load: evidenceDigest(load) } };
        const digest = patchDigest(record);
        await store.propose(record, { ...fix.plan, salt: digest }, { ...reports, load });
        out.push(digest);
      }
      return out;
    };
    const served = await clones('api', PATCHES);
    const library = await clones('library', PATCHES);
    const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
    const app = createApp({ store, ledger, auth: site, lc });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    keepAlive(server);
    const base = `http://127.0.0.1:${server.address().port}`;
    site.domain = new URL(base).host;
    const tokens = new Map();
    for (const a of approvers) {
      const { nonce } = await (await fetch(`${base}/api/auth/nonce`, { method: 'POST' })).json();
      const message = createSiweMessage({
        domain: site.domain,
        address: a.address,
        uri: `${base}/`,
        version: '1',
        chainId: site.chainId,
        nonce,
        issuedAt: new Date(),
      });
      const r = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message, signature: await a.signMessage({ message }) }),
      });
      tokens.set(a.address, (await r.json()).token);
    }
    const expiry = (await chainNow(lc)) + 86_400n;
    const signed = async (a, digest, nonce) => {
      const message = {
        digest,
        chainId: fix.record.chainId,
        proxy: fix.record.proxy,
        nonce: BigInt(nonce),
        expiry,
      };
      return { ...message, signature: await a.signTypedData(approvalTypedData(message)) };
    };
    // Signed before the clock starts: the bench times the server, not the wallet.
    const files = new Map();
    for (const [i, a] of approvers.entries()) {
      for (const [k, d] of served.entries()) files.set(`${i}:${d}`, await signed(a, d, i * 1000 + k));
    }
    const ms = {};
    const failures = [];
    const started = performance.now();
    await Promise.all(
      approvers.map(async (a, i) => {
        const auth = { authorization: `Bearer ${tokens.get(a.address)}` };
        for (let k = 0; k < PATCHES; k++) {
          const digest = served[(i + k) % PATCHES];
          const f = files.get(`${i}:${digest}`);
          const body = JSON.stringify({ ...f, nonce: String(f.nonce), expiry: String(f.expiry) });
          const r = await timed(ms, 'POST /api/patches/{digest}/approvals', () =>
            fetchOnce(`${base}/api/patches/${digest}/approvals`, {
              method: 'POST',
              headers: { ...auth, 'content-type': 'application/json' },
              body,
            }),
          );
          if (r.status !== 200) failures.push(`${r.status} ${await r.text()}`);
          else await r.arrayBuffer();
          // A reader of the page at the same time as each approval.
          await timed(ms, 'GET /api/patches/{digest}', async () =>
            (await fetchOnce(`${base}/api/patches/${digest}`)).arrayBuffer(),
          );
          if (k % 5 === 0) {
            await timed(ms, 'GET /api/log/head', async () =>
              (await fetchOnce(`${base}/api/log/head`)).arrayBuffer(),
            );
            await timed(ms, 'GET /api/log/proof/{index}', async () =>
              (await fetchOnce(`${base}/api/log/proof/0`)).arrayBuffer(),
            );
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    let lost = 0;
    let doubled = 0;
    for (const d of served) {
      const signers = (await store.approvals(d)).map((x) => x.signer.toLowerCase());
      doubled += signers.length - new Set(signers).size;
      lost += APPROVERS - new Set(signers).size;
    }
    // The baseline: the same library calls in-process, one at a time, on the other patches.
    const lib = {};
    for (const [i, a] of approvers.slice(0, 10).entries()) {
      for (const d of library) {
        const approval = await signed(a, d, 500_000 + i);
        await timed(lib, 'approve', () => approve(lc, { digest: d, file: { approval, safeSignatures: [] } }));
      }
    }
    for (const d of library) {
      const patch = await store.get(d);
      await timed(lib, 'status', () => patchStatus(store, patch, lc));
      await timed(lib, 'head', () => ledger.head());
      await timed(lib, 'proof', () => ledger.inclusionProof(0));
    }
    return { ms, lib, seconds, failures, lost, doubled, total: APPROVERS * PATCHES };
  } finally {
    server?.close();
    await store.close();
    await anvil.stop();
  }
}

function startWorker(url) {
  const child = spawn(
    process.execPath,
    [
      cli,
      'worker',
      '--database-url',
      url,
      '--project',
      exampleDir,
      '--state-dir',
      stateDir,
      '--job-timeout',
      '600',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let err = '';
  child.stderr.on('data', (d) => {
    err += d.toString();
  });
  return { child, stderr: () => err, closed: once(child, 'close') };
}

async function jobsBench() {
  const { config } = await loadConfig({ searchDir: exampleDir });
  const ctx = { config, projectDir: exampleDir, stateDir, store: undefined };
  // Warm: the first check compiles the project into the shared state dir; then the baseline, in-process.
  await runJob(ctx, { kind: 'check', patch: 'fix-flash-deposit' });
  const baseline = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await runJob(ctx, { kind: 'check', patch: 'fix-flash-deposit' });
    baseline.push(performance.now() - t);
  }
  const name = `patchgate_bench_${Date.now()}`;
  const admin = await openPostgres(DATABASE_URL);
  await admin.query(`create database ${name}`);
  const url = DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
  const store = await openStore(await openPostgres(url));
  const queue = await openQueue(store.db, { jobTimeout: 600 });
  const workers = [startWorker(url), startWorker(url)];
  try {
    for (const w of workers) {
      while (!w.stderr().includes('worker ready')) await new Promise((r) => setTimeout(r, 100));
    }
    const started = performance.now();
    const ids = [];
    for (let i = 0; i < JOBS; i++)
      ids.push(await queue.send({ kind: 'check', patch: 'fix-flash-deposit' }, 'bench'));
    for (;;) {
      const [row] = await store.db.query(
        `select count(*) filter (where state = 'completed')::int as done, count(*) filter (where state = 'failed')::int as failed from pgboss.job where name = $1`,
        [QUEUE],
      );
      if (row.done + row.failed >= JOBS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const starts = await store.db.query(
      `select job_id, count(*)::int as n, min(message) as message from job_events where kind = 'started' group by job_id`,
    );
    const evidence = await store.db.query(
      'select worker, count(*)::int as n from job_evidence group by worker',
    );
    const failed = (
      await store.db.query(`select count(*)::int as n from pgboss.job where name = $1 and state = 'failed'`, [
        QUEUE,
      ])
    )[0].n;
    return {
      seconds,
      baselineMs: median(baseline),
      lost: JOBS - starts.length + failed,
      runTwice: starts.filter((s) => s.n > 1).length,
      evidenceRows: evidence.reduce((a, r) => a + r.n, 0),
      split: evidence.map((r) => r.n).sort((a, b) => b - a),
    };
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.closed));
    await queue.stop();
    await store.close();
    await admin.query(`drop database ${name} with (force)`);
    await admin.close();
  }
}

const a = await approvalsBench();
if (a.failures.length > 0) console.error(`${a.failures.length} approvals refused, e.g. ${a.failures[0]}`);
const j = await jobsBench();
const lib = (k) => ({
  label: `the library call in-process, one at a time (p50 of ${a.lib[k].length})`,
  value: quantile(a.lib[k], 0.5),
});
const route = (name, baseKey) => {
  const xs = a.ms[name];
  return [
    figure(
      `${name}: p50 (${xs.length} requests, ${APPROVERS} clients at once)`,
      quantile(xs, 0.5),
      'ms',
      xs.length,
      lib(baseKey),
    ),
    figure(`${name}: p99`, quantile(xs, 0.99), 'ms', xs.length, lib(baseKey)),
  ];
};
const result = report(
  'server',
  1,
  [
    figure(
      `approvals through the API: ${a.total} (${APPROVERS} approvers × ${PATCHES} patches, all at once); lost ${a.lost}, doubled ${a.doubled}, refused ${a.failures.length}`,
      a.total / a.seconds,
      'approvals/s',
      1,
    ),
    ...route('POST /api/patches/{digest}/approvals', 'approve'),
    ...route('GET /api/patches/{digest}', 'status'),
    ...route('GET /api/log/head', 'head'),
    ...route('GET /api/log/proof/{index}', 'proof'),
    figure(
      `${JOBS} check jobs shared by two patchgate workers (PostgreSQL): lost ${j.lost}, run twice ${j.runTwice}, evidence rows ${j.evidenceRows}, split ${j.split.join('/')}`,
      JOBS / j.seconds,
      'jobs/s',
      1,
      { label: 'the same check in-process, one after the other (median of 10)', value: 1000 / j.baselineMs },
    ),
  ],
  [
    'One machine: the server, anvil, PGlite (one connection: every store write is serialized) and the clients share its cores. Each approval re-reads the chain (Safe owners, threshold, timelock delay, the implementation code) and re-verifies the stored approvals of its patch, then appends its log entry.',
    'Each approver client also reads the patch after each approval, and the log head and a proof every fifth: the GET figures are under the same load.',
    `Connections reset by the server during the run (the request sent once more): ${resets}.`,
    'Jobs: two worker processes on one PostgreSQL database, each running one check at a time (a project already compiled into the shared state dir); pg-boss polls every second, so a lone job waits up to a second for a worker.',
  ],
);
console.log(renderLines(result).join('\n'));
