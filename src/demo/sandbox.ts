/**
 * The sandbox: the bundled example (examples/vault) deployed on an embedded anvil that stays up, V1 live and no
 * patch proposed, so that a newcomer runs README's lifecycle by hand against it. What it leaves in the state dir:
 * a fresh store, the compiler cache, a config whose `live` addresses point at the sandbox's chain, and the
 * environment (RPC, the test keys' variables, the addresses) as `export` lines. `demo --keep` leaves its chain
 * up the same way, after the lifecycle (sandboxEnvironment, writeSandboxFiles).
 */

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Address, HDAccount, Hex } from 'viem';
import { loadProject } from '../build/index.js';
import { type Anvil, freePort, startAnvil } from '../chain/anvil.js';
import { connect, localAccount } from '../chain/clients.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import { jsonText } from '../core/report-json.js';
import { deploySystem, withLiveAddresses } from '../system/deploy.js';
import { accountFor, type DeployedSystem } from '../system/model.js';
import { FIX } from './lifecycle.js';
import { demoFiles, openThrowawayStore } from './throwaway.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/vault/', import.meta.url));

/** The port a node is usually found on; the sandbox takes it when it is free. */
const USUAL_PORT = 8545;

/** Local accounts and the variables holding their keys, as README's lifecycle commands name them. */
const KEYS: ReadonlyArray<[variable: string, account: number, role: string]> = [
  ['DEPLOYER_KEY', 0, 'deploys the candidate (propose)'],
  ['OWNER1_KEY', 1, 'Safe owner 1 (approve)'],
  ['OWNER2_KEY', 2, 'Safe owner 2 (approve)'],
  ['OWNER3_KEY', 3, 'Safe owner 3 (approve)'],
  ['SUBMITTER_KEY', 4, 'pays gas for queue and execute (any account)'],
  ['LOG_KEY', 5, 'signs the log head (log head)'],
  ['CANCELLER_KEY', 6, 'the timelock canceller (watch)'],
  ['GUARDIAN_KEY', 9, 'the pause-only guardian (pause, watch)'],
];

/** A local test account's private key (anvil's default mnemonic: public knowledge, for local chains only). */
function localKey(index: number): Hex {
  const key = (localAccount(index) as HDAccount).getHdKey().privateKey;
  if (!key) throw new Error(`no private key for local account ${index}`);
  return `0x${Buffer.from(key).toString('hex')}`;
}

export interface SandboxVariable {
  name: string;
  value: string;
  note?: string;
}

/** What the sandbox prints and writes to `<state-dir>/sandbox.env`. */
export interface SandboxEnvironment {
  rpcUrl: string;
  stateDir: string;
  /** The sandbox's config file (the example, `live` at the sandbox's addresses). */
  config: string;
  variables: SandboxVariable[];
  /** The next commands, in order, with `$VARIABLES` (each a line for a POSIX shell). */
  commands: Array<{ command: string; note?: string }>;
}

/**
 * The environment for the chain at `rpcUrl`: RPC, config and state dir, every key variable, the addresses; and the
 * commands to run next — the whole lifecycle when nothing is proposed yet, else (`digest`: the demo's executed
 * patch) what looks at it.
 */
export function sandboxEnvironment(params: {
  rpcUrl: string;
  stateDir: string;
  system: DeployedSystem;
  digest?: Hex;
}): SandboxEnvironment {
  const { system } = params;
  const files = demoFiles(params.stateDir);
  const vault = system.contracts.get('vault');
  const address = (name: string): Address | undefined => system.contracts.get(name)?.address;
  const variables: SandboxVariable[] = [
    { name: 'RPC', value: params.rpcUrl, note: 'the sandbox chain (anvil, chain id 31337)' },
    { name: 'CONFIG', value: files.config, note: 'the example, live at the addresses below' },
    { name: 'STATE_DIR', value: params.stateDir, note: 'the store, the compiler cache, the log files' },
    ...KEYS.map(([name, i, note]) => ({ name, value: localKey(i), note })),
    ...(
      [
        ['VAULT', address('vault'), 'the vault (transparent proxy)'],
        ['REWARDS', address('rewards'), 'rewards (UUPS proxy)'],
        ['TOKEN', address('token'), 'TestUSD'],
        ['PROXY_ADMIN', vault?.proxyAdmin, "the vault's ProxyAdmin (owned by the timelock)"],
        ['TIMELOCK', system.governance.timelock, 'TimelockController (proposer: the Safe)'],
        ['SAFE', system.governance.safe, `Safe ${system.threshold}-of-${system.owners.length}`],
        ['GUARDIAN', accountFor('guardian').address, "GUARDIAN_KEY's address"],
        ['LOG_SIGNER', localAccount(5).address, "LOG_KEY's address: what log verify and audit pin"],
      ] as const
    ).flatMap(([name, value, note]) => (value ? [{ name, value, note }] : [])),
    ...(params.digest ? [{ name: 'DIGEST', value: params.digest, note: 'the patch the demo executed' }] : []),
  ];
  const on = '--config $CONFIG --state-dir $STATE_DIR';
  const logFiles = '--file $STATE_DIR/log.jsonl --head $STATE_DIR/head.json --signer $LOG_SIGNER';
  const audit = `npx patchgate audit $VAULT --rpc $RPC --log $STATE_DIR/log.jsonl --head $STATE_DIR/head.json --signer $LOG_SIGNER`;
  const commands = params.digest
    ? [
        { command: `npx patchgate status $DIGEST --rpc $RPC ${on}`, note: 'the demo left it verified' },
        { command: `npx patchgate verify $DIGEST --rpc $RPC ${on}`, note: 'on chain = approved, again' },
        { command: `npx patchgate log verify ${logFiles}`, note: 'the log the demo exported' },
        { command: audit, note: "the vault's upgrade history against the log" },
      ]
    : [
        { command: `npx patchgate propose --patch ${FIX} --rpc $RPC --key-env DEPLOYER_KEY ${on}` },
        { command: 'export DIGEST=0x…', note: 'paste the digest propose printed' },
        { command: `npx patchgate approve $DIGEST --rpc $RPC --key-env OWNER1_KEY ${on}` },
        { command: `npx patchgate approve $DIGEST --rpc $RPC --key-env OWNER2_KEY ${on}`, note: '2 of 3' },
        { command: `npx patchgate queue $DIGEST --rpc $RPC --key-env SUBMITTER_KEY ${on}` },
        {
          command: `npx patchgate execute $DIGEST --rpc $RPC --key-env SUBMITTER_KEY --warp ${on}`,
          note: "--warp moves the sandbox's clock past the 48 h review window (--wait would wait it out)",
        },
        { command: `npx patchgate verify $DIGEST --rpc $RPC ${on}` },
        { command: `npx patchgate status $DIGEST --rpc $RPC ${on}` },
        { command: 'npx patchgate log export --state-dir $STATE_DIR --out $STATE_DIR/log.jsonl' },
        {
          command:
            'npx patchgate log head --key-env LOG_KEY --state-dir $STATE_DIR --out $STATE_DIR/head.json',
        },
        { command: `npx patchgate log verify ${logFiles}` },
        { command: audit },
      ];
  return { rpcUrl: params.rpcUrl, stateDir: params.stateDir, config: files.config, variables, commands };
}

