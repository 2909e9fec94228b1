/**
 * The project as it is at a git revision of its own repository (`check --reference-git REV`): the project
 * folder's files at that commit, extracted from git's object database into `<stateDir>/cache/git/`, keyed by the
 * resolved commit, and loaded with the same `loadProject` as the working tree. Git is run without a shell, with
 * the revision after `--end-of-options`; a revision that is not a commit is refused before anything is written.
 *
 * A cached tree is trusted only after it is checked again against git: every file's blob hash must be the one
 * the commit records, and no file may be added (so an edit in the state dir cannot become the reference).
 * Trees are written in a temporary folder and renamed into place, so a killed run never leaves a half tree.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { environmentError, inputError } from '../core/errors.js';
import { loadProject } from './load.js';
import type { Project } from './types.js';

export interface GitReferenceOptions {
  /** The working tree's project directory (inside a git repository). */
  projectDir: string;
  stateDir: string;
  /** A revision as a user writes it: a branch, tag, `origin/main`, `HEAD~1`, a commit hash. */
  rev: string;
}

export interface GitReference {
  project: Project;
  /** The full commit hash `rev` resolved to. */
  commit: string;
  /** Whether the tree came from the cache (checked against git again). */
  reused: boolean;
}

interface GitRun {
  status: number;
  stdout: Buffer;
  stderr: string;
}

function git(cwd: string, args: readonly string[], input?: string): GitRun {
  const r = spawnSync('git', args, {
    cwd,
    input,
    maxBuffer: 1 << 30,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
  });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw environmentError(
        'git-missing',
        '--reference-git needs git, which is not on PATH',
        'install git (or put it on PATH)',
      );
    }
    throw environmentError('git-failed', `git could not be run: ${r.error.message}`, undefined, r.error);
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function gitOk(cwd: string, args: readonly string[], input?: string): Buffer {
  const r = git(cwd, args, input);
  if (r.status !== 0) {
    throw environmentError(
      'git-failed',
      `git ${args[0]} failed: ${firstLine(r.stderr) || `exit ${r.status}`}`,
      'run the same git command in the repository to see why',
    );
  }
  return r.stdout;
}

/** The repository's top level for a directory inside it; exit 2 when it is not in a git repository. */
function topLevel(dir: string): string {
  const r = git(dir, ['rev-parse', '--show-toplevel']);
  if (r.status !== 0) {
    throw inputError(
      'not-a-git-repo',
      `--reference-git needs a git repository, and ${dir} is not inside one (${firstLine(r.stderr)})`,
      'run check inside the repository checkout, or name the reference with --reference',
    );
  }
  return realpathSync(r.stdout.toString('utf8').trim());
}

/**
 * The commit a revision names. The revision never reaches git as an option: one starting with `-` is refused,
 * and it is passed after `--end-of-options` to `rev-parse --verify`, which answers only for an existing commit.
 */
function resolveCommit(repo: string, rev: string): string {
  if (rev === '' || rev.startsWith('-') || [...rev].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f')) {
    throw inputError(
      'bad-git-revision',
      `--reference-git ${JSON.stringify(rev)} is not a git revision`,
      'pass a branch, tag or commit, e.g. --reference-git origin/main',
    );
  }
  const r = git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  const commit = r.stdout.toString('utf8').trim();
  if (r.status !== 0 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    throw inputError(
      'bad-git-revision',
      `--reference-git ${rev} names no commit in ${repo}`,
      'pass a branch, tag or commit that exists locally (in CI: fetch the base branch first, e.g. `git fetch origin main`)',
    );
  }
  return commit;
}

interface TreeFile {
  mode: string;
  blob: string;
  /** Path relative to the repository's top level, `/`-separated. */
  path: string;
}

/**
 * The regular files of the project folder at a commit. Symbolic links and submodules (gitlinks) are left out:
 * a link could point anywhere on this machine, and a submodule's files are not in this repository (its
 * dependencies resolve from the working tree, as node_modules do).
 */
function treeFiles(repo: string, commit: string, rel: string): TreeFile[] {
  const args = ['ls-tree', '-r', '-z', '--full-tree', commit];
  const out = gitOk(repo, rel ? [...args, '--', rel] : args).toString('utf8');
  const files: TreeFile[] = [];
  for (const line of out.split('\0')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const [mode, type, blob] = line.slice(0, tab).split(' ');
    const path = line.slice(tab + 1);
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755') || !blob) continue;
    const parts = path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git')) continue;
    files.push({ mode, blob, path });
  }
  return files;
}

/** Git's blob id of a file's content (SHA-1 or SHA-256, as the repository uses). */
function blobId(content: Buffer, length: number): string {
  const h = createHash(length === 64 ? 'sha256' : 'sha1');
  h.update(`blob ${content.length}\0`);
  h.update(content);
  return h.digest('hex');
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  visit(root);
  return out;
}

