/**
 * What a GitHub Actions job gives a step (the variables GitHub sets, the event file) and the three places a report is
 * published there: the job summary, one sticky pull-request comment (through the REST API), and the step outputs.
 * No dependency: the API is four plain HTTPS calls. Every failure to publish is returned, never thrown: a comment
 * that cannot be written (a fork's read-only token) must not change the gate's verdict.
 */

import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { inputError } from '../core/errors.js';

/** What a step needs from GitHub's environment (https://docs.github.com/actions/reference/variables-reference). */
export interface GitHubContext {
  /** `owner/name`. */
  repository?: string;
  serverUrl: string;
  apiUrl: string;
  /** The commit the job runs on (for a pull request: the head, or GitHub's merge commit). */
  sha?: string;
  eventName?: string;
  /** The pull request, when the event is one. */
  pullRequest?: { number: number; baseSha: string; headSha: string };
  /** For a push: the commit before it (all zeros on a new branch). */
  before?: string;
  stepSummary?: string;
  output?: string;
  token?: string;
}

const SHA = /^[0-9a-f]{40}$/;

/** The context from the environment GitHub sets; a malformed event file is exit 2 naming it. */
export function gitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const ctx: GitHubContext = {
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(env.GITHUB_EVENT_NAME ? { eventName: env.GITHUB_EVENT_NAME } : {}),
    ...(env.GITHUB_STEP_SUMMARY ? { stepSummary: env.GITHUB_STEP_SUMMARY } : {}),
    ...(env.GITHUB_OUTPUT ? { output: env.GITHUB_OUTPUT } : {}),
    ...(env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN } : {}),
  };
  const eventPath = env.GITHUB_EVENT_PATH;
  if (!eventPath || !existsSync(eventPath)) return ctx;
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch (err) {
    throw inputError(
      'unreadable-file',
      `GITHUB_EVENT_PATH ${eventPath} is not JSON (${(err as Error).message})`,
      'run inside GitHub Actions, or unset GITHUB_EVENT_PATH',
    );
  }
  const e = (event ?? {}) as {
    pull_request?: { number?: unknown; base?: { sha?: unknown }; head?: { sha?: unknown } };
    before?: unknown;
  };
  const pr = e.pull_request;
  if (pr) {
    const { number } = pr;
    const baseSha = pr.base?.sha;
    const headSha = pr.head?.sha;
    if (typeof number !== 'number' || !isSha(baseSha) || !isSha(headSha)) {
      throw inputError(
        'unreadable-file',
        `GITHUB_EVENT_PATH ${eventPath}: pull_request lacks number, base.sha or head.sha`,
        'run on a pull_request event, or pass --base REV',
      );
    }
    ctx.pullRequest = { number, baseSha, headSha };
  }
  if (isSha(e.before)) ctx.before = e.before;
  return ctx;
}

function isSha(v: unknown): v is string {
  return typeof v === 'string' && SHA.test(v);
}

/** GitHub refuses a step's whole job summary over 1 MiB (and then shows none of it). */
export const SUMMARY_LIMIT = 1024 * 1024;

/**
 * Append to the job summary. What would take the step's summary file past GitHub's 1 MiB is cut, on a character
 * boundary, with a note: a report too long to show still shows its verdict and first contracts.
 */
export function appendSummary(ctx: GitHubContext, markdown: string): boolean {
  if (!ctx.stepSummary) return false;
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  const room = SUMMARY_LIMIT - (statSync(ctx.stepSummary, { throwIfNoEntry: false })?.size ?? 0);
  appendFileSync(ctx.stepSummary, fitBytes(text, room, SUMMARY_CUT));
  return true;
}

const SUMMARY_CUT =
  "\n\n…cut here: the job summary reached GitHub's 1 MiB limit. The SARIF files and `--out` hold every finding.\n";

/** `text` in at most `limit` UTF-8 bytes: whole, or its longest prefix that fits with `note` after it. */
function fitBytes(text: string, limit: number, note: string): string {
  if (Buffer.byteLength(text) <= limit) return text;
  const room = limit - Buffer.byteLength(note);
  if (room <= 0) return '';
  const bytes = Buffer.from(text).subarray(0, room);
  // Drop a multi-byte character cut in half (its lead byte and any continuation bytes kept).
  let end = bytes.length;
  let back = end - 1;
  while (back >= 0 && ((bytes[back] as number) & 0xc0) === 0x80) back--;
  if (back >= 0) {
    const lead = bytes[back] as number;
    const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (back + size > end) end = back;
  }
  return bytes.subarray(0, end).toString('utf8') + note;
}

/**
 * Set step outputs. The multi-line form with a random delimiter always: a value (a path) can never end the value
 * early and inject another output.
 */
