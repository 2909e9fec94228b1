/**
 * `auditProxy`: a proxy's upgrade history rebuilt from the chain, each change judged against the verified
 * transparency log — what a depositor or auditor runs without trusting the team. Exit semantics (CLI): pass
 * when every change is initial or authorized, fail on anything unexplained, on a log that does not verify and
 * on every check that does not hold; bad input throws an input error, an RPC failure an environment error.
 */

import { type Address, BaseError, type Hex, type PublicClient } from 'viem';
import { displayUrl } from '../chain/rpc.js';
import { evidenceDigest } from '../core/digest.js';
import { environmentError, isPatchgateError } from '../core/errors.js';
import { type Finding, type ReportHeader, verdictOf } from '../core/finding.js';
import type { ProxyKindOnChain } from '../core/proxy-kinds.js';
import { passedIf, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { parseAddress } from '../govern/address.js';
import type { ExportRecord } from '../ledger/export.js';
import type { Head } from '../ledger/head.js';
import type { UnsignedTail } from '../ledger/verify-export.js';
import { codehashFindings, executedFindings, gateFindings, slotFindings } from './checks.js';
import { type Context, classify, type HistoryItem, unexplainedFindings } from './classify.js';
import {
  byPosition,
  type ChainEvent,
  controllerEvents,
  gateEvents,
  proxyEvents,
  senders,
  timestamps,
} from './events.js';
import { auditFinding } from './findings.js';
import { describeFailure, type LoadedLog, loadLog } from './log.js';
import { controllersOf, type Deployment, findDeployment, readProxyState } from './state.js';

export type { HistoryItem, Status } from './classify.js';

export interface AuditParameters {
  proxy: string;
  /** The log export (JSON-lines text or records); without it nothing after deployment is explained. */
  log?: string | readonly ExportRecord[];
  /**
   * The signed head the export must match. Only the entries it commits to are read; without it nothing in the
   * export is (every change after deployment is then unexplained).
   */
  head?: Head;
  /** The log signer's address (default: the head's own signer). */
  signer?: Address;
  /** A PatchGate contract whose PatchExecuted events are read too. */
  gate?: string;
  /** Where the history starts (default 0). */
  fromBlock?: bigint;
}

export interface AuditLogSummary {
  given: boolean;
  /** `authenticated`: its head's entries are used; otherwise nothing in it is. */
  status: 'none' | LoadedLog['status'];
  /** The export verified: its lines, and the head when one was given. */
  verified: boolean;
  /** A valid signed head commits to the entries read. Without it no entry is read. */
  authenticated: boolean;
  /** How many entries explain changes: the head's size when authenticated, else 0. */
  used: number;
  entries?: number;
  root?: Hex;
  head?: { size: number; root: Hex; signer?: Address; signature: string };
  /** The head's signer was checked against --signer (not only against the address the head names). */
  signerPinned?: boolean;
  /** Entries after the head's size: named, never read. */
  unsigned?: UnsignedTail;
  firstBadIndex?: number;
  problems?: { index?: number; code: string; message: string }[];
}

export interface AuditReport extends ReportHeader<'audit'> {
  proxy: Address;
  chainId: number;
  kind: ProxyKindOnChain;
  implementation: Address;
  admin?: Address;
  beacon?: Address;
  gate?: Address;
  fromBlock: bigint;
  toBlock: bigint;
  deployment?: Deployment;
  log: AuditLogSummary;
  history: HistoryItem[];
  tally: Record<'initial' | 'authorized' | 'unexplained', number>;
}

function summarize(loaded: LoadedLog | undefined): AuditLogSummary {
  if (!loaded) return { given: false, status: 'none', verified: false, authenticated: false, used: 0 };
  const { report } = loaded;
  const base = {
    given: true,
    status: loaded.status,
    verified: report.ok,
    authenticated: loaded.ok,
    used: loaded.ok ? loaded.log.entries : 0,
    entries: report.entries,
    root: report.root,
    ...(report.unsigned ? { unsigned: report.unsigned } : {}),
  };
  if (loaded.ok) return { ...base, head: loaded.log.head, signerPinned: report.signerPinned };
  if (loaded.status === 'unpinned') {
    const h = report.heads.find((x) => x.role === 'head');
    return {
      ...base,
      signerPinned: false,
      ...(h ? { head: { size: h.size, root: h.root, signer: h.signer, signature: h.signature } } : {}),
    };
  }
  if (report.ok) return base;
  return { ...base, firstBadIndex: report.firstBadIndex, problems: report.problems };
}

const entriesWord = (n: number) => (n === 1 ? '1 entry' : `${n} entries`);

function tailFinding(tail: UnsignedTail, headSize: number): Finding {
  const listed = tail.entries
    .slice(0, 5)
    .map((e) => `${e.index} ${e.kind ?? '?'}${e.digest ? ` ${e.digest}` : ''}`)
    .join(', ');
  const more = tail.to - tail.from > 5 ? ', …' : '';
  const one = tail.to - tail.from === 1;
  const range = one
    ? `entry ${tail.from} of the export comes`
    : `entries ${tail.from}…${tail.to - 1} of the export come`;
  const message = `${range} after the signed head (size ${headSize}): no head commits to ${one ? 'it' : 'them'}, so ${one ? 'it is' : 'they are'} ignored (${listed}${more})`;
  return auditFinding('audit-log-unsigned-tail', message, `${tail.from}`);
}

function logFindings(loaded: LoadedLog | undefined): Finding[] {
  if (!loaded)
    return [auditFinding('audit-no-log', 'no --log given: every change after deployment is unexplained')];
  const { report } = loaded;
  if (loaded.status === 'no-head') {
    const lines = report.problems.find((p) => p.code !== 'unsigned-tail')
      ? ` (and its lines do not even agree with each other: ${describeFailure(report)})`
      : '';
    const message = `no --head given: nothing authenticates the export's ${entriesWord(report.entries)}, so none is used and every change after deployment is unexplained${lines}`;
    return [auditFinding('audit-log-no-head', message)];
  }
  if (loaded.status === 'unpinned') {
    const signer = report.heads.find((h) => h.role === 'head')?.signer;
    const message = `the head is signed by ${signer}, the address the head itself names: no --signer ties it to the log's published key, and anyone can sign a forged log with their own key — so none of it is used and every change after deployment is unexplained`;
    return [auditFinding('audit-log-signer-unpinned', message)];
  }
  if (!loaded.ok) {
    const message = `the log export fails verification: ${describeFailure(report)}; it is not used`;
    return [auditFinding('audit-log-unverified', message)];
  }
  const out: Finding[] = [];
  if (report.unsigned) out.push(tailFinding(report.unsigned, loaded.log.head.size));
  return out;
}

const NOT_USED: Record<Exclude<LoadedLog['status'], 'authenticated'>, string> = {
  'no-head': 'no --head given: nothing authenticates the log, so nothing in it is used',
  unpinned: "no --signer pins the log's key: nothing ties the head to the log, so nothing in it is used",
  unverified: 'the log failed verification, so nothing in it is used',
};

interface ChainRead {
  chainId: number;
  toBlock: bigint;
  state: Awaited<ReturnType<typeof readProxyState>>;
  deployment?: Deployment;
  events: ChainEvent[];
  senders: Map<Hex, Address>;
  times: Map<bigint, string>;
}

async function readChain(
  client: PublicClient,
  proxy: Address,
  gate: Address | undefined,
  fromBlock: bigint,
): Promise<ChainRead> {
  const [chainId, toBlock, state] = await Promise.all([
    client.getChainId(),
    client.getBlockNumber({ cacheTime: 0 }),
    readProxyState(client, proxy),
  ]);
  const range = { fromBlock, toBlock };
  const own = (await proxyEvents(client, proxy, range)).sort(byPosition);
  const [controlled, attested, deployment] = await Promise.all([
    controllerEvents(client, controllersOf(state, own), range),
    gate ? gateEvents(client, gate, proxy, range) : Promise.resolve([]),
    findDeployment(client, proxy, own, fromBlock),
  ]);
  const events = [...own, ...controlled, ...attested].sort(byPosition);
  const [from, times] = await Promise.all([
    senders(
      client,
      events.map((e) => e.txHash),
    ),
    timestamps(
      client,
      events.map((e) => e.blockNumber),
    ),
  ]);
  return { chainId, toBlock, state, ...(deployment ? { deployment } : {}), events, senders: from, times };
}

/** RPC failures are environment failures (exit 3); everything patchgate raised itself passes through. */
async function fromChain<T>(client: PublicClient, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isPatchgateError(e) || !(e instanceof BaseError)) throw e;
    // Name the node: an answer that made no sense (garbage where an address belongs) is the node's failure.
    const url = (client.transport as { url?: string }).url;
    throw environmentError(
      'audit-rpc-failed',
      `reading the chain${url ? ` from ${displayUrl(url)}` : ''} failed: ${e.shortMessage}`,
      'check --rpc; a node that limits eth_getLogs ranges needs --from-block near the deployment',
      e,
    );
  }
}

