/**
 * The API the page reads and acts through (same origin, `/api/...`): one fetch wrapper whose failures are
 * `ApiError`s carrying the server's `{ error: { code, message, hint } }`, and the shapes the routes answer
 * (docs/server.md; the OpenAPI document at /openapi.json).
 */

export type Hex = `0x${string}`;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** `path` fetched as JSON; a non-2xx answer, a network failure or a non-JSON body is an ApiError. */
export async function api<T>(
  path: string,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<T> {
  let r: Response;
  try {
    r = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: init.body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(init.body !== undefined
        ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
        : {}),
    });
  } catch (e) {
    throw new ApiError(0, 'network', `the server did not answer ${path}`, String(e));
  }
  let body: unknown;
  try {
    body = await r.json();
  } catch {
    throw new ApiError(
      r.status,
      'not-json',
      `${path} answered ${r.status} with no JSON`,
      'is patchgate serve running?',
    );
  }
  const err = (body as { error?: { code?: string; message?: string; hint?: string } }).error;
  if (!r.ok || err) {
    throw new ApiError(
      r.status,
      err?.code ?? 'http',
      err?.message ?? `${path} answered ${r.status}`,
      err?.hint,
    );
  }
  return body as T;
}

export type PatchState = 'proposed' | 'approved' | 'queued' | 'executed' | 'verified' | 'cancelled';

export interface Transition {
  from: PatchState | null;
  to: PatchState;
  txHash: Hex | null;
  at: string;
}

export interface PatchStatus {
  digest: Hex;
  name?: string;
  state: PatchState;
  lane: string;
  chainId: number;
  proxy: Hex;
  implementation: Hex;
  approvals: { signer: Hex; expiry: string; valid?: boolean; reason?: string }[];
  threshold?: number;
  safeSignatures: { purpose: string; safeNonce: string; owner: Hex }[];
  history: Transition[];
  /**
   * The timelock operation, read from the chain (`serve --rpc`): `eta` in unix seconds, decimal. Absent or null
   * without a chain; the page then takes the ETA from the log's `queued` entry.
   */
  operation?: { id: Hex; eta?: string; ready?: boolean; done?: boolean } | null;
  /** The lane's policy as the server reads it (`serve --rpc`): k of n, the approvers, who has not signed. */
  policy?: { threshold: number; approvers: Hex[]; missing: Hex[] } | null;
  /** The risk as assessed at proposal (`patchgate assess`, signed as the patch's `assess` evidence). */
  risk?: {
    severity: string;
    impact: string;
    public: boolean;
    priority: string;
    recommendedLane: string;
    valueAtRiskUsd?: string;
    block: string;
    exposure: Record<string, { windowSeconds: string; exposureUsdHours?: string; allowed: boolean }>;
  };
}

/** An embargoed patch as the public sees it before the reveal: its commitment and state, nothing else. */
export interface SealedPatch {
  embargoed: true;
  commitment: Hex;
  state: PatchState;
  digest?: Hex;
}

export const isSealed = (p: object): p is SealedPatch => (p as { embargoed?: unknown }).embargoed === true;

export interface Finding {
  id: string;
  severity: string;
  title?: string;
  message: string;
  location?: { file: string; line: number; contract?: string; function?: string };
  status?: string;
  hint?: string;
  blocking?: boolean;
  /** A source excerpt, when a report carries one. */
  excerpt?: string;
  source?: string;
}

/** A stage's report as the store holds it; the page shows the fields it knows and ignores the rest. */
export interface Report {
  verdict?: string;
  stages?: { name: string; status: string; durationMs?: number }[];
  findings?: Finding[];
  [key: string]: unknown;
}

export interface PatchDetail extends PatchStatus {
  record: {
    chainId: number;
    proxy: Hex;
    target: Hex;
    implementation: Hex;
    codehash: Hex;
    calldata: Hex;
    lane: string;
    evidence: Record<string, Hex>;
  };
  evidence: Record<string, Report>;
}

export interface LogHead {
  origin: string;
  size: number;
  root: Hex;
  /** Signed by the log key when the server has it (EIP-191 over the checkpoint text). */
  signed?: boolean;
  signer?: Hex;
  signature?: Hex;
  timestamp?: string;
}

export interface LogRecord {
  index: number;
  /** The canonical entry JSON, exactly as hashed. */
  entry: string;
  nodes?: Hex[];
}

export interface InclusionProof {
  origin: string;
  index: number;
  size: number;
  leafHash: Hex;
  root: Hex;
  proof: Hex[];
}

export interface Session {
  address: Hex;
  chainId: number;
  expiresAt: string;
  roles?: string[];
}

export interface WalletTypedData {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

export interface ApprovalRequest {
  digest: Hex;
  approval: { typedData: WalletTypedData; hash: Hex };
  safeTxs: { purpose: string; safeNonce: string; safeTxHash: Hex; typedData: WalletTypedData; hash: Hex }[];
  file: Record<string, unknown> & { safeSignatures: Record<string, unknown>[] };
}

export interface ApproveResult {
  digest: Hex;
  signer: Hex;
  state: PatchState;
  approvals: number;
  threshold: number;
  alreadyApproved: boolean;
  safeSigned: unknown[];
}

export type ReviewVerdict = 'reviewed' | 'concern';

export interface CommunityReview {
  signer: Hex;
  verdict: ReviewVerdict;
  text: string;
  signature: Hex;
  createdAt: string;
}

/** `GET /api/patches/{digest}/reviews`: the reviews, and the Review typed data to fill in and sign. */
export interface ReviewList {
  reviews: CommunityReview[];
  typedData: WalletTypedData;
}

export interface ReviewPosted {
  review: CommunityReview;
  added: boolean;
  log: { index: number; root: Hex; size: number } | null;
}

export type JobRequest =
  | { kind: 'check' | 'simulate'; patch: string }
  | { kind: 'verify'; digest: Hex }
  | { kind: 'audit'; proxy: Hex };

export interface JobEvent {
  seq: number;
  at: string;
  kind: string;
  message: string;
}

export interface JobOutcome {
  verdict?: string;
  reportDigest?: string;
  error?: { code: string; message: string; hint?: string };
}

/** `GET /api/jobs/{id}`. */
export interface JobView {
  id: string;
  state: string;
  request: JobRequest;
  by: string;
  retries: number;
  output: JobOutcome | null;
  evidence?: { kind: string; verdict: string; reportDigest: string; worker: string; report: Report };
  events: JobEvent[];
}

/** Every log record [0, size), page by page (the API answers at most 1000 per page). */
export async function allEntries(size: number): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (let from = 0; from < size; from += 1000) {
    const { entries } = await api<{ entries: LogRecord[] }>(
      `/api/log/entries?from=${from}&to=${Math.min(size, from + 1000)}`,
    );
    if (entries.length === 0) break;
    out.push(...entries);
  }
  return out;
}
