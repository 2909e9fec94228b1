/**
 * Attacks on `patchgate ci` and its GitHub Action: what a pull request's author controls (file and contract names in
 * findings, comments on the pull request, the action's inputs through a workflow) must not move the gate, edit what
 * is not ours, issue workflow commands or run code.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
import { renderReport } from '../../src/report/index.js';
import type { Report } from '../../src/report/report.js';
import { sampleReport as sampleCheckReport } from '../../src/report/sample-report.fixture.js';
import { git, makeRepo, type Repo, runAction, setPatches } from '../helpers/action.js';
import { runCli } from '../helpers/cli.js';
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

describe('what patchgate prints', () => {
  it('a file name holding a newline and a workflow command, printed in an error, is only text: commands are stopped', async () => {
    const evil = join(repo.project, 'src', 'a\n::warning title=PWNED::injected-by-filename\n.sol');
    writeFileSync(evil, 'this is not Solidity\n');
    try {
      const r = await runAction(api, repo, 30, { INPUT_COMMENT: 'false' });
      expect(r.code).toBe(2);
      expect(`${r.stdout}${r.stderr}`).toContain('::warning title=PWNED::injected-by-filename');
      // Commands are off from the first line on; they come on only for patchgate's own annotations, then off again.
      const lines = r.stdout.split('\n');
      const stop = lines[0]?.match(/^::stop-commands::(patchgate-[0-9a-f]{32})$/);
      expect(stop).not.toBeNull();
      let off = true;
      for (const line of lines.slice(1)) {
        const on = line.match(/^::(patchgate-[0-9a-f]{32})::$/);
        if (on) off = false;
        else if (/^::stop-commands::patchgate-[0-9a-f]{32}$/.test(line)) off = true;
        else if (line.includes('PWNED')) expect(off).toBe(true);
        else if (!off) expect(line).toMatch(/^::(error|warning|notice)[ :]/);
      }
      expect(off).toBe(true);
    } finally {
      rmSync(evil, { force: true });
    }
  });

  it('a committed symlink to a file of the runner (/etc/passwd) is not read: exit 2, its contents printed nowhere', async () => {
    const link = join(repo.project, 'src', 'x.sol');
    symlinkSync('/etc/passwd', link);
    try {
      const r = await runAction(api, repo, 31, { INPUT_COMMENT: 'false' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('outside the project');
      expect(`${r.stdout}${r.stderr}${r.summary}`).not.toContain('root:');
    } finally {
      rmSync(link, { force: true });
    }
  });

  it('an import of an absolute path or of ../ out of the repository is not read', async () => {
    const file = join(repo.project, 'src', 'Leak.sol');
    for (const target of ['/etc/hostname', '../../../../../../../../../../etc/passwd']) {
      writeFileSync(file, `// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\nimport "${target}";\n`);
      try {
        const r = await runAction(api, repo, 32, { INPUT_COMMENT: 'false' });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('outside the project');
        expect(`${r.stdout}${r.stderr}${r.summary}`).not.toContain('root:');
      } finally {
        rmSync(file, { force: true });
      }
    }
  });
});

describe('the Markdown comment', () => {
  it('a file name that closes <details>, adds HTML and mentions someone stays inside its code span', () => {
    const file = 'src/`</summary></details><h1>PASS</h1> @octocat <img src=x>.sol';
    const report = {
      ...sampleCheckReport(),
      findings: [
        {
          id: 'storage-layout-incompatible',
          severity: 'critical' as const,
          title: 'Storage layout incompatible </details>',
          message: `${file} breaks the layout @octocat </details><h1>PASS</h1>`,
          blocking: true,
          status: 'introduced' as const,
          location: { file, line: 3, contract: 'Vault`</details>' },
        },
      ],
    };
    const md = renderReport(report as Report, 'md');
    // What GitHub renders as markup: the text outside code spans and fences.
    const markup = md.replace(/^```[\s\S]*?^```/gm, '').replace(/(`+)([^\n]*?[^`\n])\1(?!`)/g, '');
    expect(markup).not.toMatch(/<h1>|<img |<\/summary><\/details><h1>/);
    expect(markup).not.toMatch(/@octocat/);
    // The only <details> tags are the renderer's own, balanced.
    expect(markup.match(/<details/g)?.length).toBe(1);
    expect(markup.match(/<\/details>/g)?.length).toBe(1);
  });
});

describe('the state dir', () => {
  it('a forged analysis committed in the state dir is not trusted: ci refuses a state dir with committed files', () => {
    const own = makeRepo(['fix-flash-deposit']);
    try {
      const forged = join(own.root, '.patchgate', 'cache', 'check');
      mkdirSync(forged, { recursive: true });
      writeFileSync(join(forged, `${'0'.repeat(64)}.json`), JSON.stringify({ findings: [] }));
      git(own.root, 'add', '-f', '.patchgate/cache/check');
      git(own.root, 'commit', '-qm', 'a cached pass');
      const r = runCli(['ci', '--base', 'main', '--project', own.project, '--simulate', 'never'], {
        cwd: own.root,
        env: { GITHUB_ACTIONS: '' },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('holds files committed to the repository');
      expect(r.stdout).not.toContain('PASS');
    } finally {
      rmSync(own.root, { recursive: true, force: true });
    }
  });

  it('a forged proof and analysis committed in the state dir are not trusted by check, prove or scan on that checkout either', () => {
    const own = makeRepo(['fix-flash-deposit']);
    try {
      const state = join(own.project, '.patchgate');
      mkdirSync(join(state, 'cache', 'smt'), { recursive: true });
      writeFileSync(
        join(state, 'cache', 'smt', `${'0'.repeat(64)}.json`),
        '{"format":"patchgate-smt-1","output":"{}"}',
      );
      git(own.root, 'add', '-f', 'contracts/.patchgate/cache/smt');
      git(own.root, 'commit', '-qm', 'a cached proof');
      for (const args of [
        ['check', '--patch', 'fix-flash-deposit'],
        ['prove', 'VaultV2'],
        ['scan', 'VaultV2'],
      ]) {
        const r = runCli([...args, '--project', own.project, '--state-dir', state], { cwd: own.project });
        expect(r.code, args[0]).toBe(2);
        expect(r.stderr.split('\n')[0]).toBe(
          'patchgate: the state dir .patchgate holds files committed to the repository (cache/smt/' +
            `${'0'.repeat(64)}.json): cached results there are not trusted`,
        );
      }
    } finally {
      rmSync(own.root, { recursive: true, force: true });
    }
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

  it("a pull request that points the base's patch at an unchanged contract and edits the base's candidate still has that candidate checked", async () => {
    const v2 = join(repo.project, 'src', 'VaultV2.sol');
    const original = readFileSync(v2, 'utf8');
    writeFileSync(
      v2,
      original.replace(
        '    uint256 public flashFeeBps;',
        '    uint256 public evil;\n    uint256 public flashFeeBps;',
      ),
    );
    setPatches(repo.project, ['fix-flash-deposit'], (c) => {
      const patch = c.patches[0] as { candidate?: string };
      patch.candidate = 'src/VaultV1.sol:VaultV1';
    });
    try {
      const r = await runAction(api, repo, 22, { INPUT_COMMENT: 'false' });
      expect(r.code).toBe(1);
      expect(r.outputs.verdict).toBe('fail');
      expect(r.summary).toContain("the base's candidate `src/VaultV2.sol:VaultV2` is still checked");
      expect(r.summary).toContain('storage-layout-incompatible');
    } finally {
      writeFileSync(v2, original);
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

  it("a pull request that turns the proofs off and drops deposit's lock is still proved: the base's prove settings apply", async () => {
    const v2 = join(repo.project, 'src', 'VaultV2.sol');
    const original = readFileSync(v2, 'utf8');
    writeFileSync(
      v2,
      original.replace(
        'function deposit(uint256 assets, address receiver) public virtual override nonReentrant returns',
        'function deposit(uint256 assets, address receiver) public virtual override returns',
      ),
    );
    setPatches(repo.project, ['fix-flash-deposit'], (c) => {
      (c as unknown as { prove: unknown }).prove = { enabled: false };
    });
    try {
      const r = await runAction(api, repo, 23, { INPUT_COMMENT: 'false' });
      expect(r.code).toBe(1);
      expect(r.outputs.verdict).toBe('fail');
      expect(r.summary).toContain('prove-violated');
      expect(r.summary).toMatch(/this pull request changes the prove settings .*the base's .* are used/);
    } finally {
      writeFileSync(v2, original);
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
