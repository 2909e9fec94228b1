/**
 * The store against both backends it supports: embedded PGlite and a real PostgreSQL (127.0.0.1:5432,
 * database `test`, a fresh schema per run). Same SQL, same behaviour.
 */
import { type Hex, keccak256, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../chain/clients.js';
import { evidenceDigest } from '../core/digest.js';
import { errorOf } from '../core/errors.fixture.js';
import { canTransition, PATCH_STATES } from '../core/patch-states.js';
import { signApproval } from '../govern/approval.js';
import { type PatchRecord, patchDigest } from '../govern/digest.js';
import { SAMPLE_PLAN, SAMPLE_RECORD } from '../govern/sample-record.fixture.js';
import { BACKENDS } from './backends.fixture.js';
import { type Db, openPostgres } from './db.js';
import { openStore, type Store } from './store.js';

const record: PatchRecord = SAMPLE_RECORD;

describe.each(BACKENDS)('store on %s', (_name, open) => {
  let store: Store;
  let db: Db;
  let cleanup: () => Promise<void>;
  const digest = patchDigest(record);

  beforeAll(async () => {
    const opened = await open();
    cleanup = opened.cleanup;
    db = opened.db;
    store = await openStore(opened.db);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('records a patch under its digest, idempotently', async () => {
    const first = await store.propose(record);
    const again = await store.propose(record);
    expect(first).toEqual({ digest, record, state: 'proposed' });
    expect(again.digest).toBe(digest);
    expect(await store.history(digest)).toEqual([
      { from: null, to: 'proposed', txHash: null, at: expect.stringMatching(/^\d{4}-.*Z$/) },
    ]);
  });

  it('keeps one approval per signer', async () => {
    const a = await signApproval(localAccount(1), {
      digest,
      chainId: record.chainId,
      proxy: record.proxy,
      nonce: 0n,
      expiry: 9_999_999_999n,
    });
    await store.addApproval(digest, localAccount(1).address, a);
    await store.addApproval(digest, localAccount(1).address, a);
    const stored = await store.approvals(digest);
    expect(stored).toEqual([{ ...a, signer: localAccount(1).address, createdAt: expect.any(String) }]);
  });

  it('moves state by compare-and-set: a repeated or concurrent transition applies once', async () => {
    const results = await Promise.all([
      store.transition(digest, 'proposed', 'approved'),
      store.transition(digest, 'proposed', 'approved'),
      store.transition(digest, 'proposed', 'approved'),
    ]);
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(results.every((r) => r.state === 'approved')).toBe(true);
    const tx = `0x${'ab'.repeat(32)}` as Hex;
    expect(await store.transition(digest, 'approved', 'queued', tx)).toEqual({
      applied: true,
      state: 'queued',
    });
    expect((await store.history(digest)).map((h) => [h.from, h.to, h.txHash])).toEqual([
      [null, 'proposed', null],
      ['proposed', 'approved', null],
      ['approved', 'queued', tx],
    ]);
  });

  it('refuses an impossible transition', async () => {
    const e = await errorOf(store.transition(digest, 'queued', 'proposed'));
    expect([e.code, e.exitCode]).toEqual(['bad-transition', 2]);
  });

  it('allows exactly the moves of PATCH_TRANSITIONS, and its database holds only PATCH_STATES', async () => {
    // The patch is `queued` now: an allowed move from another state reaches the compare-and-set and finds
    // `queued` (not applied); a move outside the table is refused before the database is asked.
    for (const from of PATCH_STATES) {
      for (const to of PATCH_STATES) {
        if (canTransition(from, to)) {
          if (from === 'queued') continue;
          expect(await store.transition(digest, from, to), `${from} → ${to}`).toEqual({
            applied: false,
            state: 'queued',
          });
        } else {
          const e = await errorOf(store.transition(digest, from, to));
          expect(e.code, `${from} → ${to}`).toBe('bad-transition');
        }
      }
    }
    expect((await store.get(digest))?.state).toBe('queued');
    await expect(db.query(`update patches set state = 'paused' where digest = $1`, [digest])).rejects.toThrow(
      /check constraint/,
    );
  });

  it('keeps evidence reports checked against the hashes the digest covers', async () => {
    const reports = { check: { verdict: 'pass', n: 1 }, simulate: { verdict: 'pass', n: 2 } };
    const withReports: PatchRecord = {
      ...record,
      lane: 'emergency',
      evidence: { check: evidenceDigest(reports.check), simulate: evidenceDigest(reports.simulate) },
    };
    const plan = { ...SAMPLE_PLAN, salt: patchDigest(withReports) };
    const stored = await store.propose(withReports, plan, reports);
    expect(stored.plan).toEqual(plan);
    expect(await store.evidence(stored.digest)).toEqual(reports);
    const e = await errorOf(
      store.propose({ ...withReports, lane: 'standard' }, plan, { check: { forged: true } }),
    );
    expect(e.code).toBe('evidence-mismatch');
    await store.db.query(`update evidence set body = $2 where digest = $1 and stage = 'simulate'`, [
      stored.digest,
      JSON.stringify({ verdict: 'fail', n: 2 }),
    ]);
    expect((await errorOf(store.evidence(stored.digest))).code).toBe('store-evidence-mismatch');
  });

  it('records an approval, its Safe signatures and the threshold transition in one transaction', async () => {
    const other: PatchRecord = { ...record, calldata: '0x9623609e' };
    const d = (await store.propose(other)).digest;
    const sig = (owner: number, purpose: 'schedule' | 'execute', nonce: bigint) => ({
      purpose,
      safeNonce: nonce,
      owner: localAccount(owner).address,
      safeTxHash: keccak256(toHex(`${purpose}${nonce}`)),
      signature: `0x${'11'.repeat(65)}` as Hex,
    });
    const a = await signApproval(localAccount(2), {
      digest: d,
      chainId: other.chainId,
      proxy: other.proxy,
      nonce: 3n,
      expiry: 9_999_999_999n,
    });
    const first = await store.recordApproval(d, {
      signer: localAccount(2).address,
      approval: a,
      safeSignatures: [sig(2, 'schedule', 4n), sig(2, 'execute', 5n)],
      reachesThreshold: false,
    });
    expect(first.state).toBe('proposed');
    // The same signatures again (a re-run) change nothing; reaching the threshold moves the state once.
    const second = await store.recordApproval(d, {
      signer: localAccount(2).address,
      safeSignatures: [sig(2, 'schedule', 4n)],
      reachesThreshold: true,
    });
    expect(second.state).toBe('approved');
    expect(await store.approvals(d)).toHaveLength(1);
    expect((await store.safeSignatures(d)).map((s) => [s.purpose, s.safeNonce])).toEqual([
      ['execute', 5n],
      ['schedule', 4n],
    ]);
    expect((await store.safeSignatures(d, 'schedule')).map((s) => s.owner)).toEqual([
      localAccount(2).address,
    ]);
    expect((await store.history(d)).map((h) => h.to)).toEqual(['proposed', 'approved']);
  });

  it('two sign-offs committed at once: the second counts the first and moves the patch to approved, once', async () => {
    const other: PatchRecord = { ...record, calldata: '0x5c60da1b' };
    const d = (await store.propose(other)).digest;
    const signOff = async (owner: number, delayMs: number) => {
      const approval = await signApproval(localAccount(owner), {
        digest: d,
        chainId: other.chainId,
        proxy: other.proxy,
        nonce: 1n,
        expiry: 9_999_999_999n,
      });
      return store.recordApproval(d, {
        signer: localAccount(owner).address,
        approval,
        safeSignatures: [],
        // As each approver counted before its transaction: only itself, 1 of 2.
        reachesThreshold: false,
        tally: async (committed) => {
          await new Promise((r) => setTimeout(r, delayMs)); // the first holds its transaction open
          return { met: committed.length >= 2, count: committed.length };
        },
      });
    };
    const first = signOff(1, 300);
    await new Promise((r) => setTimeout(r, 50));
    const results = await Promise.all([first, signOff(2, 0)]);
    expect(results.map((r) => [r.state, r.tally?.count]).sort()).toEqual([
      ['approved', 2],
      ['proposed', 1],
    ]);
    expect(await store.approvals(d)).toHaveLength(2);
    expect((await store.history(d)).map((h) => h.to)).toEqual(['proposed', 'approved']);
  });

  it('keeps signed transactions in flight by step, before they are broadcast', async () => {
    const tx = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
    await store.addPendingTx(digest, 'queue', tx(1), '0x02f8');
    await store.addPendingTx(digest, 'queue', tx(1), '0x02f8');
    await store.addPendingTx(digest, 'execute', tx(2), '0x02f9');
    expect(await store.pendingTxs(digest, 'queue')).toEqual([{ txHash: tx(1), raw: '0x02f8' }]);
    expect(await store.pendingTxs(digest, 'cancel')).toEqual([]);
  });

  it('keeps an embargoed patch with its commitment and bundle in one transaction, and marks its reveal once', async () => {
    const sealed: PatchRecord = { ...record, evidence: { check: evidenceDigest({ embargoed: true }) } };
    const sealedDigest = patchDigest(sealed);
    const bundle = JSON.stringify({ salt: toHex(1n, { size: 32 }), digest: sealedDigest });
    const commitment = evidenceDigest(JSON.parse(bundle));
    const stored = await store.propose(
      sealed,
      undefined,
      { check: { embargoed: true } },
      { commitment, bundle },
    );
    expect(stored.embargo).toEqual({ commitment });
    expect(await store.embargo(sealedDigest)).toEqual({ commitment, bundle });
    expect((await store.list()).find((p) => p.digest === sealedDigest)?.embargo).toEqual({ commitment });
    const first = await store.markRevealed(sealedDigest);
    const again = await store.markRevealed(sealedDigest);
    expect(first.revealedAt).toMatch(/^\d{4}-.*Z$/);
    expect(again.revealedAt).toBe(first.revealedAt);
    expect((await store.get(sealedDigest))?.embargo).toEqual({ commitment, revealedAt: first.revealedAt });
    // A patch already recorded in the open cannot be embargoed after the fact: it was logged publicly.
    const late = await errorOf(
      store.propose(record, undefined, {}, { commitment: keccak256('0x01'), bundle }),
    );
    expect([late.code, late.exitCode]).toEqual(['embargo-too-late', 2]);
    expect(await store.embargo(digest)).toBeUndefined();
    expect((await errorOf(store.markRevealed(digest))).code).toBe('not-embargoed');
  });

  it('refuses a patch whose evidence was edited in the store after approval', async () => {
    await store.db.query(`update patches set evidence = $2 where digest = $1`, [
      digest,
      JSON.stringify({ ...record.evidence, check: keccak256(toHex('edited')) }),
    ]);
    const e = await errorOf(store.get(digest));
    expect(e.code).toBe('store-digest-mismatch');
    expect(e.shortMessage).toContain(digest);
  });
});

describe('database URL', () => {
  it('rejects a malformed --database-url with exit 2, without echoing a password', async () => {
    const e = await errorOf(openPostgres('mysql://root:hunter2@db/x'));
    expect([e.code, e.exitCode]).toEqual(['bad-database-url', 2]);
    expect(e.shortMessage).not.toContain('hunter2');
  });

  it('fails with exit 3, naming the (redacted) URL, when PostgreSQL does not answer', async () => {
    const e = await errorOf(openPostgres('postgres://app:hunter2@127.0.0.1:1/patchgate'));
    expect([e.code, e.exitCode]).toEqual(['database-unreachable', 3]);
    expect(e.shortMessage).toContain('postgres://app:***@127.0.0.1:1/patchgate');
    expect(e.shortMessage).not.toContain('hunter2');
  });
});
