/**
 * Deploy records are input: a broadcast or deployments folder edited by hand, checked out from a hostile branch or
 * left half-written. Reading one never crashes and never lets a name that is not a Solidity identifier through.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBroadcast, readHardhatDeployments } from '../src/setup/deployments.js';

const A = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

function broadcastDir(transactions: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-broadcast-'));
  const run = join(dir, 'Deploy.s.sol', '31337');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'run-latest.json'), JSON.stringify({ transactions, chain: 31337 }));
  return dir;
}

const create = (contractName: unknown, contractAddress: string, args: unknown[] | null = null) => ({
  transactionType: 'CREATE',
  contractName,
  contractAddress,
  arguments: args,
});

describe('deploy records', () => {
  it('skips a dangling symlink among the script folders instead of failing', () => {
    const dir = broadcastDir([create('VaultV1', A(1)), create('ERC1967Proxy', A(2), [A(1), '0x'])]);
    symlinkSync(join(dir, 'gone'), join(dir, 'Dangling.s.sol'));
    const proxies = readBroadcast(dir, dir);
    expect(proxies.map((p) => [p.name, p.contractName, p.address])).toEqual([['vault', 'VaultV1', A(2)]]);
  });

  it('ignores contract names that are not identifiers: a newline, a prototype key, a number', () => {
    const dir = broadcastDir([
      create('Vault\nV1', A(1)),
      create('ERC1967Proxy', A(2), [A(1), '0x']),
      create('toString', A(3)),
      create('__proto__', A(4), [A(3)]),
      create('constructor', A(5), [A(3)]),
      create(7, A(6)),
    ]);
    const proxies = readBroadcast(dir, dir);
    // The one real proxy is kept, without the implementation name its record garbled.
    expect(proxies).toHaveLength(1);
    expect(proxies[0]).toMatchObject({ address: A(2), implementation: A(1) });
    expect(proxies[0]?.contractName).toBeUndefined();
    expect(proxies[0]?.name).toBe('erc1967Proxy');
  });

  it('skips hardhat-deploy files and networks whose names are not identifiers or cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-deployments-'));
    const net = join(dir, 'mainnet');
    mkdirSync(net);
    writeFileSync(join(net, '.chainId'), '1');
    const metadata = (name: string) =>
      JSON.stringify({ settings: { compilationTarget: { 'src/X.sol': name } } });
    writeFileSync(join(net, 'Vault.json'), JSON.stringify({ address: A(2), implementation: A(1) }));
    writeFileSync(
      join(net, 'Vault_Implementation.json'),
      JSON.stringify({ address: A(1), metadata: metadata('VaultV1') }),
    );
    writeFileSync(
      join(net, 'Vault_Proxy.json'),
      JSON.stringify({ address: A(2), metadata: metadata('__proto__') }),
    );
    writeFileSync(join(net, 'Evil\nName.json'), JSON.stringify({ address: A(4), implementation: A(3) }));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    const proxies = readHardhatDeployments(dir, dir);
    expect(proxies).toEqual([
      {
        name: 'vault',
        address: A(2),
        implementation: A(1),
        contractName: 'VaultV1',
        chainId: 1,
        file: 'mainnet/Vault.json',
      },
    ]);
  });
});
