/**
 * The public review page, jobs, and queue/execute from the page, in Debian's Chromium (playwright-core) against the
 * API in-process on one live example (real Safe, timelock and proxy on anvil) with a job worker in this process:
 * - read without signing in, the review page verifies every log entry of the patch in the browser;
 * - a community reviewer (an account that is nobody on the chain) posts a `concern` with its injected wallet: it is
 *   listed with the signer's whole address, the store holds it, the log has its `review` entry; its text is shown as
 *   text (markup in it makes no element); over the limit, `review-limit` is shown with its hint;
 * - a proposer runs a check from the patch page: its progress streams (SSE) to `done` and the stored verdict shows;
 * - an executor queues from the page; an execute before the ETA shows `not-ready` with its hint;
 * - the server's `policy` and `operation` (serve --rpc) are used when the API states them.
 * Screenshots go to test/.artifacts/web/.
 */
import type { Browser, Page } from 'playwright-core';
import type { Hex, LocalAccount } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../src/chain/clients.js';
import { reviewTypedData } from '../src/govern/review.js';
import { type JobQueue, openQueue } from '../src/jobs/queue.js';
import { startWorker } from '../src/jobs/worker.js';
import { approve } from '../src/lifecycle/approve.js';
import type { Lifecycle } from '../src/lifecycle/lifecycle.js';
import { LOG_ORIGIN } from '../src/lifecycle/log-sync.js';
import { createApp } from '../src/server/app.js';
import { openPglite } from '../src/store/db.js';
import { jobEvidence } from '../src/store/jobs.js';
import { type Ledger, openLedger } from '../src/store/ledger-store.js';
import { openStore, type Store } from '../src/store/store.js';
import { type LiveExample, lifecycleOn, proposedFix, startLiveExample } from './helpers/live.js';
import { ARTIFACTS, browserWithWallet, buildPage, serveOnFreePort, waitForText } from './helpers/web.js';

const account = (i: number) => localAccount(i) as LocalAccount;
const [deployer, owner1, owner2, reviewer] = [account(0), account(1), account(2), account(7)];

let live: LiveExample;
let store: Store;
let ledger: Ledger;
let lc: Lifecycle;
let queue: JobQueue;
let stopWorker: () => Promise<void>;
let digest: Hex;
let served: Awaited<ReturnType<typeof serveOnFreePort>>;
let base: string;
let browser: Browser;
let page: Page;
let walletAccount = reviewer;

const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

beforeAll(async () => {
  await buildPage();
  live = await startLiveExample();
  store = await openStore(await openPglite('memory://'));
  ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  lc = await lifecycleOn(live, store);
  digest = await proposedFix(lc);
  queue = await openQueue(store.db, { jobTimeout: 120 });
  const worker = await startWorker(
    queue,
    {
      config: live.config,
      projectDir: live.config.project,
      stateDir: live.stateDir,
      store,
      chain: { clients: live.clients, rpcUrl: live.anvil.rpcUrl },
    },
    { name: 'page-test-worker', pollSeconds: 0.5 },
  );
  stopWorker = worker.stop;
  const auth = { domain: '', chainId: 31337 };
  const app = createApp({ store, ledger, auth, lc, relayer: deployer, queue });
  served = await serveOnFreePort(app, (host) => {
    auth.domain = host;
  });
  base = served.base;
  ({ browser, page } = await browserWithWallet(() => walletAccount));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await stopWorker?.();
  await queue?.stop();
  await store?.close();
  await live?.anvil.stop();
});

/** The log's entries about the patch, parsed, with their index. */
type Entry = { index: number; kind?: string; digest?: string; signer?: string };
async function patchLog(): Promise<Entry[]> {
  const head = await ledger.head();
  return (await ledger.entries(0, head.size))
    .map((e) => ({ ...(JSON.parse(e.entry) as Omit<Entry, 'index'>), index: e.index }))
    .filter((e) => e.digest === digest);
}

const MARKUP = '<img src=x onerror="window.__injected=1"><b>bold?</b>';
const CONCERN = `The fee recipient can still be changed by the admin.\n${MARKUP}`;

