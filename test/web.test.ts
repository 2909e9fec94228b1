/**
 * The web page in a real browser (Debian's Chromium driven by playwright-core; no browser is downloaded) against the
 * API in-process on the live example (real Safe 1.4.1, timelock and proxy on anvil): a test wallet injected as
 * `window.ethereum` (EIP-1193, backed by viem local accounts — owners 1 and 2) signs in with EIP-4361 and approves
 * from the page; the store says approved with 2 approvals, the page says 2/2; the patch is queued through the API and
 * the page's countdown ticks; a log entry's inclusion proof is verified in the page against the ledger's root; an
 * API error is shown with its message and hint; keyboard focus is visible; a 375 px phone renders without sideways
 * scrolling. Screenshots go to test/.artifacts/web/.
 */
import type { Browser, Page } from 'playwright-core';
import type { Hex, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../src/chain/clients.js';
import type { Lifecycle } from '../src/lifecycle/lifecycle.js';
import { LOG_ORIGIN } from '../src/lifecycle/log-sync.js';
import { createApp } from '../src/server/app.js';
import { openPglite } from '../src/store/db.js';
import { type Ledger, openLedger } from '../src/store/ledger-store.js';
import { openStore, type Store } from '../src/store/store.js';
import { type LiveExample, lifecycleOn, proposedFix, startLiveExample } from './helpers/live.js';
import { signInTo } from './helpers/siwe.js';
import {
  ARTIFACTS,
  browserWithWallet,
  buildPage,
  serveOnFreePort,
  waitForText as waitFor,
} from './helpers/web.js';

const account = (i: number) => localAccount(i) as LocalAccount;
const [deployer, owner1, owner2] = [account(0), account(1), account(2)];
const logKey = privateKeyToAccount(generatePrivateKey());

let live: LiveExample;
let store: Store;
let ledger: Ledger;
let lc: Lifecycle;
let digest: Hex;
let app: ReturnType<typeof createApp>;
let served: Awaited<ReturnType<typeof serveOnFreePort>>;
let base: string;
let browser: Browser;
let page: Page;
/** The account the injected wallet signs with; the test switches it as a user switches accounts. */
let walletAccount = owner1;

const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

beforeAll(async () => {
  // The page as the source is now (npm run build does the same): dist/web/, which serve sends at /.
  await buildPage();
  live = await startLiveExample();
  store = await openStore(await openPglite('memory://'));
  ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  lc = await lifecycleOn(live, store);
  digest = await proposedFix(lc);
  const auth = { domain: '', chainId: 31337 };
  app = createApp({ store, ledger, auth, lc, relayer: deployer, logSigner: logKey });
  // Sign-in is bound to where the page is served, as `serve` binds it.
  served = await serveOnFreePort(app, (host) => {
    auth.domain = host;
  });
  base = served.base;
  ({ browser, page } = await browserWithWallet(() => walletAccount));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await store?.close();
  await live?.anvil.stop();
});

const approvalCount = () => page.getByTestId('approval-count').textContent();

const waitForText = (testId: string, expected: string) => waitFor(page, testId, expected);

describe('the web page', () => {
  it('lists the proposed patch with its state, lane and approvals 0/2', async () => {
    await page.goto(`${base}/`);
    const row = page.getByRole('row', { name: /fix-flash-deposit/ });
    await expect.poll(() => row.textContent()).toContain('proposed');
    expect(await row.textContent()).toContain('standard');
    expect(await row.getByTestId('approvals').textContent()).toBe('0/2');
    await shot('patches');
  });

  it('shows the patch: state machine at proposed, findings, storage layout, simulation, no ETA yet', async () => {
    await page.getByRole('link', { name: 'fix-flash-deposit' }).click();
    await page.getByTestId('approval-count').waitFor();
    expect(await page.locator('[aria-current="step"]').textContent()).toContain('proposed');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('prove-violated');
    expect(text).toContain('src/VaultV1.sol:112');
    expect(text).toContain('VaultV2Core.maxFlashLoanBps: uint256');
    expect(text).toContain('flash-deposit: before the patch succeeded');
    expect(text).toContain('safe-schedule');
    expect(text).toContain('Not queued yet');
    // The assessment signed with the proposal: the depositors' $60 000 at risk, a critical theft.
    expect(await page.getByTestId('risk').textContent()).toMatch(
      /^critical \(Direct theft of any user funds\) — P1,\s+recommended lane emergency; \$60000\.00 at risk at\s+block \d+ \(this patch takes the standard lane\)$/,
    );
    expect(await approvalCount()).toBe('0/2 approvals');
    // Who is still missing: the Safe's three owners.
    expect(text).toContain(owner1.address);
    expect(text).toContain(owner2.address);
    // The source diff, checked by the server against the implementation on chain.
    await expect
      .poll(() => page.getByTestId('diff-verified').textContent())
      .toMatch(/^Verified: compiled here/);
    const diff = (await page.getByTestId('source-diff').textContent()) ?? '';
    expect(diff).toMatch(/^\+.*nonReentrant/m);
    expect(await page.locator('[data-testid="source-diff"] .diff-add').count()).toBeGreaterThan(0);
    // The finding at src/VaultV1.sol:112 shows its lines, from the verified sources.
    await expect
      .poll(() => page.locator('figure.excerpt pre').allTextContents())
      .toEqual(expect.arrayContaining([expect.stringMatching(/^112 > /m)]));
  });

  it('signs in with the wallet and shows an API error with its message and hint (a pasted bad approval)', async () => {
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    await expect.poll(() => page.getByTestId('signed-in').textContent()).toContain(owner1.address);
    await page.getByText('Paste a signed approval').click();
    await page.getByLabel(/Approval file/).fill(JSON.stringify({ digest }));
    await page.getByRole('button', { name: 'Submit approval' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('bad-request');
    expect(await alert.textContent()).toContain('the route and its parameters: GET /openapi.json');
    expect((await store.approvals(digest)).length).toBe(0);
    await shot('error');
  });

  it('two owners approve from their wallets: the store says approved, the page 2/2', async () => {
    await page.getByRole('button', { name: 'Approve with wallet' }).click();
    await waitForText('approve-result', `${owner1.address}: 1 of 2, the patch is proposed`);
    await expect.poll(approvalCount).toBe('1/2 approvals');

    await page.getByRole('button', { name: 'Sign out' }).click();
    walletAccount = owner2;
    await page.getByRole('button', { name: 'Connect wallet' }).click();
    await expect.poll(() => page.getByTestId('signed-in').textContent()).toContain(owner2.address);
    await page.getByRole('button', { name: 'Approve with wallet' }).click();
    await waitForText('approve-result', `${owner2.address}: 2 of 2, the patch is approved`);

    const stored = await store.get(digest);
    expect(stored?.state).toBe('approved');
    expect((await store.approvals(digest)).map((a) => a.signer).sort()).toEqual(
      [owner1.address, owner2.address].sort(),
    );
    expect((await store.safeSignatures(digest)).length).toBe(4);
    await page.reload();
    await expect.poll(approvalCount).toBe('2/2 approvals');
    expect(await page.locator('[aria-current="step"]').textContent()).toContain('approved');
    expect(await page.locator('main').textContent()).toContain('still to sign: 0x');
    await shot('approved');
  });

  it('queued through the API, the page shows the ETA and a countdown that ticks', async () => {
    const token = await signInTo(app, owner1, { domain: new URL(base).host, chainId: 31337 });
    const r = await app.request(`/api/patches/${digest}/queue`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const queued = (await r.json()) as { state: string; eta: string };
    expect(r.status, JSON.stringify(queued)).toBe(200);
    expect((await store.get(digest))?.state).toBe('queued');

    await page.reload();
    const countdown = page.getByTestId('countdown');
    await expect.poll(() => countdown.textContent()).toMatch(/^Executable in /);
    expect(await page.locator('main').textContent()).toContain(
      new Date(Number(queued.eta) * 1000).toISOString().slice(0, 16).replace('T', ' '),
    );
    const first = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);
    expect(await page.locator('[aria-current="step"]').textContent()).toContain('queued');
    await shot('queued');
  });

  it("verifies a log entry's inclusion proof in the page against the ledger's root, and refuses another root", async () => {
    const head = await ledger.head();
    const entries = await ledger.entries(0, head.size);
    const approval = entries.find((e) => e.entry.includes('"kind":"approval"'));
    expect(approval).toBeDefined();
    await page.goto(`${base}/#/log?index=${approval?.index}`);
    await expect.poll(() => page.getByTestId('log-size').textContent()).toBe(String(head.size));
    // The head is signed by the log key; the page checks the signature itself.
    await expect
      .poll(() => page.getByTestId('head-signature').textContent())
      .toContain(`✓ Signed by ${logKey.address}`);
    await page.getByRole('button', { name: 'Verify inclusion in this browser' }).click();
    const result = page.getByTestId('proof-result');
    await expect.poll(() => result.textContent()).toContain(`Verified against root ${head.root}`);
    await shot('log-proof');

    const other = `0x${'11'.repeat(32)}`;
    await page.getByLabel(/Root to verify against/).fill(other);
    await page.getByRole('button', { name: 'Verify inclusion in this browser' }).click();
    await expect
      .poll(() => result.textContent())
      .toContain(`Not verified: the proof leads to root ${head.root}, not to ${other}`);
  });

  it('shows keyboard focus: Tab reaches the skip button, then the navigation, each with a visible outline', async () => {
    // A fresh load (from another view, the page moves focus to the new view's content instead).
    await page.goto(`${base}/#/patch/${digest}`);
    await page.reload();
    await page.getByTestId('approval-count').waitFor();
    const focused = () =>
      page.evaluate(`(() => {
        const e = document.activeElement;
        const s = getComputedStyle(e);
        return { text: e.textContent, outline: s.outlineStyle, width: s.outlineWidth };
      })()`);
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ text: 'Skip to content', outline: 'solid', width: '3px' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: 'patchgate', outline: 'solid' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: 'Patches', outline: 'solid' });
    await shot('focus');
  });

  it('renders at 375 px (a phone) with nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    for (const path of ['/', `/#/patch/${digest}`, '/#/log']) {
      await page.goto(`${base}${path}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(375);
    }
    await page.goto(`${base}/#/patch/${digest}`);
    await page.getByTestId('approval-count').waitFor();
    await shot('phone-patch');
  });
});
