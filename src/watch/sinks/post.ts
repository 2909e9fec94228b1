/**
 * One delivery attempt: POST a body to a sink's URL and say, as a value, whether the receiver took it (2xx) and, if
 * not, why in one line that names no secret: the URL as `displayUrl` prints it (a Slack URL's token masked), the
 * status, "timed out after N ms", "connection refused". fetch's own error text is never passed on (it may carry the
 * URL whole). Redirects are not followed: a 3xx is a failed delivery naming only the host it pointed to — a signed
 * body (and a Slack token in the path) must not be carried to another host, and a sink whose URL moved should be
 * pointed at the new one by whoever configures it, not by whoever answers at the old one.
 */
import { displayUrl } from '../../chain/rpc.js';

export type PostOutcome = { ok: true; status: number } | { ok: false; reason: string };

function failure(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; name?: string } };
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError')
    return `timed out after ${timeoutMs} ms`;
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection dropped';
  return `request failed${code ? ` (${code})` : ''}`;
}

function redirectTarget(location: string | null, base: string): string {
  if (!location) return 'nowhere';
  try {
    return new URL(location, base).host;
  } catch {
    return 'an unreadable location';
  }
}

export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostOutcome> {
  const shown = displayUrl(url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    return { ok: false, reason: `${shown}: ${failure(e, timeoutMs)}` };
  }
  // The receiver's answer is not read: only its status counts, and the connection is freed.
  await response.body?.cancel().catch(() => undefined);
  const { status } = response;
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) {
    const to = redirectTarget(response.headers.get('location'), url);
    return {
      ok: false,
      reason: `${shown}: HTTP ${status} redirect to ${to}, not followed (point the sink at the final URL)`,
    };
  }
  return { ok: false, reason: `${shown}: HTTP ${status}` };
}
