/** Community reviews of a patch as the store keeps them (one row per signature; the log holds them too). */
import type { Address, Hex } from 'viem';
import type { Db } from './db.js';

export interface StoredReview {
  digest: Hex;
  signer: Address;
  verdict: 'reviewed' | 'concern';
  text: string;
  signature: Hex;
  createdAt: string;
}

export async function reviewsOf(db: Pick<Db, 'query'>, digest: Hex): Promise<StoredReview[]> {
  const rows = await db.query<{
    digest: Hex;
    signer: Address;
    verdict: StoredReview['verdict'];
    text: string;
    signature: Hex;
    created_at: Date | string;
  }>('select * from reviews where digest = $1 order by created_at, signature', [digest]);
  return rows.map((r) => ({
    digest: r.digest,
    signer: r.signer,
    verdict: r.verdict,
    text: r.text,
    signature: r.signature,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/**
 * Records a review unless its signature is recorded already (a re-post changes nothing) or a limit is reached:
 * `perSigner` reviews by one address of one patch, `perPatch` in all. Counted and inserted in one transaction.
 */
export async function recordReview(
  db: Db,
  r: Omit<StoredReview, 'createdAt'>,
  limits: { perSigner: number; perPatch: number },
): Promise<{ review: StoredReview; added: boolean } | { limit: 'signer' | 'patch' }> {
  return db.transaction(async (tx) => {
    // One writer at a time per patch: the counts below and the insert agree.
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`patchgate:reviews:${r.digest}`]);
    const existing = await tx.query<{ created_at: Date | string }>(
      'select created_at from reviews where signature = $1',
      [r.signature],
    );
    if (existing[0]) {
      return { review: { ...r, createdAt: new Date(existing[0].created_at).toISOString() }, added: false };
    }
    const [counts] = await tx.query<{ mine: string; all: string }>(
      'select count(*) filter (where signer = $2)::text as mine, count(*)::text as all from reviews where digest = $1',
      [r.digest, r.signer],
    );
    if (Number(counts?.mine ?? 0) >= limits.perSigner) return { limit: 'signer' };
    if (Number(counts?.all ?? 0) >= limits.perPatch) return { limit: 'patch' };
    const [row] = await tx.query<{ created_at: Date | string }>(
      'insert into reviews (digest, signer, verdict, text, signature) values ($1, $2, $3, $4, $5) returning created_at',
      [r.digest, r.signer, r.verdict, r.text, r.signature],
    );
    return {
      review: { ...r, createdAt: new Date(row?.created_at ?? Date.now()).toISOString() },
      added: true,
    };
  });
}
