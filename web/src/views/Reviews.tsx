/**
 * Community reviews (`/api/patches/{digest}/reviews`): anyone reads them, anyone with an injected wallet signs one
 * — an EIP-712 `Review` (reviewed or concern, with text) bound to this patch, chain and proxy — and posts it; no
 * sign-in, the signature is the reviewer. Each listed review's signature is checked again here. The text is shown
 * as text, never as HTML.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import {
  api,
  type CommunityReview,
  type Hex,
  type ReviewList,
  type ReviewPosted,
  type ReviewVerdict,
  type WalletTypedData,
} from '../api';
import { Working, when } from '../ui';
import { connect, reviewSignedBySigner, reviewToSign, signTypedData } from '../wallet';

const MAX_REVIEW_TEXT = 2000;

function ReviewItem({ review, template }: { review: CommunityReview; template: WalletTypedData }) {
  const [checked, setChecked] = useState<boolean>();
  useEffect(() => {
    let live = true;
    reviewSignedBySigner(template, review).then((ok) => live && setChecked(ok));
    return () => {
      live = false;
    };
  }, [template, review]);
  return (
    <li className={`review review-${review.verdict}`} data-testid="review">
      <p>
        <span className={`verdict-badge verdict-${review.verdict}`}>{review.verdict}</span> by{' '}
        <code className="wrap" data-testid="review-signer">
          {review.signer}
        </code>{' '}
        <span className="muted">
          <time dateTime={review.createdAt}>{when(review.createdAt)}</time>
        </span>{' '}
        {checked === undefined ? null : checked ? (
          <span className="proof-ok">✓ signature checked here</span>
        ) : (
          <strong className="proof-bad">✗ the signature is not this signer's</strong>
        )}
      </p>
      {review.text !== '' && (
        <p className="review-text" data-testid="review-text">
          {review.text}
        </p>
      )}
    </li>
  );
}

function ReviewForm({
  patch,
  onPosted,
}: {
  patch: { digest: Hex; chainId: number; proxy: Hex };
  onPosted: () => void;
}) {
  const [verdict, setVerdict] = useState<ReviewVerdict>('reviewed');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [posted, setPosted] = useState<ReviewPosted>();
  const textId = useId();
  const countId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setPosted(undefined);
    try {
      setBusy('Connecting the wallet…');
      const address = await connect();
      // The template fresh from the server, checked to be a Review of this patch before the wallet sees it.
      const { typedData } = await api<ReviewList>(`/api/patches/${patch.digest}/reviews`);
      const data = reviewToSign(typedData, patch, verdict, text);
      setBusy('Sign the review in your wallet…');
      const signature = await signTypedData(address, data);
      setBusy('Posting the review…');
      const r = await api<ReviewPosted>(`/api/patches/${patch.digest}/reviews`, {
        method: 'POST',
        body: { signer: address, verdict, text, signature },
      });
      setPosted(r);
      setText('');
      onPosted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <form onSubmit={submit} className="review-form">
      <h3>Write a review</h3>
      <fieldset>
        <legend>Your verdict</legend>
        {(['reviewed', 'concern'] as const).map((v) => (
          <label key={v} className="inline">
            <input
              type="radio"
              name="verdict"
              value={v}
              checked={verdict === v}
              onChange={() => setVerdict(v)}
            />{' '}
            {v === 'reviewed' ? 'reviewed: I read it and found it sound' : 'concern: see my text'}
          </label>
        ))}
      </fieldset>
      <label htmlFor={textId}>What you found (at most {MAX_REVIEW_TEXT} characters)</label>
      <textarea
        id={textId}
        rows={5}
        maxLength={MAX_REVIEW_TEXT}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-describedby={countId}
      />
      <p id={countId} className="muted" data-testid="review-count">
        {text.length} / {MAX_REVIEW_TEXT} characters
      </p>
      <p>
        <button type="submit" disabled={!!busy}>
          Sign and post review
        </button>{' '}
        <span className="muted">
          Your wallet signs an EIP-712 Review of this patch on chain {patch.chainId}; no sign-in. It is kept
          in the public log with your address.
        </span>
      </p>
      <Working busy={busy} error={error} />
      {posted && (
        <p className="ok" role="status" data-testid="review-posted">
          {posted.added ? 'Review posted' : 'This review was posted before'} by {posted.review.signer}
          {posted.log ? (
            <>
              {' '}
              — <a href={`#/log?index=${posted.log.index}`}>log entry {posted.log.index}</a>
            </>
          ) : (
            ' (the log already holds it)'
          )}
          .
        </p>
      )}
    </form>
  );
}

export function Reviews({
  patch,
  list,
  onPosted,
}: {
  patch: { digest: Hex; chainId: number; proxy: Hex };
  list: ReviewList;
  onPosted: () => void;
}) {
  return (
    <>
      <p className="muted">
        Signed statements by anyone with an Ethereum account. A review weighs what its address weighs to you:
        the page shows who signed, not a tally.
      </p>
      {list.reviews.length === 0 ? (
        <p>No community review yet.</p>
      ) : (
        <ul className="reviews">
          {list.reviews.map((r) => (
            <ReviewItem key={r.signature} review={r} template={list.typedData} />
          ))}
        </ul>
      )}
      <ReviewForm patch={patch} onPosted={onPosted} />
    </>
  );
}