/** A value as one POSIX shell word. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export NAME=value  # note` lines, headed by what the keys are. */
export function exportLines(env: SandboxEnvironment): string[] {
  const width = Math.max(...env.variables.map((v) => `export ${v.name}=${shellWord(v.value)}`.length));
  return [
    "# The keys below are anvil's well-known public test keys (its default mnemonic, printed by anvil",
    '# itself): printing them is intended. Anyone can spend from them: never use them on a real chain.',
    ...env.variables.map((v) => {
      const line = `export ${v.name}=${shellWord(v.value)}`;
      return v.note ? `${line.padEnd(width)}  # ${v.note}` : line;
    }),
  ];
}

/** The next commands, one a line, each note as a trailing comment. */
export function commandLines(env: SandboxEnvironment): string[] {
  return env.commands.map((c) => (c.note ? `${c.command}   # ${c.note}` : c.command));
}

/** `<state-dir>/sandbox.config.json` (the config the commands use) and `<state-dir>/sandbox.env` (for `source`). */
export function writeSandboxFiles(env: SandboxEnvironment, config: Config): void {
  const { system: _system, ...onDisk } = config;
  writeFileSync(env.config, jsonText(onDisk));
  writeFileSync(
    demoFiles(env.stateDir).env,
    `${[
      `# patchgate sandbox: examples/vault on ${env.rpcUrl}. Load it with: source ${shellWord(demoFiles(env.stateDir).env)}`,
      ...exportLines(env),
      '',
      '# Then, step by step:',
      ...commandLines(env).map((l) => `#   ${l}`),
    ].join('\n')}\n`,
  );
}

/** Whether something already listens on 127.0.0.1:`port`. */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/**
 * The port to start anvil on: `port` when given (taken: exit 2), else 8545, else (8545 taken) any free one —
 * `usualTaken` says so.
 */
async function choosePort(port: number | undefined): Promise<{ port: number; usualTaken: boolean }> {
  if (port !== undefined) {
    if (await portTaken(port)) {
      throw inputError(
        'port-in-use',
        `--port ${port} is in use by another process`,
        'pass another --port, or leave it out to have a free one picked',
      );
    }
    return { port, usualTaken: false };
  }
  if (!(await portTaken(USUAL_PORT))) return { port: USUAL_PORT, usualTaken: false };
  return { port: await freePort(), usualTaken: true };
}

export interface Sandbox {
  anvil: Anvil;
  system: DeployedSystem;
  env: SandboxEnvironment;
  /** 8545 was taken, so another port was picked. */
  usualPortTaken: boolean;
}

/**
 * Start the sandbox: a fresh store in the state dir (refused, exit 2, over a store the demo or sandbox did not
 * make), the example compiled into its cache, anvil started (tied to this process: it dies with it) and the
 * example deployed, the config and environment files written. The caller keeps it up and stops `anvil`.
 */
export async function startSandbox(params: {
  stateDir: string;
  port?: number;
  onStep?: (text: string) => void;
}): Promise<Sandbox> {
  const say = params.onStep ?? (() => {});
  // First, before any work is done: a port in use, a state dir holding someone's real store.
  const { port, usualTaken } = await choosePort(params.port);
  await (await openThrowawayStore(params.stateDir, 'sandbox')).close();
  const loaded = await loadConfig({ searchDir: EXAMPLE_DIR });
  const project = await loadProject({ dir: loaded.projectDir, stateDir: params.stateDir });
  say(
    project.cached ? 'examples/vault: compiler output from cache' : 'examples/vault: compiled with solc-js',
  );
  const anvil = await startAnvil({ port });
  try {
    const clients = await connect(anvil.rpcUrl);
    const system = await deploySystem(
      clients,
      project,
      loaded.config.system as NonNullable<Config['system']>,
    );
    const env = sandboxEnvironment({ rpcUrl: anvil.rpcUrl, stateDir: params.stateDir, system });
    writeSandboxFiles(env, { ...withLiveAddresses(loaded.config, system), project: loaded.projectDir });
    return { anvil, system, env, usualPortTaken: usualTaken };
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}
