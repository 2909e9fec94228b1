/**
 * Many approvers at once through the API, on the live example (real Safe, timelock and proxy on anvil): 50 approvers
 * (the policy's approver set), each signed in, all at the same time on 20 patches — each approver approves two of
 * them (five approvers race on every patch), and posts one of its approvals twice at once. Every approval is recorded
 * exactly once — none lost to a race, none doubled by the re-post — and every patch reaches `approved`. The full
 * 50 × 20 run, with latencies per route, is `node bench/server.mjs` (docs/bench.md).
 */
import type { Hono } from 'hono';
import { type Hex, keccak256, type LocalAccount, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceDigest } from '../src/core/digest.js';
import { approvalTypedData } from '../src/govern/approval.js';
import { patchDigest } from '../src/govern/digest.js';
import { chainNow } from '../src/lifecycle/context.js';
import type { Lifecycle } from '../src/lifecycle/lifecycle.js';
import { LOG_ORIGIN } from '../src/lifecycle/log-sync.js';
import { createApp } from '../src/server/app.js';
import { openPglite } from '../src/store/db.js';
import { openLedger } from '../src/store/ledger-store.js';
import { openStore, type Store } from '../src/store/store.js';
import { type LiveExample, lifecycleOn, proposedFix, startLiveExample } from './helpers/live.js';
import { signInTo } from './helpers/siwe.js';

const SITE = { domain: 'review.example.org', chainId: 31337 };
const APPROVERS = 50;
const PATCHES = 20;
const approvers = Array.from(
  { length: APPROVERS },
  (_, i) => privateKeyToAccount(keccak256(toHex(`approver ${i}`))) as LocalAccount,
);
let live: LiveExample;
let store: Store;
let lc: Lifecycle;
let app: Hono;
const digests: Hex[] = [];
const tokens = new Map<string, string>();

beforeAll(async () => {
  live = await startLiveExample();
  store = await openStore(await openPglite('memory://'));
  const config = {
    ...live.config,
    policy: { ...live.config.policy, approvers: approvers.map((a) => a.address) },
  };
  lc = { ...(await lifecycleOn(live, store)), config };
  // One real proposal of the fix; 19 more of the same upgrade, each with one more evidence report (so its own digest).
  const first = await proposedFix(lc);
  digests.push(first);
  const patch = await store.get(first);
  if (!patch?.plan) throw new Error('the fix was proposed without a plan');
  const { record: fixRecord, plan } = patch;
  const reports = await store.evidence(first);
  for (let i = 1; i < PATCHES; i++) {
    const load = { note: `copy ${i}` };
    const record = { ...fixRecord, evidence: { ...fixRecord.evidence, load: evidenceDigest(load) } };
    const digest = patchDigest(record);
    await store.propose(record, { ...plan, salt: digest }, { ...reports, load });
    digests.push(digest);
  }
  const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
  app = createApp({ store, ledger, auth: SITE, lc });
  for (const a of approvers) tokens.set(a.address, await signInTo(app, a, SITE));
}, 300_000);
afterAll(async () => {
  await store?.close();
  await live?.anvil.stop();
});

/** The two patches approver `i` approves: five approvers on each patch. */
const mine = (i: number): Hex[] => [digests[i % PATCHES] as Hex, digests[(i + 7) % PATCHES] as Hex];

describe('50 approvers on 20 patches at once', () => {
  it('records every approval exactly once and approves every patch', async () => {
    const patch = await store.get(digests[0] as Hex);
    if (!patch) throw new Error('no patch');
    const expiry = (await chainNow(lc)) + 86_400n;
    const failures: string[] = [];
    const started = Date.now();
    await Promise.all(
      approvers.map(async (a, i) => {
        for (const digest of mine(i)) {
          const message = {
            digest,
            chainId: patch.record.chainId,
            proxy: patch.record.proxy,
            nonce: BigInt(i),
            expiry,
          };
          const signature = await a.signTypedData(approvalTypedData(message));
          const body = { ...message, nonce: String(message.nonce), expiry: String(expiry), signature };
          const post = () =>
            app.request(`/api/patches/${digest}/approvals`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${tokens.get(a.address)}`,
              },
              body: JSON.stringify(body),
            });
          // The first of its two patches it posts twice at once (a double click, a client retry).
          const answers = await Promise.all(digest === mine(i)[0] ? [post(), post()] : [post()]);
          for (const r of answers) {
            if (r.status !== 200) failures.push(`${a.address} ${digest}: ${r.status} ${await r.text()}`);
          }
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    expect(failures).toEqual([]);
    for (const digest of digests) {
      const want = approvers.filter((_, i) => mine(i).includes(digest)).map((a) => a.address.toLowerCase());
      const approvals = await store.approvals(digest);
      expect(approvals.map((x) => x.signer.toLowerCase()).sort(), digest).toEqual(want.sort());
      expect((await store.get(digest))?.state).toBe('approved');
    }
    console.log(
      `${APPROVERS * 2} approvals (+${APPROVERS} re-posts) through the API in ${seconds.toFixed(1)} s`,
    );
  }, 600_000);
});