describe('the public review page', () => {
  it('is read without signing in: the evidence in brief, no ETA yet, every log entry verified in this browser', async () => {
    await page.goto(`${base}/#/patch/${digest}`);
    await page.getByRole('link', { name: 'The public review page' }).click();
    const entries = await patchLog();
    expect(entries.length).toBeGreaterThan(0);
    await waitForText(
      page,
      'proofs-summary',
      `${entries.length} of ${entries.length} entries verified in this browser`,
    );
    expect(await page.getByTestId('log-entry').count()).toBe(entries.length);
    const text = (await page.locator('main').textContent()) ?? '';
    const check = (await store.evidence(digest)).check as { verdict: string };
    expect(await page.getByTestId('summary-check').textContent()).toContain(`Check: ${check.verdict}`);
    expect(text).toContain('flash-deposit');
    expect(text).toContain('Not queued yet');
    expect(text).toContain('No community review yet.');
    expect(await page.getByTestId('signed-in').count()).toBe(0);
    await shot('review-page');
  });

  it('a reviewer signs a concern with an injected wallet: listed with its address, stored, logged; its text stays text', async () => {
    await page.getByRole('radio', { name: /concern/ }).check();
    await page.getByLabel(/What you found/).fill(CONCERN);
    expect(await page.getByTestId('review-count').textContent()).toBe(`${CONCERN.length} / 2000 characters`);
    await page.getByRole('button', { name: 'Sign and post review' }).click();
    await waitForText(page, 'review-posted', `Review posted by ${reviewer.address}`);

    const rows = await store.db.query<{ signer: string; verdict: string; text: string }>(
      'select * from reviews',
    );
    expect(rows.map((r) => [r.signer, r.verdict, r.text])).toEqual([[reviewer.address, 'concern', CONCERN]]);
    const logged = (await patchLog()).filter((e) => e.kind === 'review');
    // The log's canonical JSON writes hex in lower case.
    expect(logged).toMatchObject([
      { kind: 'review', signer: reviewer.address.toLowerCase(), verdict: 'concern', text: CONCERN },
    ]);
    const link = page.getByRole('link', { name: `log entry ${logged[0]?.index}` });
    expect(await link.getAttribute('href')).toBe(`#/log?index=${logged[0]?.index}`);

    const item = page.getByTestId('review');
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getByTestId('review-signer').textContent()).toBe(reviewer.address);
    expect(await item.textContent()).toContain('concern');
    await expect.poll(() => item.textContent()).toContain('✓ signature checked here');
    // The markup is the review's text, shown as written: it made no element and ran nothing.
    expect(await item.getByTestId('review-text').textContent()).toBe(CONCERN);
    expect(await item.locator('img, b').count()).toBe(0);
    expect(await page.evaluate('window.__injected')).toBeUndefined();
    // The new entry is verified with the rest.
    const n = (await patchLog()).length;
    await waitForText(page, 'proofs-summary', `${n} of ${n} entries verified`);
    await shot('review-posted');
  });

  it('over the limit, the page shows review-limit with its hint and nothing more is stored', async () => {
    for (const text of ['second', 'third']) {
      const data = reviewTypedData({
        digest,
        chainId: 31337,
        proxy: (await store.get(digest))?.record.proxy as Hex,
        verdict: 'reviewed',
        text,
      });
      const r = await fetch(`${base}/api/patches/${digest}/reviews`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          signer: reviewer.address,
          verdict: 'reviewed',
          text,
          signature: await reviewer.signTypedData(data),
        }),
      });
      expect(r.status).toBe(200);
    }
    await page.getByLabel(/What you found/).fill('a fourth');
    await page.getByRole('button', { name: 'Sign and post review' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('review-limit');
    expect(await alert.textContent()).toContain('say what is new in one review');
    expect((await store.db.query('select * from reviews')).length).toBe(3);
  });
});

describe('acting from the patch page', () => {
  it('a proposer runs a check: its progress streams to done and the stored verdict shows', async () => {
    walletAccount = owner1;
    await page.goto(`${base}/#/patch/${digest}`);
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    await expect.poll(() => page.getByTestId('signed-in').textContent()).toContain(owner1.address);
    await page.getByRole('button', { name: 'Run check' }).click();
    await waitForText(page, 'job-result', 'Job completed: verdict pass', 120_000);
    const job = page.getByTestId('job');
    const shown = (await job.textContent()) ?? '';
    expect(shown).toMatch(/started: check started on page-test-worker/);
    expect(shown).toMatch(/stored: pass: report 0x[0-9a-f]{8}… stored/);
    const id = /\(job ([0-9a-f-]{36})\)/.exec(shown)?.[1] as string;
    const stored = await jobEvidence(store.db, id);
    expect(stored).toMatchObject({ kind: 'check', verdict: 'pass', worker: 'page-test-worker' });
    expect(shown).toContain(`stored by page-test-worker`);
    await shot('job-check');
  }, 150_000);

  it('an executor queues the approved patch; an execute before the ETA shows not-ready with its hint', async () => {
    for (const signer of [owner1, owner2]) await approve(lc, { digest, signer });
    await page.reload();
    await page.getByRole('button', { name: 'Queue' }).click();
    await waitForText(page, 'step-result', 'Queued: the patch is queued');
    expect((await store.get(digest))?.state).toBe('queued');
    await expect.poll(() => page.getByTestId('countdown').textContent()).toMatch(/^Executable in /);
    await page.getByRole('button', { name: 'Execute' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('not-ready');
    expect(await alert.textContent()).toContain('--warp moves its clock there');
    expect((await store.get(digest))?.state).toBe('queued');
    await shot('queued-not-ready');
  });

  it("uses the server's policy and the timelock's ETA when the API states them (serve --rpc)", async () => {
    const eta = Math.floor(Date.now() / 1000) + 3 * 3600;
    await page.route(`${base}/api/patches/${digest}`, async (route) => {
      const r = await route.fetch();
      const body = (await r.json()) as Record<string, unknown>;
      const policy = { threshold: 3, approvers: [owner1, owner2, deployer].map((a) => a.address) };
      await route.fulfill({
        response: r,
        json: {
          ...body,
          policy: { ...policy, missing: [deployer.address] },
          operation: { id: `0x${'ab'.repeat(32)}`, eta: String(eta) },
        },
      });
    });
    await page.reload();
    await expect.poll(() => page.getByTestId('approval-count').textContent()).toBe('2/3 approvals');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(
      `Approvers (the lane's policy, read by the server): 3; still to sign: ${deployer.address}`,
    );
    expect(text).toContain("the timelock's, read from the chain");
    await expect
      .poll(() => page.getByTestId('countdown').textContent())
      .toMatch(/^Executable in 0?2 h 59 min/);
    await page.unroute(`${base}/api/patches/${digest}`);
  });

  it('the review page fits a 375 px phone', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${base}/#/review/${digest}`);
    await page.getByTestId('review').first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await shot('phone-review');
  });
});