export function setOutputs(ctx: GitHubContext, outputs: Record<string, string>): boolean {
  if (!ctx.output) return false;
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    const delimiter = `patchgate_${randomBytes(12).toString('hex')}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  appendFileSync(ctx.output, text);
  return true;
}

/** A workflow command's data: `%`, CR and LF escaped, so a message can never start a command of its own. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: also `:` and `,`. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
}

/** `::error file=…,line=…,title=…::message`: shown on the pull request's diff, code scanning or not. */
export function annotation(a: Annotation): string {
  const props = [
    a.file !== undefined ? `file=${escapeProperty(a.file)}` : '',
    a.line !== undefined ? `line=${a.line}` : '',
    a.title !== undefined ? `title=${escapeProperty(a.title)}` : '',
  ].filter(Boolean);
  return `::${a.level}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(a.message)}`;
}

/** GitHub refuses a comment body over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;

/** The first line of patchgate's sticky comment for one project of a repository. */
export function commentMarker(key: string): string {
  return `<!-- patchgate:report ${key.replace(/-->/g, '')} -->`;
}

export interface CommentResult {
  action: 'created' | 'updated' | 'skipped' | 'failed';
  /** The comment's URL, when written. */
  url?: string;
  /** Why not, when skipped or failed. */
  reason?: string;
}

interface IssueComment {
  id: number;
  body?: string;
  html_url?: string;
  user?: { type?: string; login?: string };
}

/**
 * Create or update the one comment that carries `marker` on the pull request. Only a comment written by a bot
 * (the Actions token's `github-actions[bot]`, or an app) and starting with the marker is ours: a person's comment
 * that quotes the marker is never edited. A body over GitHub's limit is cut with a note.
 */
export async function upsertComment(
  ctx: GitHubContext,
  marker: string,
  body: string,
  opts: { timeoutMs?: number } = {},
): Promise<CommentResult> {
  const pr = ctx.pullRequest;
  if (!pr) return { action: 'skipped', reason: 'not a pull request event' };
  if (!ctx.repository) return { action: 'skipped', reason: 'GITHUB_REPOSITORY is not set' };
  if (!ctx.token) return { action: 'skipped', reason: 'no GITHUB_TOKEN (pass github-token to the action)' };
  const full = fitComment(`${marker}\n${body}`);
  const base = `${ctx.apiUrl}/repos/${ctx.repository}`;
  try {
    let mine: IssueComment | undefined;
    for (let page = 1; page <= 30 && !mine; page++) {
      const list = (await api(ctx, 'GET', `${base}/issues/${pr.number}/comments?per_page=100&page=${page}`, {
        timeoutMs: opts.timeoutMs,
      })) as IssueComment[];
      if (!Array.isArray(list)) throw new Error('the comments list is not an array');
      mine = list.find(
        (c) => c.user?.type === 'Bot' && typeof c.body === 'string' && c.body.startsWith(marker),
      );
      if (list.length < 100) break;
    }
    const written = (
      mine
        ? await api(ctx, 'PATCH', `${base}/issues/comments/${mine.id}`, { body: { body: full }, ...opts })
        : await api(ctx, 'POST', `${base}/issues/${pr.number}/comments`, { body: { body: full }, ...opts })
    ) as IssueComment;
    return { action: mine ? 'updated' : 'created', ...(written?.html_url ? { url: written.html_url } : {}) };
  } catch (err) {
    return { action: 'failed', reason: (err as Error).message };
  }
}

function fitComment(body: string): string {
  if (body.length <= COMMENT_LIMIT) return body;
  const note =
    "\n\n…cut here: the comment reached GitHub's 65,536-character limit. The whole report is in the job summary.\n";
  return body.slice(0, COMMENT_LIMIT - note.length) + note;
}

/** One REST call; a 5xx or a network failure is tried again twice, a 4xx is not. Throws with the status and path. */
async function api(
  ctx: GitHubContext,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  opts: { body?: unknown; timeoutMs?: number },
): Promise<unknown> {
  const path = url.slice(ctx.apiUrl.length).replace(/\?.*/, '');
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 500 * attempt));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${ctx.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'patchgate',
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
    } catch (err) {
      last = `${method} ${path}: ${(err as Error).message}`;
      continue;
    }
    if (res.ok) return res.json();
    // The token never reaches a message, even from an API that echoes what it was sent.
    const text = (await res.text().catch(() => ''))
      .replaceAll(ctx.token ?? '\u0000', '***')
      .slice(0, 200)
      .replace(/\s+/g, ' ');
    last = `${method} ${path}: HTTP ${res.status}${text ? ` ${text}` : ''}`;
    if (res.status < 500) break;
  }
  throw new Error(last);
}

/**
 * Turn workflow commands off for what follows on this step's output, until `commandsOn(token)`: everything patchgate
 * prints that a pull request can shape (an error naming a file whose name holds a newline and `::set-output`, a
 * compiler message quoting a source line) is then only text. Only patchgate's own escaped annotations are let through.
 */
export function commandsOff(write: (line: string) => void): string {
  const token = `patchgate-${randomBytes(16).toString('hex')}`;
  write(`::stop-commands::${token}\n`);
  return token;
}

/** Commands on again after `commandsOff` (the token ends the stop). */
export function commandsOn(token: string, write: (line: string) => void): void {
  write(`::${token}::\n`);
}