/**
 * `patchgate audit`: a proxy's upgrade history rebuilt from chain events and judged against the verified log:
 * every upgrade the log does not explain is a finding.
 *
 * @example
 * ```ts
 * const client = createPublicClient({ transport: http('http://127.0.0.1:8545') });
 * const report = await auditProxy(client, {
 *   proxy: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
 *   log: readFileSync('log.jsonl', 'utf8'),
 *   head: JSON.parse(readFileSync('head.json', 'utf8')),
 * });
 * console.log(report.verdict);
 * ```
 */
export async function auditProxy(client: PublicClient, params: AuditParameters): Promise<AuditReport> {
  const proxy = parseAddress(params.proxy, 'proxy');
  const gate = params.gate !== undefined ? parseAddress(params.gate, '--gate') : undefined;
  const fromBlock = params.fromBlock ?? 0n;
  const recorder = stageRecorder();
  const loaded =
    params.log !== undefined
      ? await loadLog({ log: params.log, head: params.head, signer: params.signer })
      : undefined;
  recorder.lap('log', !loaded ? 'skipped' : passedIf(loaded.ok));

  const chain = await fromChain(client, () => readChain(client, proxy, gate, fromBlock));
  const ctx: Context = {
    proxy,
    chainId: chain.chainId,
    ...(chain.deployment ? { deployment: chain.deployment } : {}),
    ...(loaded?.ok ? { log: loaded.log } : { noLog: loaded ? NOT_USED[loaded.status] : 'no log given' }),
  };
  const judged = classify(ctx, chain.events, chain.senders, chain.times);
  const gateItems = judged.filter((h) => h.emitter === 'gate');
  const complete = fromBlock === 0n || chain.deployment !== undefined;
  const checked = await fromChain(client, async () => [
    ...(await codehashFindings(client, ctx, judged)),
    ...(await executedFindings(client, ctx, judged, fromBlock)),
  ]);
  const findings = [
    ...logFindings(loaded),
    ...unexplainedFindings(judged, gateItems),
    ...slotFindings(chain.state, judged, complete),
    ...checked,
    ...gateFindings(ctx, gateItems),
  ];
  const verdict = verdictOf(findings);
  recorder.lap('history', passedIf(verdict === 'pass'));
  const count = (s: string) => judged.filter((h) => h.status === s).length;
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict,
    digest: evidenceDigest(chain.events),
    stages: recorder.stages,
    findings,
    report: 'audit',
    proxy,
    chainId: chain.chainId,
    kind: chain.state.kind,
    implementation: chain.state.implementation,
    ...(chain.state.admin ? { admin: chain.state.admin } : {}),
    ...(chain.state.beacon ? { beacon: chain.state.beacon } : {}),
    ...(gate ? { gate } : {}),
    fromBlock,
    toBlock: chain.toBlock,
    ...(chain.deployment ? { deployment: chain.deployment } : {}),
    log: summarize(loaded),
    history: judged,
    tally: { initial: count('initial'), authorized: count('authorized'), unexplained: count('unexplained') },
  };
}
