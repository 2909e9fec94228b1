/**
 * `check --reference-address ADDR --rpc URL`: the reference is what runs on chain. On a real anvil the example's
 * implementations are deployed behind real OpenZeppelin ERC-1967 proxies; the CLI reads the implementation from
 * the proxy's slot and finds the build whose runtime code it is (metadata and immutables masked).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, encodeFunctionData, type Hex, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiled, findContract } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { type Anvil, freePort, startAnvil } from '../src/chain/anvil.js';
import { type Clients, connect, localAccount } from '../src/chain/clients.js';
import { deploy } from '../src/chain/deploy.js';
import { runCli } from './helpers/cli.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './helpers/example.js';

let anvil: Anvil;
let clients: Clients;
let project: Project;
let vaultProxy: Address;
let rewardsProxy: Address;

const check = (...args: string[]) =>
  runCli(['check', '--project', EXAMPLE_DIR, '--state-dir', TEST_STATE_DIR, '--format', 'json', ...args]);

async function deployed(name: string, args: readonly unknown[] = []): Promise<Address> {
  return deploy(clients.wallet(localAccount(0)), clients.public, findContract(project, name), args);
}

/**
 * An ERC1967Proxy in front of `implementation`, left uninitialized (the code, not the state, is the point; OZ 5's
 * proxy refuses empty init data, so a harmless view call stands in).
 */
const behindProxy = (implementation: Address, view = 'asset') =>
  deployed('ERC1967Proxy', [
    implementation,
    encodeFunctionData({ abi: parseAbi([`function ${view}() view returns (uint256)`]), functionName: view }),
  ]);

