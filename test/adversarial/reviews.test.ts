/**
 * Community reviews on the API: anyone posts an EIP-712 Review statement (no sign-in), it is verified, stored once
 * per signature and appended to the transparency log. Every forgery is refused with 400 and leaves the store and
 * the log as they were; a flood is capped per reviewer.
 */
import type { Hono } from 'hono';
import type { Hex, LocalAccount } from 'viem';
import { hexToBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceDigest } from '../../src/core/digest.js';
import { approvalTypedData } from '../../src/govern/approval.js';
import { type PatchRecord, patchDigest } from '../../src/govern/digest.js';
import { reviewTypedData } from '../../src/govern/review.js';
import { SAMPLE_PLAN, SAMPLE_RECORD } from '../../src/govern/sample-record.fixture.js';
import { verifyInclusion } from '../../src/ledger/verify.js';
import { LOG_ORIGIN } from '../../src/lifecycle/log-sync.js';
import { createApp } from '../../src/server/app.js';
import { openPglite } from '../../src/store/db.js';
import { type Ledger, openLedger } from '../../src/store/ledger-store.js';
import { openStore, type Store } from '../../src/store/store.js';

const REPORTS = { check: { verdict: 'pass', findings: [] } };
const RECORD: PatchRecord = { ...SAMPLE_RECORD, evidence: { check: evidenceDigest(REPORTS.check) } };
const digest = patchDigest(RECORD);
const OTHER: PatchRecord = { ...RECORD, lane: 'emergency' };
const other = patchDigest(OTHER);
const alice = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
const mallory = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
let store: Store;
let ledger: Ledger;
let app: Hono;

beforeAll(async () => {
  store = await openStore(await openPglite('memory://'));
  await store.propose(RECORD, { ...SAMPLE_PLAN, salt: digest }, REPORTS);
  await store.propose(OTHER, { ...SAMPLE_PLAN, salt: other }, REPORTS);
  ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  app = createApp({ store, ledger, auth: { domain: 'review.example.org', chainId: RECORD.chainId } });
}, 120_000);
afterAll(() => store?.close());

const statement = (verdict: 'reviewed' | 'concern', text: string, d: Hex = digest) =>
  reviewTypedData({ digest: d, chainId: RECORD.chainId, proxy: RECORD.proxy, verdict, text });

