/**
 * The nodes people name on the command line (`--rpc`, `--fork-url`): one parser for the URL, one probe,
 * and one line for each way a node can fail — nothing listening, no answer in time, an answer that is not
 * JSON-RPC — naming the URL (with any API key in it masked). The viem error that carries the same news
 * (URL, request body and version over several lines) is kept as the cause, for PATCHGATE_DEBUG.
 *
 * No runtime import of viem here: the CLI shell maps errors through this file on every run.
 */
import { environmentError, inputError, isPatchgateError, type PatchgateError } from '../core/errors.js';
import { fetchRetrying, type RetriedResponse } from './retry.js';

/** Overrides every RPC timeout (the first answer and each request), in milliseconds. */
const RPC_TIMEOUT_ENV = 'PATCHGATE_RPC_TIMEOUT_MS';
const PROBE_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

function envTimeout(): number | undefined {
  const raw = process.env[RPC_TIMEOUT_ENV];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) === 0) {
    throw inputError(
      'bad-rpc-timeout',
      `${RPC_TIMEOUT_ENV}="${raw}" is not a number of milliseconds`,
      `unset it, or set e.g. ${RPC_TIMEOUT_ENV}=20000`,
    );
  }
  return Number(raw);
}

/** How long the first request (eth_chainId) may take: 10 s unless PATCHGATE_RPC_TIMEOUT_MS says otherwise. */
const probeTimeoutMs = (): number => envTimeout() ?? PROBE_TIMEOUT_MS;
/** How long any later request may take: 30 s unless PATCHGATE_RPC_TIMEOUT_MS says otherwise. */
export const requestTimeoutMs = (): number => envTimeout() ?? REQUEST_TIMEOUT_MS;

/** Path segments and query values that look like API keys (Infura `/v3/<key>`, Alchemy `/v2/<key>`). */
const SECRET = /[A-Za-z0-9_-]{20,}/g;
const mask = (token: string) => `${token.slice(0, 4)}…`;

/** Every URL inside a message (a node's or fetch's own error text) as `displayUrl` would print it. */
export const scrubUrls = (text: string): string =>
  text.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>]+/g, displayUrl);

/** The URL as it may be printed: credentials and anything that looks like an API key masked. */
export function displayUrl(value: string): string {
  let url: URL;
  try {
    // `localhost:8545` parses as the scheme `localhost:`: only a value with `://` is shown as a URL.
    if (!value.includes('://')) throw new Error('not a URL');
    url = new URL(value);
  } catch {
    return value.replace(SECRET, mask);
  }
  if (url.username || url.password) {
    url.username = '***';
    url.password = '';
  }
  const shown = `${url.protocol}//${url.username ? '***@' : ''}${url.host}${url.pathname === '/' ? '' : url.pathname.replace(SECRET, mask)}${url.search ? '?…' : ''}`;
  return shown;
}

/**
 * `--rpc` / `--fork-url`: an http(s) URL with a host. Bad input (exit 2) names the value and the fix —
 * `localhost:8545` is not a URL without its scheme (the URL parser would read `localhost:` as one).
 */
