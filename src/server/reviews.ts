/**
 * Community reviews: anyone — no sign-in — posts an EIP-712 `Review` statement (`reviewed` or `concern`, with text)
 * for a patch; the signature is the reviewer. Each is verified here, kept in the store once per signature, and
 * appended to the transparency log, so the review a depositor read before execution cannot quietly vanish.
 * Limits keep the log's growth bounded: 3 reviews per address per patch, 500 per patch.
 */
import type { Context, Hono } from 'hono';
import type { Address, Hex } from 'viem';
import { blockedError, inputError } from '../core/errors.js';
import { reviewTypedData, verifyReview } from '../govern/review.js';
import { walletTypedData } from '../govern/typed-data.js';
import type { Ledger } from '../store/ledger-store.js';
import { recordReview, reviewsOf } from '../store/reviews.js';
import type { Store, StoredPatch } from '../store/store.js';
import { bigJson, hono, jsonBody, parse } from './request.js';
import { ROUTES, reviewBody } from './routes.js';

const REVIEW_LIMITS = { perSigner: 3, perPatch: 500 };

export function reviewRoutes(
  app: Hono,
  deps: {
    store: Store;
    ledger: Ledger;
    /** An embargoed patch is reviewed by its approvers only until it is revealed (its typed data names the proxy). */
    requireUnsealed: (c: Context, patch: StoredPatch) => Promise<void>;
  },
): void {
  const { store, ledger } = deps;

  const patchOf = async (c: Context, digest: Hex) => {
    const patch = await store.get(digest);
    if (!patch)
      throw inputError('unknown-patch', `no patch ${digest} in the store`, 'GET /api/patches lists them');
    await deps.requireUnsealed(c, patch);
    return patch;
  };

  app.get(hono(ROUTES.reviews.path), async (c) => {
    const digest = parse(ROUTES.reviews.params, c.req.param(), 'path').digest.toLowerCase() as Hex;
    const { record } = await patchOf(c, digest);
    return bigJson(c, {
      reviews: await reviewsOf(store.db, digest),
      // Wallet-ready, with its EIP712Domain type: a wallet that finds none signs another digest.
      typedData: walletTypedData(
        reviewTypedData({
          digest,
          chainId: record.chainId,
          proxy: record.proxy,
          verdict: 'reviewed',
          text: '',
        }),
      ),
    });
  });

  app.post(hono(ROUTES.review.path), async (c) => {
    const digest = parse(ROUTES.review.params, c.req.param(), 'path').digest.toLowerCase() as Hex;
    const body = parse(reviewBody, await jsonBody(c), 'body');
    const patch = await patchOf(c, digest);
    if (patch.embargo && !patch.embargo.revealedAt) {
      // A review is a public log entry: under embargo even an approver's text could say what the fix is.
      throw inputError(
        'patch-embargoed',
        `this patch is under embargo (commitment ${patch.embargo.commitment}): reviews are logged publicly, so they open at the reveal`,
        'review it after `patchgate reveal`; approvers discuss it privately until then',
      );
    }
    const { record } = patch;
    const statement = {
      digest,
      chainId: record.chainId,
      proxy: record.proxy,
      verdict: body.verdict,
      text: body.text,
    };
    const { signer, signature } = await verifyReview(
      statement,
      body.signature as Hex,
      body.signer as Address,
    );
    const r = await recordReview(
      store.db,
      { digest, signer, verdict: body.verdict, text: body.text, signature },
      REVIEW_LIMITS,
    );
    if ('limit' in r) {
      throw blockedError(
        'review-limit',
        r.limit === 'signer'
          ? `${signer} has posted ${REVIEW_LIMITS.perSigner} reviews of this patch`
          : `this patch has ${REVIEW_LIMITS.perPatch} reviews`,
        'say what is new in one review; the ones posted stay in the log',
      );
    }
    // Appended once per signature (the source), also when a crash came between the store and the log.
    const [appended] = await ledger.appendOnce([
      {
        source: `${digest}:review:${signature}`,
        entry: {
          kind: 'review',
          digest,
          at: r.review.createdAt,
          signer,
          verdict: body.verdict,
          text: body.text,
          signature,
        },
      },
    ]);
    return bigJson(c, {
      review: r.review,
      added: r.added,
      log: appended ? { index: appended.index, root: appended.root, size: appended.size } : null,
    });
  });
}