async function post(body: unknown, d: Hex = digest) {
  const r = await app.request(`/api/patches/${d}/reviews`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: r.status,
    body: (await r.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

async function signed(who: LocalAccount, verdict: 'reviewed' | 'concern', text: string, d: Hex = digest) {
  return {
    signer: who.address,
    verdict,
    text,
    signature: await who.signTypedData(statement(verdict, text, d)),
  };
}

/** What must not change when a post is refused. */
async function snapshot() {
  return { reviews: (await store.db.query('select * from reviews')).length, log: (await ledger.head()).size };
}

describe('community reviews', () => {
  it('stores a signed review, appends it to the log and proves its inclusion', async () => {
    const review = await signed(alice, 'concern', 'The fee recipient can still be changed by the admin.');
    const r = await post(review);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ added: true, review: { signer: alice.address, verdict: 'concern' } });
    const { index, root, size } = r.body.log as { index: number; root: Hex; size: number };
    const [entry] = await ledger.entries(index, index + 1);
    expect(JSON.parse(entry?.entry as string)).toMatchObject({
      kind: 'review',
      signer: alice.address.toLowerCase(),
      digest,
    });
    const p = await ledger.inclusionProof(index, size);
    expect(verifyInclusion({ ...p, root: hexToBytes(root) })).toBe(true);
    const listed = await app.request(`/api/patches/${digest}/reviews`);
    const body = (await listed.json()) as { reviews: { text: string }[]; typedData: { primaryType: string } };
    expect(body.reviews.map((x) => x.text)).toEqual([review.text]);
    expect(body.typedData.primaryType).toBe('Review');
    // Wallet-ready: a wallet without the EIP712Domain type would sign another digest.
    expect((body.typedData as unknown as { types: Record<string, unknown> }).types).toHaveProperty(
      'EIP712Domain',
    );
  });

  it('a review posted again is not stored or logged twice', async () => {
    const review = await signed(alice, 'reviewed', 'Read the diff and the PoC replay.');
    expect((await post(review)).body.added).toBe(true);
    const before = await snapshot();
    const again = await post(review);
    expect(again.body).toMatchObject({ added: false, log: null });
    expect(await snapshot()).toEqual(before);
  });

  it("a captured review re-posted with its v byte in the other form (0/1 for 27/28) is the same review: not stored or logged twice, its signer's quota untouched", async () => {
    const carol = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
    const review = await signed(
      carol,
      'concern',
      'The timelock delay is shorter than the withdrawal window.',
    );
    expect((await post(review)).body.added).toBe(true);
    const before = await snapshot();
    const v = Number.parseInt(review.signature.slice(130), 16);
    const flipped = `${review.signature.slice(0, 130)}${(v >= 27 ? v - 27 : v + 27).toString(16).padStart(2, '0')}`;
    const again = await post({ ...review, signature: flipped });
    expect(again.body).toMatchObject({ added: false, log: null });
    expect(await snapshot()).toEqual(before);
    // A v that is neither form is no signature at all.
    const odd = await post({ ...review, signature: `${review.signature.slice(0, 130)}25` });
    expect([odd.status, odd.body.error?.code]).toEqual([400, 'review-signature-invalid']);
  });

  it('refuses a review that names alice but is signed by mallory (400 review-signature-invalid), nothing stored', async () => {
    const before = await snapshot();
    const forged = { ...(await signed(mallory, 'reviewed', 'All good, ship it.')), signer: alice.address };
    const r = await post(forged);
    expect([r.status, r.body.error?.code]).toEqual([400, 'review-signature-invalid']);
    expect(r.body.error?.message).toContain(mallory.address);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses alice's review of another patch replayed onto this one, and her text altered", async () => {
    const before = await snapshot();
    const elsewhere = await signed(alice, 'reviewed', 'Fine.', other);
    expect((await post(elsewhere)).body.error?.code).toBe('review-signature-invalid');
    const altered = {
      ...(await signed(alice, 'concern', 'Do not ship.')),
      verdict: 'reviewed',
      text: 'Ship it.',
    };
    expect((await post(altered)).body.error?.code).toBe('review-signature-invalid');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an approval signature posted as a review, and a malleable (high-s) signature', async () => {
    const before = await snapshot();
    const approval = await alice.signTypedData(
      approvalTypedData({
        digest,
        chainId: RECORD.chainId,
        proxy: RECORD.proxy,
        nonce: 1n,
        expiry: 2n ** 40n,
      }),
    );
    const asReview = await post({
      signer: alice.address,
      verdict: 'reviewed',
      text: '',
      signature: approval,
    });
    expect(asReview.body.error?.code).toBe('review-signature-invalid');
    const good = await signed(alice, 'reviewed', 'high s');
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${good.signature.slice(66, 130)}`);
    const v = Number.parseInt(good.signature.slice(130), 16) === 27 ? '1c' : '1b';
    const flipped = `${good.signature.slice(0, 66)}${(n - s).toString(16).padStart(64, '0')}${v}`;
    const r = await post({ ...good, signature: flipped });
    expect([r.status, r.body.error?.code]).toEqual([400, 'review-signature-invalid']);
    expect(r.body.error?.message).toContain('malleable');
    expect(await snapshot()).toEqual(before);
  });

  it('caps a flood: a fourth review by one address is 409 review-limit and not logged', async () => {
    const flooder = privateKeyToAccount(generatePrivateKey()) as LocalAccount;
    for (let i = 0; i < 3; i++)
      expect((await post(await signed(flooder, 'concern', `spam ${i}`))).status).toBe(200);
    const before = await snapshot();
    const r = await post(await signed(flooder, 'concern', 'spam 3'));
    expect([r.status, r.body.error?.code]).toEqual([409, 'review-limit']);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a review of an unknown patch (404), an oversized text and an oversized body (400)', async () => {
    const before = await snapshot();
    const unknown = `0x${'12'.repeat(32)}` as Hex;
    expect((await post(await signed(alice, 'reviewed', 'x', unknown), unknown)).status).toBe(404);
    const long = await post(await signed(alice, 'reviewed', 'x'.repeat(2001)));
    expect([long.status, long.body.error?.code]).toEqual([400, 'bad-request']);
    const huge = await post(JSON.stringify({ text: 'x'.repeat(100_000) }));
    expect([huge.status, huge.body.error?.message]).toEqual([400, 'the body is over 64 KiB']);
    expect(await snapshot()).toEqual(before);
  });
});
