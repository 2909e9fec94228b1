/**
 * `patchgate init`: find the project's upgradeable contracts (and, given a node and addresses or a deploy tool's
 * records, where they are live and who governs them), then write a commented `patchgate.config.json` — or merge
 * what is new into the one that exists, keeping every edit. Asks only on a terminal, and only whether to write;
 * `--yes` (or no terminal) writes without asking. Exit 0 when done, 2 for bad input (an address, a broken config),
 * 3 when the node does not answer.
 */
import { realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { connect } from '../chain/clients.js';
import { inputError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { parseAddress } from '../govern/address.js';
import { writeOutput } from '../report/index.js';
import { type InitResult, initConfig } from '../setup/init.js';
import {
  addOutputOptions,
  addProjectOptions,
  addRpcOption,
  addStoreOptions,
  type OutputOptions,
  stateDirOf,
} from './options.js';

interface InitOptions extends OutputOptions<'text' | 'json'> {
  project?: string;
  config?: string;
  rpc?: string;
  address: { name: string; address: string }[];
  broadcast?: string;
  deployments?: string;
  yes?: boolean;
  force?: boolean;
  stateDir: string;
}

/** `--address name=0x…`, repeatable. */
function namedAddress(value: string, previous: InitOptions['address']): InitOptions['address'] {
  const m = /^([A-Za-z][\w-]*)=(.*)$/.exec(value);
  if (!m) {
    throw inputError(
      'invalid-argument',
      `--address "${value}" is not NAME=ADDRESS`,
      'e.g. --address vault=0x5FbDB2315678afecb367f032d93F642f64180aa3',
    );
  }
  const name = m[1] as string;
  if (previous.some((p) => p.name === name)) {
    throw inputError(
      'invalid-argument',
      `--address ${name} is given twice`,
      'give each live contract its own name (--address vault=0x… --address rewards=0x…)',
    );
  }
  return [...previous, { name, address: parseAddress(m[2] as string, `--address ${name}`) }];
}

/** What init found: the contracts, the live addresses and who governs them. */
function found(r: InitResult): string[] {
  const lines = [
    `patchgate init: ${r.project.layout === 'sources' ? 'Solidity' : r.project.layout} project ${r.project.dir}`,
    r.contracts.length === 0
      ? 'no upgradeable contract found (none inherits Initializable/UUPSUpgradeable or is deployed behind a proxy)'
      : `${r.contracts.length} upgradeable contract${r.contracts.length === 1 ? '' : 's'}:`,
  ];
  const width = Math.max(0, ...r.contracts.map((c) => c.reference.length));
  for (const c of r.contracts)
    lines.push(`  ${c.reference.padEnd(width)}  ${c.kind.padEnd(11)}  ${c.reasons.join('; ')}`);
  if (r.live.length > 0) lines.push(`live${r.chainId !== undefined ? ` on chain ${r.chainId}` : ''}:`);
  for (const l of r.live) {
    const build = l.contract
      ? ` → ${l.contract.reference} (${l.contract.matchedBy})`
      : ' → no matching build';
    lines.push(`  ${l.name}  ${l.address}  ${l.kind ?? 'kind unknown'}${build}`);
    if (l.upgrade) lines.push(`    upgraded by: ${l.upgrade}`);
  }
  return lines;
}

/** What happened to the file, what differs from the file and was kept, and what to look at. */
function outcome(r: InitResult, shown: string, written: boolean): string[] {
  const lines = [
    r.outcome === 'unchanged'
      ? `${shown} unchanged: nothing new to add`
      : `${written ? (r.outcome === 'created' ? 'wrote' : 'updated') : 'would write'} ${shown}${r.outcome === 'updated' ? ` (added ${r.added.join(', ') || 'nothing'})` : ''}`,
  ];
  for (const d of r.differences) {
    const yours = d.yours === undefined ? 'nothing' : JSON.stringify(d.yours);
    lines.push(
      r.forced
        ? `  ${d.path}: replaced ${yours} with ${JSON.stringify(d.found)} (--force)`
        : `  ${d.path}: kept ${yours}, init found ${JSON.stringify(d.found)} (--force replaces it)`,
    );
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.outcome === 'created' && written)
    lines.push('next: add "patches" (the comments in the file show how), then `patchgate check --all`');
  return lines;
}

function json(r: InitResult, shown: string, written: boolean): string {
  const { text: _text, project, configFile: _file, ...rest } = r;
  return `${JSON.stringify(
    {
      tool: { name: 'patchgate', version: VERSION },
      verdict: 'pass',
      report: 'init',
      project,
      config: shown,
      written,
      ...rest,
    },
    null,
    2,
  )}\n`;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}

/**
 * The config, replaced whole at once (a crash leaves the old file or the new one, never half of one). A config
 * that is a symlink (a shared config kept elsewhere) stays one: its target is what gets replaced.
 */
function writeConfig(path: string, text: string): void {
  let file = path;
  try {
    file = realpathSync(path);
  } catch {
    // Not there yet (or a dangling link): written where it was asked for.
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw inputError(
      'out-unwritable',
      `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'run init where you may write, or pass --config PATH',
    );
  }
}

export function initCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('init').description(
    'find the upgradeable contracts (and where they are live) and write a commented patchgate.config.json',
  );
  addProjectOptions(
    cmd,
    'Foundry, Hardhat or plain-Solidity project directory (default: .)',
    'the config to write or merge into (default: <project>/patchgate.config.json)',
  );
  addRpcOption(cmd, { note: 'reads proxy kind, admin chain and governance of the live addresses' });
  cmd
    .option(
      '--address <name=0x…>',
      'a live proxy (or contract) by name, e.g. vault=0x… (repeatable)',
      namedAddress,
      [],
    )
    .option('--broadcast <dir>', "Foundry's broadcast/ folder (default: the project's, if any)")
    .option(
      '--deployments <dir>',
      "hardhat-deploy's deployments/ folder or one network's (default: the project's)",
    )
    .option('--yes', 'write without asking (the default without a terminal)')
    .option(
      '--force',
      'replace values of an existing config that differ from what init found (default: keep yours)',
    );
  addStoreOptions(cmd, { database: false });
  addOutputOptions(cmd, ['text', 'json']);
  cmd.action(async (opts: InitOptions) => {
    const projectDir = resolve(opts.project ?? '.');
    const configFile = resolve(opts.config ?? resolve(projectDir, 'patchgate.config.json'));
    const shown = relative(process.cwd(), configFile) || configFile;
    const clients = opts.rpc ? await connect(opts.rpc) : undefined;
    if (!clients && opts.address.length > 0) {
      throw inputError(
        'missing-rpc',
        '--address needs --rpc: the proxy kind, the build it runs and the governance are read from the chain',
        'pass --rpc URL of the chain the addresses are on',
      );
    }
    const result = await initConfig({
      projectDir,
      stateDir: stateDirOf(opts),
      configFile,
      ...(clients ? { client: clients.public } : {}),
      addresses: opts.address,
      ...(opts.broadcast !== undefined ? { broadcast: resolve(opts.broadcast) } : {}),
      ...(opts.deployments !== undefined ? { deployments: resolve(opts.deployments) } : {}),
      force: opts.force ?? false,
    });
    let written = false;
    if (result.outcome !== 'unchanged') {
      const ask = !opts.yes && process.stdin.isTTY === true && process.stderr.isTTY === true;
      if (ask) process.stderr.write(`${found(result).join('\n')}\n`);
      if (!ask || (await confirm(`${result.outcome === 'created' ? 'Write' : 'Update'} ${shown}? [Y/n] `))) {
        writeConfig(configFile, result.text);
        written = true;
      } else {
        process.stderr.write(`${shown} left as it was\n`);
        onExit(0);
        return;
      }
    }
    const text = [...found(result), ...outcome(result, shown, written)].join('\n');
    writeOutput(opts.format === 'json' ? json(result, shown, written) : `${text}\n`, opts.out);
    onExit(0);
  });
  return cmd;
}
