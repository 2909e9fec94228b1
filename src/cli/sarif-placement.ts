/**
 * Where a SARIF or Markdown report places a project's findings, read from the disk: URIs relative to the git
 * repository's top level above the project (GitHub code scanning resolves them from there), which source paths are
 * files of the repository — not a library under `node_modules/`, not a remapped import that exists nowhere under
 * the project, not a file inside a git submodule (`lib/…` in Foundry projects: GitHub cannot show those either) —,
 * the source text Markdown quotes under each finding, and the web address its links start from.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { inputError } from '../core/errors.js';
import type { RenderOptions } from '../report/index.js';

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file for worktrees and submodules). */
function repositoryRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** `--source-root DIR`: where SARIF URIs start, when the nearest `.git` is not the right root. */
export function addSourceRootOption(cmd: Command): Command {
  return cmd.option(
    '--source-root <dir>',
    "SARIF URIs and Markdown links start at this directory (default: the git repository's top level above " +
      'the project)',
  );
}

/** `--source-url URL`: where Markdown links start, when GitHub's variables do not say it. */
export function addSourceUrlOption(cmd: Command): Command {
  return cmd.option(
    '--source-url <url>',
    'Markdown: link each location to <url>/<path>#L<line>, e.g. https://github.com/OWNER/REPO/blob/SHA ' +
      '(default in GitHub Actions: the repository at the pull request head or GITHUB_SHA)',
  );
}

/**
 * The repository's tree at the reviewed commit, as GitHub Actions describes it: `GITHUB_SERVER_URL`,
 * `GITHUB_REPOSITORY`, and the pull request's head commit from `GITHUB_EVENT_PATH` (GITHUB_SHA is the merge
 * commit there, which GitHub may delete) or else `GITHUB_SHA`. Undefined outside Actions.
 */
function githubSourceUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  if (!server || !repository) return undefined;
  let sha = env.GITHUB_SHA;
  try {
    if (env.GITHUB_EVENT_PATH) {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
        pull_request?: { head?: { sha?: unknown } };
      };
      const head = event.pull_request?.head?.sha;
      if (typeof head === 'string' && /^[0-9a-f]{40}$/.test(head)) sha = head;
    }
  } catch {
    // An unreadable event file: GITHUB_SHA is still a commit of the repository.
  }
  return sha ? `${server.replace(/\/+$/, '')}/${repository}/blob/${sha}` : undefined;
}

/** A `--source-url` value: an http(s) address (exit 2 otherwise, before any work). */
function sourceUrlOf(value: string | undefined): string | undefined {
  if (value === undefined) return githubSourceUrl();
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw inputError(
      'invalid-argument',
      `--source-url "${value}" is not an http(s) address`,
      'pass the web address of the repository at the commit, e.g. https://github.com/OWNER/REPO/blob/SHA',
    );
  }
  return value.replace(/\/+$/, '');
}

/** A source file as findings name it: the project's own, or a package import (`@openzeppelin/…`) where npm put it. */
function readSource(projectDir: string, top: string, file: string): string | undefined {
  for (const path of [resolve(projectDir, file), resolve(projectDir, 'node_modules', file)]) {
    try {
      // Only a file of the repository or of a package: a report never prints a file of the machine it runs on.
      const real = realpathSync(path);
      const rel = relative(realpathSync(top), real);
      if ((rel.startsWith('..') || isAbsolute(rel)) && !real.split(sep).includes('node_modules')) continue;
      return readFileSync(real, 'utf8');
    } catch {
      // not there: try the next place
    }
  }
  return undefined;
}

/**
 * @example
 * ```ts
 * renderReport(report, 'sarif', { ...sarifPlacement(projectDir, opts.sourceRoot) });
 * ```
 */
export function sarifPlacement(
  projectDir: string,
  sourceRoot?: string,
  sourceUrl?: string,
): Pick<RenderOptions, 'rootDir' | 'sourceRoot' | 'inRepository' | 'sourceText' | 'sourceUrl'> {
  if (sourceRoot !== undefined && !statSync(sourceRoot, { throwIfNoEntry: false })?.isDirectory()) {
    throw inputError(
      'invalid-argument',
      `--source-root "${sourceRoot}" is not a directory`,
      "pass the repository's top level (the directory GitHub resolves SARIF paths from), or drop --source-root",
    );
  }
  const root = sourceRoot !== undefined ? resolve(sourceRoot) : repositoryRoot(projectDir);
  const top = root ?? resolve(projectDir);
  const url = sourceUrlOf(sourceUrl);
  const texts = new Map<string, string | undefined>();
  return {
    rootDir: projectDir,
    ...(root ? { sourceRoot: root } : {}),
    ...(url ? { sourceUrl: url } : {}),
    sourceText(file) {
      if (!texts.has(file)) texts.set(file, readSource(projectDir, top, file));
      return texts.get(file);
    },
    inRepository(file) {
      const path = resolve(projectDir, file);
      const rel = relative(top, path);
      if (!existsSync(path) || rel.startsWith('..') || rel.split(sep).includes('node_modules')) return false;
      // A submodule (or a repository nested in this one) between the file and the top level: not this repository's.
      for (let d = dirname(path); d !== top && d.startsWith(top); d = dirname(d)) {
        if (existsSync(join(d, '.git'))) return false;
      }
      return true;
    },
  };
}
