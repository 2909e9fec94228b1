/**
 * `patchgate drift` on three anvils with different chain ids, each running the bundled example: the vault upgraded
 * to the fix on one (through the real governance path: Safe → timelock → ProxyAdmin), to another build on the
 * second, left on V1 on the third — patched / unknown / vulnerable, exit 1; the remaining ones patched, exit 0.
 * Then what drift cannot read: an `env:` node whose variable is unset and a node on another chain id (exit 2), a
 * dead node (exit 3 naming the chain), a proxy without code, an address that is no proxy, a contract a chain does
 * not list (unknown, with the reason).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, encodeFunctionData, type Hex, keccak256, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContract } from '../src/build/find.js';
import { freePort } from '../src/chain/anvil.js';
import { localAccount } from '../src/chain/clients.js';
import { abiOf, deploy } from '../src/chain/deploy.js';
import type { Config } from '../src/config/schema.js';
import { isPatchgateError } from '../src/core/errors.js';
import { upgradeCall } from '../src/govern/plan.js';
import { type DriftEntry, type DriftResult, drift } from '../src/lifecycle/drift.js';
import { type ChainsExample, startChainsExample } from './helpers/chains.js';
import { type CliResult, runCli } from './helpers/cli.js';
import { scheduleThroughSafe } from './helpers/governance.js';
import type { LiveExample } from './helpers/live.js';

const IDS = { alpha: 1101, beta: 1102, gamma: 1103 };
const GAMMA_ENV = 'PG_DRIFT_GAMMA_RPC';
const FIX = 'fix-flash-deposit';

let net: ChainsExample;
const work = mkdtempSync(join(tmpdir(), 'patchgate-drift-'));
const env = () => ({ [GAMMA_ENV]: net.chains.gamma?.anvil.rpcUrl as string });
const chain = (name: keyof typeof IDS) => net.chains[name] as LiveExample;
const vaultOf = (live: LiveExample) =>
  live.system.contracts.get('vault') as NonNullable<ReturnType<LiveExample['system']['contracts']['get']>>;

function run(args: string[], opts: { env?: Record<string, string>; config?: Config } = {}): CliResult {
  const config = opts.config ? [`--config`, writeConfig(opts.config)] : [];
  return runCli(['drift', ...args, ...config, '--state-dir', net.stateDir], {
    cwd: net.configDir,
    env: opts.env ?? env(),
  });
}

let configs = 0;
function writeConfig(config: Config): string {
  const file = join(work, `config-${++configs}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

type ChainEntry = NonNullable<Config['chains']>[string];

/** The config with one chain's entry changed. */
function withChain(name: keyof typeof IDS, change: Partial<ChainEntry>): Config {
  const chains = net.config.chains as Record<string, ChainEntry>;
  return { ...net.config, chains: { ...chains, [name]: { ...(chains[name] as ChainEntry), ...change } } };
}

function result(r: CliResult): DriftResult {
  return JSON.parse(r.stdout) as DriftResult;
}

const codehashAt = async (live: LiveExample, address: Address) =>
  keccak256((await live.clients.public.getCode({ address })) as Hex);

/** Block numbers of the three chains: drift reads, never sends. */
const heights = () => Promise.all(Object.values(net.chains).map((c) => c.clients.public.getBlockNumber()));

/**
 * `contract` deployed on the chain and the vault upgraded to it through the Safe and the timelock (schedule, the
 * delay waited out, execute), calling `init` on it; the new implementation.
 */
async function upgradeVault(
  live: LiveExample,
  contract: string,
  init?: { function: string; args: unknown[] },
): Promise<Address> {
  const handle = findContract(live.project, contract);
  const implementation = await deploy(live.clients.wallet(localAccount(0)), live.clients.public, handle);
  const vault = vaultOf(live);
  const call = upgradeCall({
    kind: 'transparent',
    proxy: vault.address,
    ...(vault.proxyAdmin ? { proxyAdmin: vault.proxyAdmin } : {}),
    implementation,
    init: init
      ? encodeFunctionData({ abi: abiOf(handle), functionName: init.function, args: init.args })
      : '0x',
  });
  const scheduled = await scheduleThroughSafe(
    live,
    [call],
    keccak256(toHex(`drift ${contract} ${implementation}`)),
  );
  await scheduled.execute();
  return implementation;
}

