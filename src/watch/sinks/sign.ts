/**
 * Signing a webhook body, and the check a receiver runs on it.
 *
 * `X-Patchgate-Timestamp: <unix seconds>` and `X-Patchgate-Signature: sha256=<hex HMAC-SHA256(secret, timestamp +
 * "." + body)>`. The timestamp is inside the MAC because of replay: a body signed once stays validly signed forever,
 * so anyone who saw one delivery (a proxy log, a leaked request dump) could send it again — an old "vault drained"
 * alert re-sent to page people, or to trigger a receiver's automation a second time. With the time signed, a
 * receiver refuses anything older than a few minutes (`maxAgeSeconds`), and the timestamp cannot be refreshed
 * without the secret. Within that window a receiver dedups on the body's log index and leaf hash (deliveries are
 * at-least-once anyway).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const TIMESTAMP_HEADER = 'X-Patchgate-Timestamp';
const SIGNATURE_HEADER = 'X-Patchgate-Signature';

const hmac = (secret: string, timestamp: string, body: string | Uint8Array): Buffer =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();

/** The two headers for `body` sent at `timestampSeconds`. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): Record<string, string> {
  const timestamp = String(Math.floor(timestampSeconds));
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: `sha256=${hmac(secret, timestamp, body).toString('hex')}`,
  };
}

export type WebhookVerdict =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing-headers' | 'bad-signature' | 'stale' };

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? undefined : value; // a header sent twice is not a signature
}

/**
 * For receivers: is this request a patchgate delivery signed with `secret`, sent within `maxAgeSeconds` of now
 * (either way: a clock ahead is as suspect as one behind)? `body` is the raw request body, byte for byte.
 *
 * @example
 * ```ts
 * const verdict = verifyWebhook(process.env.PATCHGATE_WEBHOOK_SECRET, req.headers, rawBody, { maxAgeSeconds: 300 });
 * if (!verdict.ok) return res.writeHead(401).end(verdict.reason);
 * ```
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderBag,
  body: string | Uint8Array,
  opts: { maxAgeSeconds: number; nowSeconds?: number },
): WebhookVerdict {
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signature = /^sha256=([0-9a-f]{64})$/.exec(header(headers, SIGNATURE_HEADER) ?? '')?.[1];
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature)
    return { ok: false, reason: 'missing-headers' };
  if (!timingSafeEqual(Buffer.from(signature, 'hex'), hmac(secret, timestamp, body))) {
    return { ok: false, reason: 'bad-signature' };
  }
  const now = opts.nowSeconds ?? Date.now() / 1000;
  if (Math.abs(now - Number(timestamp)) > opts.maxAgeSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp: Number(timestamp) };
}
