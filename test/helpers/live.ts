/**
 * A "live" protocol for lifecycle tests: the bundled example deployed on one anvil (real Safe 1.4.1,
 * TimelockController, proxies), a config that points at it (`live`), and a config file on disk for the CLI.
 * One per test file; tests isolate themselves with snapshot/revert.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex, LocalAccount } from 'viem';
import type { Project } from '../../src/build/types.js';
import { type Anvil, startAnvil } from '../../src/chain/anvil.js';
import { type Clients, connect, localAccount } from '../../src/chain/clients.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { approve } from '../../src/lifecycle/approve.js';
import { execute } from '../../src/lifecycle/execute.js';
import type { Lifecycle } from '../../src/lifecycle/lifecycle.js';
import { propose } from '../../src/lifecycle/propose.js';
import { queue } from '../../src/lifecycle/queue.js';
import { openPglite } from '../../src/store/db.js';
import { openStore, type Store } from '../../src/store/store.js';
import { deploySystem, withLiveAddresses } from '../../src/system/deploy.js';
import type { DeployedSystem } from '../../src/system/model.js';
import { type CliResult, runCli } from './cli.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './example.js';

export interface LiveExample {
  anvil: Anvil;
  clients: Clients;
  project: Project;
  system: DeployedSystem;
  /** The example config with `live` addresses (and `project` absolute). */
  config: Config;
  /** A directory holding that config as patchgate.config.json, for CLI runs. */
  configDir: string;
  stateDir: string;
}

export async function startLiveExample(): Promise<LiveExample> {
  const project = await loadExample();
  const anvil = await startAnvil({ args: ['--steps-tracing'] });
  const clients = await connect(anvil.rpcUrl);
  const { config: example } = await loadConfig({ searchDir: EXAMPLE_DIR });
  const system = await deploySystem(clients, project, example.system as NonNullable<Config['system']>);
  const config = { ...withLiveAddresses(example, system), project: EXAMPLE_DIR };
  const configDir = mkdtempSync(join(tmpdir(), 'pg-live-'));
  const { system: _system, ...onDisk } = config;
  writeFileSync(join(configDir, 'patchgate.config.json'), JSON.stringify(onDisk, null, 2));
  return { anvil, clients, project, system, config, configDir, stateDir: TEST_STATE_DIR };
}

/** The lifecycle on the live example, in-process, with `store` or a fresh in-memory one. */
export async function lifecycleOn(live: LiveExample, store?: Store): Promise<Lifecycle> {
  return {
    config: live.config,
    projectDir: live.config.project,
    stateDir: live.stateDir,
    store: store ?? (await openStore(await openPglite('memory://'))),
    clients: live.clients,
    rpcUrl: live.anvil.rpcUrl,
  };
}

/** Environment variables holding the local test keys, as a team would export them. */
export const KEY_ENV = {
  OWNER1_KEY: localKey(1),
  OWNER2_KEY: localKey(2),
  OWNER3_KEY: localKey(3),
  DEPLOYER_KEY: localKey(0),
  GUARDIAN_KEY: localKey(9),
  CANCELLER_KEY: localKey(6),
  OUTSIDER_KEY: localKey(7),
};

function localKey(index: number): string {
  const account = localAccount(index) as { getHdKey?: () => { privateKey: Uint8Array | null } };
  const key = account.getHdKey?.().privateKey;
  if (!key) throw new Error(`no private key for local account ${index}`);
  return `0x${Buffer.from(key).toString('hex')}`;
}

/** `patchgate <args> --rpc <the live node> --state-dir <state>`, run from the live config's directory, keys in env. */
export function cliOn(
  live: LiveExample,
  state: string,
  args: string[],
  env: Record<string, string> = {},
): CliResult {
  return runCli([...args, '--rpc', live.anvil.rpcUrl, '--state-dir', state], {
    cwd: live.configDir,
    env: { ...KEY_ENV, ...env },
  });
}

/** The JSON a successful run printed; a failed run fails the test with its stderr. */
export function okJson<T>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The example's fix proposed (standard lane, deployed by account 0), in-process; its digest. */
export async function proposedFix(lc: Lifecycle): Promise<Hex> {
  const deployer = localAccount(0) as LocalAccount;
  return (await propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', deployer })).digest as Hex;
}

/** The example's fix proposed, approved by owners 1 and 2, queued and executed (warped), in-process. */
export async function executedFix(lc: Lifecycle): Promise<{ digest: Hex; executedTx: Hex }> {
  const owner = (i: number) => localAccount(i) as LocalAccount;
  const digest = (await propose(lc, { patch: 'fix-flash-deposit', lane: 'standard', deployer: owner(0) }))
    .digest as Hex;
  for (const i of [1, 2]) await approve(lc, { digest, signer: owner(i) });
  await queue(lc, { digest, submitter: owner(0) });
  const executedTx = (await execute(lc, { digest, submitter: owner(0), wait: 'warp' })).txHash as Hex;
  return { digest, executedTx };
}
