/**
 * Attacks on `patchgate ci` and its GitHub Action: what a pull request's author controls (file and contract names in
 * findings, comments on the pull request, the action's inputs through a workflow) must not move the gate, edit what
 * is not ours, issue workflow commands or run code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  annotation,
  commentMarker,
  type GitHubContext,
  gitHubContext,
  setOutputs,
  upsertComment,
} from '../../src/cli/github.js';
import { makeRepo, type Repo, runAction, setPatches } from '../helpers/action.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/github-api.js';

let api: FakeGitHub;
let repo: Repo;
let dir: string;

beforeAll(async () => {
  api = await startFakeGitHub();
  repo = makeRepo(['fix-flash-deposit']);
  dir = mkdtempSync(join(tmpdir(), 'pg-ci-adv-'));
});
afterAll(async () => {
  await api.close();
  rmSync(repo.root, { recursive: true, force: true });
});

function prContext(pr: number): GitHubContext {
  const event = join(dir, `event-${pr}.json`);
  writeFileSync(
    event,
    JSON.stringify({
      pull_request: { number: pr, base: { sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40) } },
    }),
  );
  return gitHubContext({
    GITHUB_REPOSITORY: 'acme/vault',
    GITHUB_API_URL: api.url,
    GITHUB_TOKEN: api.token,
    GITHUB_EVENT_PATH: event,
  });
}

describe('the pull-request comment', () => {
  it("a person's comment that starts with patchgate's marker is never edited: the report gets its own comment", async () => {
    const marker = commentMarker('contracts');
    const fake = api.add(2, `${marker}\n## patchgate: PASS`, { login: 'mallory', type: 'User' });
    api.add(2, `${commentMarker('other')}\nanother project's report`);
    const result = await upsertComment(prContext(2), marker, '## patchgate: FAIL');
    expect(result.action).toBe('created');
    expect(fake.body).toBe(`${marker}\n## patchgate: PASS`);
    expect(api.comments.get(2)?.map((c) => c.body)).toEqual([
      `${marker}\n## patchgate: PASS`,
      `${commentMarker('other')}\nanother project's report`,
      `${marker}\n## patchgate: FAIL`,
    ]);
  });

  it('an API error body that echoes the token does not print it', async () => {
    const ctx = prContext(3);
    const result = await upsertComment({ ...ctx, apiUrl: `${api.url}/echo` }, 'm', 'b');
    expect(result).toMatchObject({ action: 'failed', reason: expect.stringContaining('HTTP 401 ') });
    expect(result.reason).not.toContain(api.token);
  });
});

describe('workflow commands', () => {
  it('a finding whose message holds a newline and a workflow command can not issue the command', () => {
    const line = annotation({
      level: 'error',
      file: 'src/a,b:c.sol',
      line: 12,
      title: 'storage: x',
      message: 'bad\n::add-mask::secret 100%\r\n::set-output name=verdict::pass',
    });
    expect(line.split(/\r|\n/)).toHaveLength(1);
    expect(line).toBe(
      '::error file=src/a%2Cb%3Ac.sol,line=12,title=storage%3A x::bad%0A::add-mask::secret 100%25%0D%0A::set-output name=verdict::pass',
    );
  });

  it('a step output value holding a newline and another output can not set that output', () => {
    const output = join(dir, 'output');
    setOutputs(
      { serverUrl: '', apiUrl: '', output },
      { 'sarif-dir': '/tmp/x\nverdict=pass\nverdict<<EOF\npass\nEOF' },
    );
    const text = readFileSync(output, 'utf8');
    const parsed = [...text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]);
    expect(parsed).toEqual([['sarif-dir', '/tmp/x\nverdict=pass\nverdict<<EOF\npass\nEOF']]);
  });
});

describe("the pull request's own config", () => {
  it("a pull request that points its contract's reference at its own candidate is still compared with the base's reference", async () => {
    const bad = 'src/bad/VaultV2StorageCollision.sol:VaultV2StorageCollision';
    setPatches(repo.project, ['fix-flash-deposit', 'storage-collision'], (c) => {
      c.contracts.vault = { reference: bad, kind: 'transparent' };
    });
    try {
      const r = await runAction(api, repo, 20, { INPUT_COMMENT: 'false' });
      expect(r.code).toBe(1);
      expect(r.outputs.verdict).toBe('fail');
      expect(r.summary).toContain('storage-layout-incompatible');
      expect(r.summary).toMatch(
        /changes contract `vault`'s reference or kind; the base's \(`src\/VaultV1\.sol:VaultV1`/,
      );
    } finally {
      setPatches(repo.project, ['fix-flash-deposit']);
    }
  });

  it('a pull request that acknowledges its own blocking finding still fails: only the base branch acknowledges', async () => {
    setPatches(repo.project, ['fix-flash-deposit', 'storage-collision'], (c) => {
      c.acknowledge.push({ id: 'storage-layout-incompatible', reason: 'trust me' });
    });
    try {
      const r = await runAction(api, repo, 21, { INPUT_COMMENT: 'false' });
      expect(r.code).toBe(1);
      expect(r.outputs.verdict).toBe('fail');
      expect(r.summary).toContain(
        'acknowledgement `storage-layout-incompatible` is added by this pull request',
      );
    } finally {
      setPatches(repo.project, ['fix-flash-deposit']);
    }
  });
});

describe("the action's inputs", () => {
  it('an input that is a shell expression is passed to patchgate as a value, never run', async () => {
    const marker = join(dir, 'pwned');
    const r = await runAction(api, repo, 15, { INPUT_BASE: `$(touch ${marker})`, INPUT_COMMENT: 'false' });
    expect(r.code).toBe(2);
    expect(r.outputs.verdict).toBe('error');
    expect(() => readFileSync(marker)).toThrow();
  });

  it('a base revision that is an option of git (--upload-pack=…) is refused before git runs', async () => {
    const marker = join(dir, 'pwned-git');
    const r = await runAction(api, repo, 16, {
      INPUT_BASE: `--upload-pack=touch ${marker}`,
      INPUT_COMMENT: 'false',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--upload-pack');
    expect(() => readFileSync(marker)).toThrow();
  });

  it('a project that does not exist is exit 2, published as an error, never as a pass', async () => {
    const r = await runAction(api, repo, 17, { INPUT_PROJECT: '/nonexistent', INPUT_COMMENT: 'false' });
    expect(r.code).toBe(2);
    expect(r.outputs).toMatchObject({ verdict: 'error', blocking: '0' });
    expect(r.summary).toContain('## patchgate: ERROR');
  });
});
