/** Projects for `patchgate init` tests: real sources in temp dirs that resolve @openzeppelin from this repository. */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliResult, runCli } from './cli.js';
import { EXAMPLE_DIR, REPO_ROOT, TEST_STATE_DIR } from './example.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/init/', import.meta.url));
const NODE_MODULES = join(REPO_ROOT, 'node_modules');

/** The example without its config, in a temp dir that resolves @openzeppelin from this repository. */
export function exampleCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-init-vault-'));
  cpSync(join(EXAMPLE_DIR, 'src'), join(dir, 'src'), { recursive: true });
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The Foundry fixture with OpenZeppelin under lib/ (as `forge install` puts it), remapped. */
export function foundryCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-init-foundry-'));
  cpSync(join(FIXTURES, 'foundry'), dir, { recursive: true });
  for (const [lib, pkg] of [
    ['openzeppelin-contracts', '@openzeppelin/contracts'],
    ['openzeppelin-contracts-upgradeable', '@openzeppelin/contracts-upgradeable'],
  ] as const) {
    mkdirSync(join(dir, 'lib', lib), { recursive: true });
    symlinkSync(join(NODE_MODULES, pkg), join(dir, 'lib', lib, 'contracts'), 'dir');
  }
  return dir;
}

/** The Hardhat fixture (hardhat.config.js, contracts/), never built: patchgate compiles it. */
export function hardhatCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-init-hardhat-'));
  cpSync(join(FIXTURES, 'hardhat'), dir, { recursive: true });
  symlinkSync(NODE_MODULES, join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `patchgate init --project DIR` with the shared compile cache. */
export const init = (dir: string, ...args: string[]): CliResult =>
  runCli(['init', '--project', dir, '--state-dir', TEST_STATE_DIR, ...args]);

export interface InitSummary {
  outcome: string;
  written: boolean;
  contracts: { name: string; reference: string; kind: string; reasons: string[] }[];
  live: {
    name: string;
    address: string;
    kind?: string;
    implementation?: string;
    upgrade?: string;
    governance?: {
      proxyAdmin?: string;
      timelock?: { address: string; minDelay: string };
      safe?: { address: string; owners: string[]; threshold: number };
    };
    contract?: { reference: string; matchedBy: string };
  }[];
  added: string[];
  differences: { path: string; yours?: string; found: string }[];
  notes: string[];
}

/** The JSON summary of a successful run; a failed run fails the test with its stderr. */
export function summaryOf(r: CliResult): InitSummary {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as InitSummary;
}
