/**
 * Publishing to GitHub Actions (src/cli/github.ts) against a stand-in REST API on 127.0.0.1 and the files GitHub
 * gives a step: the event, the job summary, the outputs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendSummary,
  COMMENT_LIMIT,
  commentMarker,
  type GitHubContext,
  gitHubContext,
  SUMMARY_LIMIT,
  setOutputs,
  upsertComment,
} from '../src/cli/github.js';
import { type FakeGitHub, startFakeGitHub } from './helpers/github-api.js';

const BASE = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);
let api: FakeGitHub;
let dir: string;

beforeAll(async () => {
  api = await startFakeGitHub();
  dir = mkdtempSync(join(tmpdir(), 'pg-gh-'));
});
afterAll(() => api.close());

function event(value: unknown): string {
  const file = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

function prContext(pr: number): GitHubContext {
  return gitHubContext({
    GITHUB_REPOSITORY: 'acme/vault',
    GITHUB_API_URL: api.url,
    GITHUB_TOKEN: api.token,
    GITHUB_EVENT_PATH: event({ pull_request: { number: pr, base: { sha: BASE }, head: { sha: HEAD } } }),
  });
}

describe('the context GitHub gives a step', () => {
  it('reads the pull request, the servers and the files from the environment', () => {
    const ctx = gitHubContext({
      GITHUB_REPOSITORY: 'acme/vault',
      GITHUB_SERVER_URL: 'https://ghe.example/',
      GITHUB_API_URL: 'https://ghe.example/api/v3/',
      GITHUB_SHA: HEAD,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event({ pull_request: { number: 7, base: { sha: BASE }, head: { sha: HEAD } } }),
      GITHUB_STEP_SUMMARY: '/tmp/summary',
      GITHUB_OUTPUT: '/tmp/output',
    });
    expect(ctx).toMatchObject({
      repository: 'acme/vault',
      serverUrl: 'https://ghe.example',
      apiUrl: 'https://ghe.example/api/v3',
      pullRequest: { number: 7, baseSha: BASE, headSha: HEAD },
      stepSummary: '/tmp/summary',
      output: '/tmp/output',
    });
  });

  it('a push gives the commit before it; no event file is no pull request', () => {
    expect(gitHubContext({ GITHUB_EVENT_PATH: event({ before: BASE }) }).before).toBe(BASE);
    expect(gitHubContext({}).pullRequest).toBeUndefined();
  });

  it('an event file that is not JSON, or a pull request without its commits, is exit 2 naming the file', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    expect(() => gitHubContext({ GITHUB_EVENT_PATH: bad })).toThrow(
      expect.objectContaining({
        code: 'unreadable-file',
        exitCode: 2,
        shortMessage: expect.stringContaining(bad),
      }),
    );
    const partial = event({ pull_request: { number: 1, base: { sha: 'main' } } });
    expect(() => gitHubContext({ GITHUB_EVENT_PATH: partial })).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
  });
});

describe('the sticky pull-request comment', () => {
  it('is created once, then updated in place on the next run', async () => {
    const ctx = prContext(1);
    const marker = commentMarker('examples/vault');
    const first = await upsertComment(ctx, marker, '## patchgate: FAIL');
    expect(first.action).toBe('created');
    const second = await upsertComment(ctx, marker, '## patchgate: PASS');
    expect(second.action).toBe('updated');
    const comments = api.comments.get(1) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`${marker}\n## patchgate: PASS`);
    expect(api.requests.every((r) => r.authorization === `Bearer ${api.token}`)).toBe(true);
  });

  it('finds its comment on a later page of a long conversation', async () => {
    const marker = commentMarker('paged');
    for (let i = 0; i < 130; i++) api.add(3, `comment ${i}`, { login: 'dev', type: 'User' });
    const ours = api.add(3, `${marker}\nold`);
    const result = await upsertComment(prContext(3), marker, 'new');
    expect(result.action).toBe('updated');
    expect(ours.body).toBe(`${marker}\nnew`);
  });

  it("a fork's read-only token (403) is reported, not thrown, and no second write is tried", async () => {
    api.failNext = [403];
    const before = api.requests.length;
    const result = await upsertComment(prContext(4), commentMarker('x'), 'report');
    expect(result).toMatchObject({ action: 'failed', reason: expect.stringContaining('HTTP 403') });
    expect(api.requests.length - before).toBe(1);
    expect(result.reason).not.toContain(api.token);
  });

  it('a 502 is tried again', async () => {
    api.failNext = [502];
    const result = await upsertComment(prContext(5), commentMarker('x'), 'report');
    expect(result.action).toBe('created');
  });

  it("a body over GitHub's limit is cut with a note", async () => {
    const marker = commentMarker('big');
    await upsertComment(prContext(6), marker, 'x'.repeat(COMMENT_LIMIT + 5000));
    const body = api.comments.get(6)?.[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.startsWith(marker)).toBe(true);
    expect(body).toContain('65,536-character limit');
  });

  it('outside a pull request, or without a token, nothing is sent', async () => {
    const before = api.requests.length;
    const noPr = gitHubContext({
      GITHUB_REPOSITORY: 'a/b',
      GITHUB_API_URL: api.url,
      GITHUB_TOKEN: api.token,
    });
    expect((await upsertComment(noPr, 'm', 'b')).action).toBe('skipped');
    const ctx = { ...prContext(7), token: undefined };
    expect(await upsertComment(ctx, 'm', 'b')).toMatchObject({
      action: 'skipped',
      reason: expect.stringContaining('GITHUB_TOKEN'),
    });
    expect(api.requests.length).toBe(before);
  });

  it('an API that is down is a failure to report, within the timeout', async () => {
    const ctx = { ...prContext(8), apiUrl: 'http://127.0.0.1:9' };
    const result = await upsertComment(ctx, 'm', 'b', { timeoutMs: 500 });
    expect(result.action).toBe('failed');
  });
});

describe('the job summary and the outputs', () => {
  it('appends to the summary and sets each output', () => {
    const summary = join(dir, 'summary.md');
    const output = join(dir, 'output');
    const ctx: GitHubContext = { serverUrl: '', apiUrl: '', stepSummary: summary, output };
    appendSummary(ctx, '## one');
    appendSummary(ctx, '## two\n');
    expect(readFileSync(summary, 'utf8')).toBe('## one\n## two\n');
    setOutputs(ctx, { verdict: 'fail', blocking: '2' });
    const text = readFileSync(output, 'utf8');
    const parsed = [...text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]);
    expect(Object.fromEntries(parsed)).toEqual({ verdict: 'fail', blocking: '2' });
  });

  it('cuts a summary that would pass GitHub’s 1 MiB per step on a character boundary, with a note', () => {
    const summary = join(dir, 'summary-big.md');
    const ctx: GitHubContext = { serverUrl: '', apiUrl: '', stepSummary: summary };
    appendSummary(ctx, '## head');
    appendSummary(ctx, `| é€𝄞 |\n`.repeat(200_000)); // 2-, 3- and 4-byte characters: about 2.4 MB
    const written = readFileSync(summary);
    expect(written.length).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(written.length).toBeGreaterThan(SUMMARY_LIMIT - 200);
    const text = written.toString('utf8');
    expect(text).not.toContain('\uFFFD'); // no character cut in half
    expect(text.startsWith('## head\n| é€𝄞 |\n')).toBe(true);
    expect(text).toMatch(/cut here: the job summary reached GitHub's 1 MiB limit/);
    appendSummary(ctx, 'more'); // the summary is full: nothing more fits, nothing breaks it
    expect(readFileSync(summary).length).toBeLessThanOrEqual(SUMMARY_LIMIT);
  });

  it('outside GitHub (no summary file, no output file) nothing is written', () => {
    const ctx: GitHubContext = { serverUrl: '', apiUrl: '' };
    expect(appendSummary(ctx, 'x')).toBe(false);
    expect(setOutputs(ctx, { a: 'b' })).toBe(false);
  });
});