beforeAll(async () => {
  project = await loadExample();
  anvil = await startAnvil();
  clients = await connect(anvil.rpcUrl);
  vaultProxy = await behindProxy(await deployed('VaultV1'));
  rewardsProxy = await behindProxy(await deployed('RewardsV1'), 'rewardPerShare');
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

const ids = (report: { findings: { id: string; status?: string }[] }) =>
  report.findings.map((f) => `${f.id}:${f.status}`).sort();

describe('check --reference-address', () => {
  it('finds the deployed VaultV1 behind its proxy and checks VaultV2 against it, as --reference VaultV1 does', () => {
    const live = check('--reference-address', vaultProxy, '--rpc', anvil.rpcUrl, '--candidate', 'VaultV2');
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    const report = JSON.parse(live.stdout);
    expect(report.referenceFrom).toMatchObject({
      source: 'chain',
      address: vaultProxy,
      contract: 'src/VaultV1.sol:VaultV1',
      exact: true,
    });
    const named = JSON.parse(check('--reference', 'VaultV1', '--candidate', 'VaultV2').stdout);
    expect(report.verdict).toBe(named.verdict);
    expect(ids(report)).toEqual(ids(named));
    expect(report.reference).toEqual(named.reference);
  });

  it('matches a UUPS implementation whose immutable (__self) differs from the compiled code', () => {
    const build = compiled(findContract(project, 'RewardsV1')).evm.deployedBytecode;
    expect(Object.keys(build.immutableReferences ?? {}).length).toBeGreaterThan(0);
    const r = check('--reference-address', rewardsProxy, '--rpc', anvil.rpcUrl, '--candidate', 'RewardsV2');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).referenceFrom).toMatchObject({
      kind: 'uups',
      contract: 'src/RewardsV1.sol:RewardsV1',
    });
  });

  it('fails closed (exit 1) on code that matches no build, naming the closest and the first differing byte', async () => {
    const implementation = await deployed('VaultV1');
    const proxy = await behindProxy(implementation);
    // The same code but for one byte (offset 100): what another source or another compiler setting gives.
    const code = (await clients.public.getCode({ address: implementation })) as Hex;
    const flipped = ((Number.parseInt(code.slice(202, 204), 16) + 1) % 256).toString(16).padStart(2, '0');
    const forged = `${code.slice(0, 202)}${flipped}${code.slice(204)}` as Hex;
    await clients.test.setCode({ address: implementation, bytecode: forged });
    const r = check('--reference-address', proxy, '--rpc', anvil.rpcUrl, '--candidate', 'VaultV2');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.verdict).not.toBe('pass');
    expect(doc.error.code).toBe('reference-code-mismatch');
    expect(doc.error.message).toMatch(
      /closest is src\/VaultV1\.sol:VaultV1 .* first difference at byte 100\b/,
    );
  });

  it('refuses --reference naming another contract than the one on chain (exit 2)', () => {
    const r = check(
      '--reference-address',
      vaultProxy,
      '--rpc',
      anvil.rpcUrl,
      '--reference',
      'RewardsV1',
      '--candidate',
      'VaultV2',
    );
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('reference-not-live');
  });

  it("follows a beacon proxy to its beacon's implementation", async () => {
    const implementation = await deployed('VaultV1');
    const beacon = await deployed('UpgradeableBeacon', [implementation, localAccount(0).address]);
    const data = encodeFunctionData({ abi: parseAbi(['function asset() view returns (address)']) });
    const proxy = await deployed('BeaconProxy', [beacon, data]);
    const r = check('--reference-address', proxy, '--rpc', anvil.rpcUrl, '--candidate', 'VaultV2');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).referenceFrom).toMatchObject({
      kind: 'beacon',
      implementation,
      contract: 'src/VaultV1.sol:VaultV1',
    });
  });

  it('takes an implementation address as is, and says so (kind "implementation")', async () => {
    const implementation = await deployed('VaultV1');
    const r = check('--reference-address', implementation, '--rpc', anvil.rpcUrl, '--candidate', 'VaultV2');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).referenceFrom).toMatchObject({ kind: 'implementation', implementation });
  });

  it('is exit 3 naming the RPC when the node is down', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = check('--reference-address', vaultProxy, '--rpc', url, '--candidate', 'VaultV2');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('127.0.0.1');
  });

  it('--reference-sources: compiles a standard-JSON input and, with --reference-address, matches it to the chain', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pg-sources-')), 'vault.json');
    writeFileSync(file, JSON.stringify((project.units[0] as { input: unknown }).input));
    const alone = check('--reference-sources', file, '--reference', 'VaultV1', '--candidate', 'VaultV2');
    expect(alone.code).toBe(0);
    expect(JSON.parse(alone.stdout).referenceFrom).toEqual({ source: 'sources', file });
    const r = check(
      '--reference-sources',
      file,
      '--reference-address',
      vaultProxy,
      '--rpc',
      anvil.rpcUrl,
      '--candidate',
      'VaultV2',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).referenceFrom).toMatchObject({
      source: 'chain',
      contract: 'src/VaultV1.sol:VaultV1',
      sources: file,
    });
  });

  it("--reference-sources: takes Etherscan's getsourcecode answer, and refuses another compiler naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-sources-'));
    const input = JSON.stringify((project.units[0] as { input: unknown }).input);
    const answer = (version: string) =>
      JSON.stringify({
        status: '1',
        message: 'OK',
        result: [{ SourceCode: `{${input}}`, CompilerVersion: version, ContractName: 'VaultV1' }],
      });
    writeFileSync(join(dir, 'ok.json'), answer(`v${project.units[0]?.solcLongVersion}`));
    writeFileSync(join(dir, 'old.json'), answer('v0.8.19+commit.7dd6d404'));
    const ok = check(
      '--reference-sources',
      join(dir, 'ok.json'),
      '--reference',
      'VaultV1',
      '--candidate',
      'VaultV2',
    );
    expect(ok.code).toBe(0);
    const old = check('--reference-sources', join(dir, 'old.json'), '--candidate', 'VaultV2');
    expect(old.code).toBe(2);
    const doc = JSON.parse(old.stdout);
    expect(doc.error.code).toBe('reference-sources-compiler');
    expect(doc.error.message).toMatch(
      /compiled with solc 0\.8\.19\+commit\.7dd6d404, and patchgate ships solc 0\.8\.\d+/,
    );
    writeFileSync(join(dir, 'bad.json'), '{"sources": ');
    const bad = check('--reference-sources', join(dir, 'bad.json'), '--candidate', 'VaultV2');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.code).toBe('bad-reference-sources');
  });

  it('an address with no code is exit 2', () => {
    const r = check(
      '--reference-address',
      '0x000000000000000000000000000000000000dEaD',
      '--rpc',
      anvil.rpcUrl,
      '--candidate',
      'VaultV2',
    );
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('no-code');
  });
});