export function parseRpcUrl(value: string | undefined, option = '--rpc'): string {
  const raw = (value ?? '').trim();
  const shown = displayUrl(raw);
  if (raw === '')
    throw inputError('bad-rpc-url', `${option} is empty`, 'pass http://localhost:8545 or the like');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (!scheme) {
    throw inputError(
      'bad-rpc-url',
      `${option} "${shown}" has no scheme (http:// or https://)`,
      `write it in full, e.g. http://${/^[\w.-]+:\d+/.test(raw) ? shown : 'localhost:8545'}`,
    );
  }
  if (scheme === 'ws' || scheme === 'wss') {
    throw inputError(
      'bad-rpc-url',
      `${option} "${shown}": patchgate talks to nodes over HTTP, not WebSocket`,
      `use the node's ${scheme === 'wss' ? 'https' : 'http'}:// URL (anvil, geth and reth serve HTTP on the same port)`,
    );
  }
  if (scheme !== 'http' && scheme !== 'https') {
    throw inputError(
      'bad-rpc-url',
      `${option} "${shown}" is not an http(s) URL (scheme ${scheme}:)`,
      'write it as http://host:port or https://host/path',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw inputError('bad-rpc-url', `${option} "${shown}" is not a valid URL`, 'e.g. http://localhost:8545');
  }
  if (!url.hostname) {
    throw inputError('bad-rpc-url', `${option} "${shown}" has no host`, 'e.g. http://localhost:8545');
  }
  if (url.username || url.password) {
    // fetch refuses a URL with credentials in it ("Request cannot be constructed…"), and would print them.
    throw inputError(
      'bad-rpc-url',
      `${option} "${shown}" carries credentials (user:password@) in the URL, which HTTP clients refuse`,
      "use the provider's key-in-path URL (https://host/v2/KEY, masked in every message) or a local proxy that adds the credentials",
    );
  }
  return raw;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** `eth_chainId` → ` eth_chainId`: the request that went unanswered, when known. */
const named = (method?: string) => (method ? ` ${method}` : '');

function timedOut(url: string, ms: number, method?: string, cause?: unknown): PatchgateError {
  return environmentError(
    'rpc-timeout',
    `the RPC endpoint ${displayUrl(url)} did not answer${named(method)} within ${seconds(ms)}`,
    `check the node; for a slow one raise ${RPC_TIMEOUT_ENV}`,
    cause,
  );
}

function badResponse(url: string, what: string, cause?: unknown, hint?: string): PatchgateError {
  return environmentError(
    'rpc-bad-response',
    `the RPC endpoint ${displayUrl(url)} ${what}`,
    hint ?? 'check that the URL names an Ethereum JSON-RPC endpoint (not a web page or a proxy error)',
    cause,
  );
}

/** Why a fetch to the node failed (the `fetch failed` TypeError carries the socket error as its cause). */
function unreachable(url: string, e: unknown, ms: number, method?: string): PatchgateError {
  const err = e as { name?: string; cause?: { code?: string; message?: string; hostname?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return timedOut(url, ms, method, e);
  const code = err?.cause?.code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused (nothing listens there)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `host ${err.cause?.hostname ?? new URL(url).hostname} not found`
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
          ? 'the connection was closed without an answer'
          : code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
            ? undefined
            : err?.cause?.message === 'bad port'
              ? `port ${new URL(url).port} is one fetch refuses to use (a "bad port" of the Fetch standard); serve the node on another port`
              : scrubUrls((err?.cause?.message ?? (e as Error)?.message ?? String(e)).split('\n')[0] ?? '');
  if (why === undefined) return timedOut(url, ms, method, e);
  return environmentError(
    'rpc-unreachable',
    `the RPC endpoint ${displayUrl(url)} did not answer${named(method)}: ${why}`,
    'check that the node is running and the URL is right',
    e,
  );
}

type RpcBody = {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
};

const isRpcBody = (x: unknown): x is RpcBody =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && ('result' in x || 'error' in x);

/** The body of a 200 answer, required to be a JSON-RPC response (or a batch of them). */
function parseRpcBody(url: string, res: Response, text: string): RpcBody | RpcBody[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const type = res.headers.get('content-type')?.split(';')[0] || 'no content type';
    const start = text.trim().slice(0, 24).replace(/\s+/g, ' ');
    throw badResponse(url, `answered with ${type}, not JSON-RPC ("${start}…")`, e);
  }
  if (isRpcBody(data) || (Array.isArray(data) && data.length > 0 && data.every(isRpcBody))) return data;
  throw badResponse(
    url,
    `answered JSON that is not a JSON-RPC response (${JSON.stringify(data).slice(0, 40)})`,
  );
}

/**
 * The node's chain id, asked once with a bounded wait: the one check that tells a dead, slow or wrong
 * endpoint from a node, before anything else is sent.
 */
export async function probeRpc(url: string, timeoutMs = probeTimeoutMs()): Promise<number> {
  let answer: RetriedResponse;
  try {
    answer = await fetchRetrying(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw unreachable(url, e, timeoutMs, 'eth_chainId');
  }
  const { response: res, text, tries } = answer;
  if (!res.ok) {
    const again = tries > 1 ? ` (still after ${tries} tries)` : '';
    throw badResponse(
      url,
      `answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${again}`,
      undefined,
      res.status === 429
        ? "the node is rate-limiting this client: wait, raise the plan's limit, or use another node"
        : undefined,
    );
  }
  const body = parseRpcBody(url, res, text);
  const one = Array.isArray(body) ? body[0] : body;
  if (one?.error) {
    const message = String(one.error.message ?? 'no message').split('\n')[0];
    throw badResponse(
      url,
      `refused eth_chainId: ${message}${one.error.code !== undefined ? ` (${String(one.error.code)})` : ''}`,
    );
  }
  const result = one?.result;
  if (typeof result !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(result)) {
    throw badResponse(
      url,
      `answered eth_chainId with ${JSON.stringify(result)?.slice(0, 40)}, not a chain id`,
    );
  }
  return Number(BigInt(result));
}

/**
 * A fetch for viem's http transport that retries while the node is busy (chain/retry.ts; viem's own retries
 * stay off so that one policy, inside one timeout, applies) and refuses, as one line, a 200 answer that is not
 * JSON-RPC (an HTML page from a proxy, `{"hello":1}`): viem would otherwise fail later with a TypeError that
 * reads like a bug.
 */
export function checkedFetch(
  url: string,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const { response: res, text } = await fetchRetrying(input, init);
    if (res.ok) parseRpcBody(url, res, text);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

interface ErrorLike {
  name?: string;
  /** viem's HttpRequestError carries the request; TimeoutError prints it in its metaMessages. */
  body?: unknown;
  metaMessages?: string[];
  message?: string;
  shortMessage?: string;
  details?: string;
  status?: number;
  url?: string;
  cause?: unknown;
}

/** The error and its causes, outermost first (viem nests the node's answer several levels deep). */
function chainOf(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let x: unknown = e;
  while (x && typeof x === 'object' && out.length < 12) {
    out.push(x as ErrorLike);
    x = (x as ErrorLike).cause;
  }
  return out;
}

/** The JSON-RPC method of the failed request: HttpRequestError keeps the body, TimeoutError only prints it. */
const methodOf = (x: ErrorLike): string | undefined => {
  const body = Array.isArray(x.body) ? x.body[0] : x.body;
  const method = (body as { method?: unknown } | undefined)?.method;
  if (typeof method === 'string') return method;
  const printed = x.metaMessages?.find((m) => m.startsWith('Request body: '));
  return printed ? /"method":"([\w-]+)"/.exec(printed)?.[1] : undefined;
};

const isViemError = (x: ErrorLike) => typeof x.shortMessage === 'string' && 'docsPath' in x;
const TRANSPORT = new Set(['HttpRequestError', 'TimeoutError', 'WebSocketRequestError', 'SocketClosedError']);

/** True when the failure is the connection to the node, not the node's (or the EVM's) answer. */
function isTransportFailure(e: unknown): boolean {
  return chainOf(e).some(
    (x) =>
      (isPatchgateError(x) && /^rpc-(unreachable|timeout|bad-response)$/.test(x.code)) ||
      (isViemError(x) && TRANSPORT.has(x.name ?? '')),
  );
}

/** viem's names for "the call ran and the contract said no, or returned nothing to decode". */
const REVERT = new Set([
  'ContractFunctionRevertedError',
  'ContractFunctionZeroDataError',
  'ExecutionRevertedError',
  'RawContractError',
  'AbiDecodingZeroDataError',
  'AbiDecodingDataSizeTooSmallError',
]);

/**
 * True when a call failed because the EVM said no (a revert, or no data where a return value was expected: the
 * function is absent) — an answer about the contract. A transport failure, a rate limit or a node error is not.
 */
export function isRevert(e: unknown): boolean {
  return !isTransportFailure(e) && chainOf(e).some((x) => REVERT.has(x.name ?? ''));
}

/**
 * In a catch that reads a failed call as a revert (a PoC that fails, an invariant that reverts): a failure of the
 * connection is not a revert — rethrow it as the environment's failure (exit 3) instead of judging the patch on it.
 */
export function rethrowTransportFailure(e: unknown): void {
  if (isTransportFailure(e)) throw rpcFailure(e) ?? e;
}

/**
 * One line for an error that reached the shell from viem: the PatchgateError inside it if there is one,
 * else the transport failure (refused, timed out, HTTP status) or the node's own one-line refusal.
 * `undefined` when no node is to blame (a bug: the shell reports it as internal, on one line).
 */
export function rpcFailure(e: unknown): PatchgateError | undefined {
  const chain = chainOf(e);
  const inner: unknown = chain.find((x) => isPatchgateError(x));
  if (isPatchgateError(inner)) return inner;
  if (!chain[0] || !isViemError(chain[0])) return undefined;
  const url = chain.find((x) => typeof x.url === 'string')?.url ?? 'in use';
  const timeout = chain.find((x) => x.name === 'TimeoutError' && isViemError(x));
  const method = chain.map(methodOf).find(Boolean);
  if (timeout) return timedOut(url, requestTimeoutMs(), method, e);
  const http = chain.find((x) => x.name === 'HttpRequestError');
  if (http) {
    if (http.status) return badResponse(url, `answered HTTP ${http.status}`, e);
    return unreachable(url, http.cause ?? e, requestTimeoutMs(), method);
  }
  // The node answered with a JSON-RPC error (nonce too low, insufficient funds, a revert nobody decoded).
  if (!chain.some((x) => /RpcError$|^RpcRequestError$/.test(x.name ?? ''))) return undefined;
  const innermost = [...chain].reverse().find(isViemError) ?? chain[0];
  const line = [innermost.shortMessage, innermost.details]
    .filter((s): s is string => Boolean(s))
    .map((s) => s.split('\n')[0])
    .filter((s, i, all) => all.indexOf(s) === i)
    .join(': ');
  return environmentError(
    'rpc-error',
    `the node refused a request: ${line}`,
    'rerun with PATCHGATE_DEBUG=1 for the full request',
    e,
  );
}
