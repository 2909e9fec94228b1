/**
 * A node that is busy is not a node that said no. Public RPC endpoints shed load with HTTP 429/503 (or a
 * JSON-RPC "limit exceeded" inside a 200), and drop connections under load; the request is retried with
 * backoff (honouring `Retry-After`, capped) a bounded number of times, inside the request's own timeout, so
 * a rate-limited read is never mistaken for an answer. What is not transient — a refused connection, a
 * revert, a method the node does not serve — is not retried.
 */

/** HTTP statuses that say "try again later". */
const TRANSIENT_STATUS = new Set([408, 429, 502, 503, 504]);
/** JSON-RPC error codes for rate limits: 429 (Alchemy in batch mode), -32005 (EIP-1474), -32007 (QuickNode). */
const RATE_LIMIT_CODES = new Set([429, -32005, -32007]);
/** Socket errors of a connection the far side dropped mid-request. */
const DROPPED = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** First backoff; doubled each time. */
  baseDelayMs: number;
  /** No single wait is longer, whatever `Retry-After` asks. */
  maxDelayMs: number;
}

const RPC_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 5_000 };

/** A 200 whose JSON-RPC body (or any member of a batch) is a rate-limit error. */
function rateLimited(text: string): boolean {
  if (!text.includes('"error"')) return false;
  try {
    const data = JSON.parse(text) as unknown;
    const items = Array.isArray(data) ? data : [data];
    return items.some((x) => {
      const code = (x as { error?: { code?: unknown } } | null)?.error?.code;
      return typeof code === 'number' && RATE_LIMIT_CODES.has(code);
    });
  } catch {
    return false;
  }
}

function dropped(e: unknown): boolean {
  const code = (e as { cause?: { code?: string } } | undefined)?.cause?.code;
  return code !== undefined && DROPPED.has(code);
}

function delayFor(policy: RetryPolicy, attempt: number, retryAfter: string | null): number {
  const asked = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
  return Math.min(policy.maxDelayMs, asked ?? policy.baseDelayMs * 2 ** attempt);
}

function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetriedResponse {
  response: Response;
  /** The body, already read (a rate-limit check needs it). */
  text: string;
  /** How many tries it took (1 = no retry). */
  tries: number;
}

/**
 * `fetch`, retried while the node is busy. Returns the last answer (a 429 after the last try is returned, not
 * thrown: the caller names it); throws what fetch throws for anything else, and stops at once when `signal`
 * (the caller's timeout) aborts.
 */
export async function fetchRetrying(
  input: string | URL | Request,
  init: RequestInit | undefined,
  policy: RetryPolicy = RPC_RETRY,
): Promise<RetriedResponse> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt + 1 >= policy.attempts;
    let response: Response;
    let text: string;
    try {
      response = await fetch(input, init);
      text = await response.text();
    } catch (e) {
      if (last || !dropped(e) || init?.signal?.aborted) throw e;
      await sleep(delayFor(policy, attempt, null), init?.signal);
      continue;
    }
    const busy = TRANSIENT_STATUS.has(response.status) || (response.ok && rateLimited(text));
    if (!busy || last) return { response, text, tries: attempt + 1 };
    await sleep(delayFor(policy, attempt, response.headers.get('retry-after')), init?.signal);
  }
}