/** Whether a tree holds exactly these files with exactly these contents (nothing added, changed or missing). */
function treeMatches(root: string, files: readonly TreeFile[]): boolean {
  try {
    const present = listFiles(root);
    if (present.length !== files.length) return false;
    const want = new Set(files.map((f) => f.path));
    if (present.some((p) => !want.has(p))) return false;
    return files.every((f) => blobId(readFileSync(join(root, f.path)), f.blob.length) === f.blob);
  } catch {
    return false;
  }
}

/** The blobs' contents, read in one `git cat-file --batch`. */
function readBlobs(repo: string, files: readonly TreeFile[]): Map<string, Buffer> {
  const out = gitOk(repo, ['cat-file', '--batch'], `${files.map((f) => f.blob).join('\n')}\n`);
  const blobs = new Map<string, Buffer>();
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    const [id, type, size] = out.subarray(at, eol).toString('utf8').split(' ');
    if (type !== 'blob' || !id) throw environmentError('git-failed', `git cat-file: unexpected ${type}`);
    const start = eol + 1;
    const end = start + Number(size);
    blobs.set(id, out.subarray(start, end));
    at = end + 1;
  }
  return blobs;
}

/** Write the files into a fresh temporary folder and rename it into place (or keep a racing run's tree). */
function extract(repo: string, files: readonly TreeFile[], target: string): void {
  const parent = resolve(target, '..');
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const blobs = readBlobs(repo, files);
    mkdirSync(tmp);
    for (const f of files) {
      const file = join(tmp, ...f.path.split('/'));
      mkdirSync(resolve(file, '..'), { recursive: true });
      writeFileSync(file, blobs.get(f.blob) as Buffer, { mode: f.mode === '100755' ? 0o755 : 0o644 });
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // A concurrent run renamed its (identical) tree into place first: that one is checked by the caller.
    const code = (e as NodeJS.ErrnoException).code;
    if (existsSync(target) && (code === 'ENOTEMPTY' || code === 'EEXIST')) return;
    throw e;
  }
}

/**
 * The project as it is at `rev`: its folder extracted from git into the state dir (cached by commit, verified
 * against git on every use) and loaded like the working tree. Dependencies that are not in git (node_modules,
 * submodules under lib/) resolve from the working tree's project.
 *
 * @example
 * ```ts
 * const { project, commit } = await gitReferenceProject({
 *   projectDir: 'examples/vault',
 *   stateDir: '.patchgate',
 *   rev: 'origin/main',
 * });
 * ```
 */
export async function gitReferenceProject(opts: GitReferenceOptions): Promise<GitReference> {
  if (!statSync(resolve(opts.projectDir), { throwIfNoEntry: false })?.isDirectory()) {
    throw inputError(
      'project-not-found',
      `project directory ${opts.projectDir} does not exist`,
      'check the --project path',
    );
  }
  const projectDir = realpathSync(resolve(opts.projectDir));
  const repo = topLevel(projectDir);
  const commit = resolveCommit(repo, opts.rev);
  const rel = relative(repo, projectDir).split(sep).join('/');
  const files = treeFiles(repo, commit, rel);
  const label = `${rel || '.'} at ${opts.rev} (${commit.slice(0, 10)})`;
  if (files.length === 0) {
    throw inputError(
      'project-not-in-revision',
      `project folder ${rel || '.'} has no files at --reference-git ${opts.rev} (${commit.slice(0, 10)})`,
      'the project is new since that revision: check it with --reference instead, or pass an older-or-equal base',
    );
  }
  const key = rel ? `${commit}-${createHash('sha256').update(rel).digest('hex').slice(0, 12)}` : commit;
  const root = join(resolve(opts.stateDir), 'cache', 'git', key);
  const reused = existsSync(root) && treeMatches(root, files);
  if (!reused) {
    extract(repo, files, root);
    if (!treeMatches(root, files)) {
      throw environmentError(
        'git-failed',
        `the tree of ${label} written to ${root} does not match git`,
        'remove that folder and run again; check the disk and the state dir permissions',
      );
    }
  }
  const dir = rel ? join(root, ...rel.split('/')) : root;
  const project = await loadProject({ dir, stateDir: opts.stateDir, dependencyDir: projectDir });
  return { project: { ...project, label, aliasDir: projectDir }, commit, reused };
}

/**
 * The text of one file as it is at `commit` (a full hash that `gitReferenceProject` resolved), or undefined when the
 * file is not there. `file` is a path in the working tree of the same repository. What `patchgate ci` reads the base
 * revision's config with: a pull request does not choose what its patches are compared with.
 */
export function fileAtRevision(file: string, commit: string): string | undefined {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    throw inputError(
      'bad-git-revision',
      `${JSON.stringify(commit)} is not a full commit hash`,
      'pass a resolved commit',
    );
  }
  const path = realpathSync(resolve(file));
  const repo = topLevel(dirname(path));
  const rel = relative(repo, path).split(sep).join('/');
  const r = git(repo, ['cat-file', 'blob', `${commit}:${rel}`]);
  return r.status === 0 ? r.stdout.toString('utf8') : undefined;
}