const fix = (live: LiveExample) =>
  upgradeVault(live, 'src/VaultV2.sol:VaultV2', { function: 'initializeV2', args: [5000n] });

beforeAll(async () => {
  net = await startChainsExample(IDS, { rpcEnv: { gamma: GAMMA_ENV } });
});

afterAll(async () => {
  await net?.stop();
});

describe('patchgate drift', () => {
  it('every chain on V1: each patched contract is VULNERABLE on each chain, exit 1, and nothing is sent or stored', async () => {
    const before = await heights();
    const r = run(['--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const { verdict, entries } = result(r);
    expect(verdict).toBe('fail');
    expect(entries.map((e) => [e.chain, e.chainId, e.contract, e.status])).toEqual([
      ['alpha', 1101, 'vault', 'vulnerable'],
      ['alpha', 1101, 'rewards', 'vulnerable'],
      ['beta', 1102, 'vault', 'vulnerable'],
      ['beta', 1102, 'rewards', 'vulnerable'],
      ['gamma', 1103, 'vault', 'vulnerable'],
      ['gamma', 1103, 'rewards', 'vulnerable'],
    ]);
    const alpha = entries[0] as DriftEntry;
    expect(alpha).toMatchObject({
      proxy: vaultOf(chain('alpha')).address,
      kind: 'transparent',
      implementation: vaultOf(chain('alpha')).implementation,
      build: 'src/VaultV1.sol:VaultV1',
      codehash: await codehashAt(chain('alpha'), vaultOf(chain('alpha')).implementation as Address),
    });
    expect(entries[1]).toMatchObject({ kind: 'uups', build: 'src/RewardsV1.sol:RewardsV1' });
    expect(await heights()).toEqual(before);
    expect(existsSync(join(net.stateDir, 'db'))).toBe(false);
  });

  describe('alpha upgraded to the fix, beta to another build, gamma left on V1', () => {
    const impl: Record<string, Address> = {};
    beforeAll(async () => {
      [impl.alpha, impl.beta] = await Promise.all([
        fix(chain('alpha')),
        upgradeVault(chain('beta'), 'src/bad/VaultV2FeeHike.sol:VaultV2FeeHike'),
      ]);
    });

    it('says patched / unknown / vulnerable with each implementation and codehash, exit 1 (JSON)', async () => {
      const r = run(['--patch', FIX, '--format', 'json']);
      expect(r.code, r.stderr).toBe(1);
      const { verdict, entries } = result(r);
      expect(verdict).toBe('fail');
      expect(entries).toEqual([
        {
          chain: 'alpha',
          chainId: 1101,
          contract: 'vault',
          proxy: vaultOf(chain('alpha')).address,
          kind: 'transparent',
          implementation: impl.alpha,
          codehash: await codehashAt(chain('alpha'), impl.alpha as Address),
          status: 'patched',
          patch: FIX,
          build: 'src/VaultV2.sol:VaultV2',
        },
        {
          chain: 'beta',
          chainId: 1102,
          contract: 'vault',
          proxy: vaultOf(chain('beta')).address,
          kind: 'transparent',
          implementation: impl.beta,
          codehash: await codehashAt(chain('beta'), impl.beta as Address),
          status: 'unknown',
          reason: "the code is neither the reference src/VaultV1.sol:VaultV1 nor a patch's candidate",
        },
        {
          chain: 'gamma',
          chainId: 1103,
          contract: 'vault',
          proxy: vaultOf(chain('gamma')).address,
          kind: 'transparent',
          implementation: vaultOf(chain('gamma')).implementation,
          codehash: await codehashAt(chain('gamma'), vaultOf(chain('gamma')).implementation as Address),
          status: 'vulnerable',
          build: 'src/VaultV1.sol:VaultV1',
        },
      ]);
    });

    it('marks the unknown and the vulnerable chain in text, one line each, and sums up', () => {
      const r = run(['--patch', FIX]);
      expect(r.code, r.stderr).toBe(1);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(
        new RegExp(
          `^  alpha \\(1101\\) +vault +patched +patch ${FIX} +implementation ${impl.alpha} +codehash 0x[0-9a-f]{64}$`,
        ),
      );
      expect(lines[1]).toMatch(
        new RegExp(
          `^! beta \\(1102\\) +vault +UNKNOWN +the code is neither .* implementation ${impl.beta} +codehash 0x[0-9a-f]{64}$`,
        ),
      );
      expect(lines[2]).toMatch(
        /^! gamma \(1103\) +vault +VULNERABLE +the reference src\/VaultV1\.sol:VaultV1 +implementation 0x/,
      );
      expect(lines[3]).toBe('FAIL  2 of 3 not patched: beta/vault unknown, gamma/vault vulnerable');
    });

    it('--chains alpha: the one chain that runs the fix passes, exit 0', () => {
      const r = run(['--patch', FIX, '--chains', 'alpha']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('PASS  every chain runs the patch (1 of 1)');
    });

    it('the library function says the same, in process', async () => {
      const config = withChain('gamma', { rpc: chain('gamma').anvil.rpcUrl });
      const out = await drift(
        { config, projectDir: config.project, stateDir: net.stateDir },
        { patch: FIX, chains: ['gamma', 'alpha'] },
      );
      expect(out.entries.map((e) => [e.chain, e.status])).toEqual([
        ['gamma', 'vulnerable'],
        ['alpha', 'patched'],
      ]);
      expect(out.verdict).toBe('fail');
    });

    it('with every chain on the fix: all patched, exit 0; without --patch the rewards fix still missing is exit 1', async () => {
      impl.gamma = await fix(chain('gamma'));
      impl.beta = await fix(chain('beta'));
      const r = run(['--patch', FIX, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const { verdict, entries } = result(r);
      expect(verdict).toBe('pass');
      expect(entries.map((e) => [e.chain, e.status, e.patch, e.implementation])).toEqual([
        ['alpha', 'patched', FIX, impl.alpha],
        ['beta', 'patched', FIX, impl.beta],
        ['gamma', 'patched', FIX, impl.gamma],
      ]);
      const text = run(['--patch', FIX]);
      expect(text.code).toBe(0);
      expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('PASS  every chain runs the patch (3 of 3)');
      const all = run([]);
      expect(all.code, all.stderr).toBe(1);
      expect(all.stdout).toContain(
        'FAIL  3 of 6 not patched: alpha/rewards vulnerable, beta/rewards vulnerable, gamma/rewards vulnerable',
      );
    });
  });

  it('--out holds the verdict: a pass written there is replaced by the error document of a later failed run', () => {
    const out = join(work, 'drift.json');
    const pass = run(['--patch', FIX, '--format', 'json', '--out', out]);
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ verdict: 'pass' });
    const failed = run(['--patch', FIX, '--format', 'json', '--out', out], { env: { [GAMMA_ENV]: '' } });
    expect(failed.code).toBe(2);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      verdict: 'error',
      error: { code: 'missing-rpc' },
    });
  });

  it("names the patch whose candidate runs; with --patch, another patch's candidate is unknown", async () => {
    const alpha = chain('alpha');
    const snapshot = await alpha.clients.test.snapshot();
    try {
      const sneaky = await upgradeVault(alpha, 'src/bad/VaultV2SneakyInit.sol:VaultV2SneakyInit');
      const all = result(run(['--chains', 'alpha', '--format', 'json']));
      expect(all.entries[0]).toMatchObject({
        contract: 'vault',
        implementation: sneaky,
        status: 'patched',
        patch: 'sneaky-initializer',
        build: 'src/bad/VaultV2SneakyInit.sol:VaultV2SneakyInit',
      });
      const r = run(['--chains', 'alpha', '--patch', FIX, '--format', 'json']);
      expect(r.code, r.stderr).toBe(1);
      expect(result(r).entries).toEqual([
        expect.objectContaining({
          status: 'unknown',
          build: 'src/bad/VaultV2SneakyInit.sol:VaultV2SneakyInit',
          reason: `runs the candidate of patch sneaky-initializer, not of ${FIX}`,
        }),
      ]);
    } finally {
      await alpha.clients.test.revert({ id: snapshot });
    }
  });

  describe('what drift cannot read', () => {
    it('a proxy without code, an address that is no proxy, a contract a chain does not list: unknown with the reason, exit 1', async () => {
      const nobody = '0x000000000000000000000000000000000000dEaD';
      const token = chain('beta').system.contracts.get('token')?.address as Address;
      const chains = net.config.chains as Record<string, ChainEntry>;
      const { rewards: _rewards, ...gammaLive } = chains.gamma?.live ?? {};
      const config: Config = {
        ...net.config,
        chains: {
          alpha: {
            ...(chains.alpha as ChainEntry),
            live: { ...chains.alpha?.live, vault: { address: nobody } },
          },
          beta: { ...(chains.beta as ChainEntry), live: { ...chains.beta?.live, vault: { address: token } } },
          gamma: { ...(chains.gamma as ChainEntry), live: gammaLive },
        },
      };
      const r = run(['--format', 'json'], { config });
      expect(r.code, r.stderr).toBe(1);
      const byKey = new Map(result(r).entries.map((e) => [`${e.chain}/${e.contract}`, e]));
      expect(byKey.get('alpha/vault')).toEqual({
        chain: 'alpha',
        chainId: 1101,
        contract: 'vault',
        proxy: nobody,
        status: 'unknown',
        reason: `no code at ${nobody} on this chain`,
      });
      expect(byKey.get('beta/vault')).toMatchObject({
        status: 'unknown',
        proxy: token,
        codehash: await codehashAt(chain('beta'), token),
        reason: `${token} is not an ERC-1967 proxy (its implementation and beacon slots are empty); codehash is its own code's`,
      });
      expect(byKey.get('beta/vault')?.implementation).toBeUndefined();
      expect(byKey.get('gamma/rewards')).toEqual({
        chain: 'gamma',
        chainId: 1103,
        contract: 'rewards',
        status: 'unknown',
        reason: 'chains.gamma.live lists no "rewards": where it runs on this chain is not known',
      });
      expect(byKey.get('gamma/vault')?.status).toBe('patched');
    });

    it('an env: node whose variable is unset is exit 2 naming the variable and the chain', () => {
      const r = run(['--format', 'json'], { env: { [GAMMA_ENV]: '' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `patchgate: chains.gamma.rpc names the environment variable ${GAMMA_ENV}, which is not set`,
      );
      expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'error', error: { code: 'missing-rpc' } });
    });

    it('a node serving another chain id than the config says is exit 2 naming both', () => {
      const r = run([], { config: withChain('alpha', { chainId: 9999 }) });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('patchgate: chains.alpha.rpc is chain 1101, the config says 9999');
    });

    it('a dead node is exit 3 naming the chain', async () => {
      const port = await freePort();
      const r = run(['--format', 'json'], {
        config: withChain('beta', { rpc: `http://127.0.0.1:${port}` }),
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        new RegExp(
          `^patchgate: chain "beta" \\(chains\\.beta\\.rpc\\): the RPC endpoint http://127\\.0\\.0\\.1:${port}/? did not answer`,
        ),
      );
      expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'error', error: { code: 'rpc-unreachable' } });
    });

    it('refuses an unknown chain, an unknown patch, an empty chain name and a config without chains, exit 2', () => {
      const unknownChain = run(['--chains', 'alpha,delta']);
      expect(unknownChain.code).toBe(2);
      expect(unknownChain.stderr).toContain('patchgate: no chain "delta" in the config');
      const unknownPatch = run(['--patch', 'fix-nothing']);
      expect(unknownPatch.code).toBe(2);
      expect(unknownPatch.stderr).toContain('patchgate: patch "fix-nothing" is not declared in the config');
      const empty = run(['--chains', 'alpha,']);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain('patchgate: --chains "alpha," has an empty name');
      const { chains: _chains, ...noChains } = net.config;
      const none = run([], { config: noChains as Config });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('patchgate: the config declares no chains');
    });

    it('a library caller gets the same refusals as PatchgateErrors with their codes', async () => {
      const base = { config: net.config, projectDir: net.config.project, stateDir: net.stateDir };
      const saved = process.env[GAMMA_ENV];
      delete process.env[GAMMA_ENV];
      try {
        const e = await drift(base, { chains: ['gamma'] }).catch((x: unknown) => x);
        expect(isPatchgateError(e) && [e.code, e.exitCode]).toEqual(['missing-rpc', 2]);
      } finally {
        if (saved !== undefined) process.env[GAMMA_ENV] = saved;
      }
    });
  });
});
