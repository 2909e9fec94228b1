/**
 * Real Foundry builds of the fixtures under test/fixtures/foundry: the forge binary from npm
 * (`@foundry-rs/forge-<platform>`, no postinstall needed) compiling with the pinned solc-js through
 * scripts/solc-js-native.mjs (forge cannot download solc here). Each fixture is staged twice under
 * test/.cache/forge/<name>-<content hash>/ — `built/` (after `forge build`) and `plain/` (never built, so
 * patchgate compiles it itself) — and reused while the fixture, forge and the compiler are unchanged.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliResult, runCli } from './cli.js';

const require = createRequire(import.meta.url);
const FIXTURES = fileURLToPath(new URL('../fixtures/foundry/', import.meta.url));
const CACHE = fileURLToPath(new URL('../.cache/forge/', import.meta.url));
export const SOLC_NATIVE = fileURLToPath(new URL('../../scripts/solc-js-native.mjs', import.meta.url));

export function forgeBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = require.resolve(`@foundry-rs/forge-${process.platform}-${arch}/package.json`);
  return join(dirname(pkg), 'bin', 'forge');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

/** OpenZeppelin's .sol files (no build artifacts) as the git submodules of a Foundry project lay them out. */
function addOpenZeppelinLib(dir: string): void {
  const solOnly = (src: string) =>
    statSync(src).isDirectory() ? basename(src) !== 'build' : src.endsWith('.sol');
  const oz = dirname(require.resolve('@openzeppelin/contracts/package.json'));
  const ozUp = dirname(require.resolve('@openzeppelin/contracts-upgradeable/package.json'));
  const root = join(dir, 'lib/openzeppelin-contracts-upgradeable');
  cpSync(ozUp, join(root, 'contracts'), { recursive: true, filter: solOnly });
  cpSync(oz, join(root, 'lib/openzeppelin-contracts/contracts'), { recursive: true, filter: solOnly });
}

export function forge(dir: string, args: string[]): { code: number; output: string } {
  const r = spawnSync(forgeBinary(), [...args, '--use', SOLC_NATIVE], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FOUNDRY_DISABLE_NIGHTLY_WARNING: '1' },
    timeout: 240_000,
  });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

export interface StagedFixture {
  /** The project after `forge build`. */
  built: string;
  /** The same project, never built: patchgate compiles its sources itself. */
  plain: string;
}

/** Stage a fixture (with OpenZeppelin under lib/ when `oz`) and build it once with real forge. */
export function stageFoundry(name: string, opts: { oz?: boolean } = {}): StagedFixture {
  const src = join(FIXTURES, name);
  const hash = createHash('sha256');
  for (const f of filesUnder(src))
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(src, f)))
      .update('\0');
  hash
    .update(readFileSync(SOLC_NATIVE))
    .update(String(statSync(forgeBinary()).size))
    .update(String(opts.oz));
  hash.update(readFileSync(require.resolve('solc/package.json')));
  const root = join(CACHE, `${name}-${hash.digest('hex').slice(0, 16)}`);
  const staged = { built: join(root, 'built'), plain: join(root, 'plain') };
  if (existsSync(join(root, 'done'))) return staged;
  rmSync(root, { recursive: true, force: true });
  const work = `${root}.${process.pid}`;
  for (const which of ['built', 'plain']) {
    cpSync(src, join(work, which), { recursive: true });
    if (opts.oz) addOpenZeppelinLib(join(work, which));
  }
  const { code, output } = forge(join(work, 'built'), ['build']);
  if (code !== 0) throw new Error(`forge build failed in ${relative(process.cwd(), work)}:\n${output}`);
  mkdirSync(join(work, 'done'));
  renameSync(work, root);
  return staged;
}

/** `patchgate check --format json` on a project; the report with the exit code. */
export function checkJson(
  project: string,
  reference: string,
  candidate: string,
): { code: number; report: Record<string, unknown>; result: CliResult } {
  const result = runCli([
    'check',
    '--project',
    project,
    '--reference',
    reference,
    '--candidate',
    candidate,
    '--format',
    'json',
    '--state-dir',
    join(project, '.patchgate'),
  ]);
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    // left empty: the caller's assertion shows stdout and stderr
  }
  return { code: result.code, report, result };
}

/** What must be the same however the project was built: the verdict and every finding. */
export function verdictAndFindings(report: Record<string, unknown>): unknown {
  const findings = (report.findings ?? []) as Record<string, unknown>[];
  return {
    verdict: report.verdict,
    findings: findings.map(({ id, severity, title, message, location, status }) => ({
      id,
      severity,
      title,
      message,
      location,
      status,
    })),
  };
}
