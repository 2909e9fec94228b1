/**
 * One protocol, many chains: the bundled example deployed on several anvils, each with its own chain id, and a
 * config whose `chains` lists them (chain id, node, live addresses) — on disk for the CLI. Each chain is also a
 * LiveExample of its own (its `live` = that chain's), for the governance helpers and the in-process lifecycle.
 */

import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnvil } from '../../src/chain/anvil.js';
import { connect } from '../../src/chain/clients.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { deploySystem, withLiveAddresses } from '../../src/system/deploy.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './example.js';
import type { LiveExample } from './live.js';

export interface ChainsExample {
  /** Each chain by its name in `chains`. */
  chains: Record<string, LiveExample>;
  /** The config on disk: the example without `system` and `live`, with `chains`. */
  config: Config;
  /** The directory holding it as patchgate.config.json. */
  configDir: string;
  /** A state dir holding a copy of the test run's compiler cache (nothing else). */
  stateDir: string;
  stop(): Promise<void>;
}

/**
 * The example on one anvil per entry of `ids` (name → chain id), deployed in parallel. `rpcEnv` names, per chain,
 * an environment variable the config's `rpc` refers to (`env:NAME`) instead of the URL.
 */
export async function startChainsExample(
  ids: Record<string, number>,
  opts: { rpcEnv?: Record<string, string> } = {},
): Promise<ChainsExample> {
  const project = await loadExample();
  const { config: example } = await loadConfig({ searchDir: EXAMPLE_DIR });
  const configDir = mkdtempSync(join(tmpdir(), 'pg-chains-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'pg-chains-state-'));
  cpSync(join(TEST_STATE_DIR, 'cache'), join(stateDir, 'cache'), { recursive: true });
  const chains: Record<string, LiveExample> = {};
  await Promise.all(
    Object.entries(ids).map(async ([name, id]) => {
      const anvil = await startAnvil({ args: ['--chain-id', String(id)] });
      const clients = await connect(anvil.rpcUrl);
      const system = await deploySystem(clients, project, example.system as NonNullable<Config['system']>);
      const config = { ...withLiveAddresses(example, system), project: EXAMPLE_DIR };
      chains[name] = { anvil, clients, project, system, config, configDir, stateDir };
    }),
  );
  const { system: _system, live: _live, ...rest } = { ...example, project: EXAMPLE_DIR };
  const config: Config = {
    ...rest,
    chains: Object.fromEntries(
      Object.entries(ids).map(([name, chainId]) => {
        const live = chains[name] as LiveExample;
        const env = opts.rpcEnv?.[name];
        return [name, { chainId, rpc: env ? `env:${env}` : live.anvil.rpcUrl, live: live.config.live ?? {} }];
      }),
    ),
  };
  writeFileSync(join(configDir, 'patchgate.config.json'), JSON.stringify(config, null, 2));
  return {
    chains,
    config,
    configDir,
    stateDir,
    stop: async () => {
      await Promise.all(Object.values(chains).map((c) => c.anvil.stop()));
    },
  };
}
