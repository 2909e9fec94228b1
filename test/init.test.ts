/**
 * `patchgate init` end to end (the compiled CLI) on projects made from real sources compiled by solc-js: the
 * bundled example (config removed), a Foundry-shaped project (foundry.toml, remappings, lib/) and a Hardhat-shaped
 * one. The written file must load with the real loader and drive `check`; re-runs merge without touching edits.
 * The chain side is test/init-live.test.ts.
 */
import { existsSync, lstatSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { runCli } from './helpers/cli.js';
import { TEST_STATE_DIR } from './helpers/example.js';
import { exampleCopy, foundryCopy, hardhatCopy, init, summaryOf } from './helpers/init.js';

describe('patchgate init', () => {
  it('finds the example’s upgradeable contracts with their kinds and writes a commented config that loads', async () => {
    const dir = exampleCopy();
    const s = summaryOf(init(dir, '--yes', '--format', 'json'));
    expect(s.outcome).toBe('created');
    expect(s.written).toBe(true);
    const kinds = Object.fromEntries(s.contracts.map((c) => [c.reference, c.kind]));
    expect(kinds).toMatchObject({
      'src/VaultV1.sol:VaultV1': 'transparent',
      'src/VaultV2.sol:VaultV2': 'transparent',
      'src/RewardsV1.sol:RewardsV1': 'uups',
      'src/RewardsV2.sol:RewardsV2': 'uups',
    });
    // Not implementations: the token, the exploit, the invariants contract, OpenZeppelin's own contracts.
    for (const name of ['TestUSD', 'FlashDepositExploit', 'VaultInvariants', 'TimelockController'])
      expect(s.contracts.map((c) => c.name)).not.toContain(name);
    expect(s.contracts.find((c) => c.name === 'RewardsV1')?.reasons).toContain('inherits UUPSUpgradeable');

    const text = readFileSync(join(dir, 'patchgate.config.json'), 'utf8');
    expect(text).toMatch(/^\/\/ patchgate\.config\.json, written by `patchgate init`/);
    expect(text).toMatch(/\/\/ - "patches": \[/);
    const { config } = await loadConfig({ searchDir: dir });
    expect(config.contracts.VaultV1).toEqual({ kind: 'transparent', reference: 'src/VaultV1.sol:VaultV1' });
    expect(config.contracts.RewardsV1).toEqual({ kind: 'uups', reference: 'src/RewardsV1.sol:RewardsV1' });

    // The written config drives check: one pair by name, then a patch added by hand (with a comment) and --all.
    const pair = runCli([
      'check',
      '--project',
      dir,
      '--state-dir',
      TEST_STATE_DIR,
      '--reference',
      'VaultV1',
      '--candidate',
      'VaultV2',
    ]);
    expect(pair.code).toBe(0);
    const edited = text.replace(
      '  "contracts": {',
      '  // our fix, reviewed by the team\n  "patches": [{ "name": "fix", "contract": "VaultV1", "candidate": "src/VaultV2.sol:VaultV2" },],\n  "contracts": {',
    );
    writeFileSync(join(dir, 'patchgate.config.json'), edited);
    const all = runCli([
      'check',
      '--all',
      '--project',
      dir,
      '--state-dir',
      TEST_STATE_DIR,
      '--format',
      'json',
    ]);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).verdict).toBe('pass');

    // A re-run finds nothing new: not a byte changes, the edit and its comment stay.
    const again = summaryOf(init(dir, '--yes', '--format', 'json'));
    expect(again.outcome).toBe('unchanged');
    expect(again.written).toBe(false);
    expect(readFileSync(join(dir, 'patchgate.config.json'), 'utf8')).toBe(edited);
  });

  it('keeps a user’s changed value (and says what differs), adds only what is new, and --force replaces', () => {
    const dir = exampleCopy();
    expect(init(dir, '--yes').code).toBe(0);
    const file = join(dir, 'patchgate.config.json');
    const original = readFileSync(file, 'utf8');
    // The team renames RewardsV1, sets VaultV1's kind by hand with a comment, and deletes VaultV2.
    const edited = original
      .replace('"RewardsV1": {', '"rewards": {')
      .replace('"VaultV1": { "kind": "transparent"', '"VaultV1": { /* we know better */ "kind": "uups"')
      .replace(/\n\s*\/\/[^\n]*\n\s*"VaultV2": \{[^\n]*\n/, '\n');
    expect(edited).not.toContain('"VaultV2"');
    writeFileSync(file, edited);
    const r = init(dir, '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'contracts.VaultV1.kind: kept "uups", init found "transparent" (--force replaces it)',
    );
    expect(r.stdout).toContain('added contracts.VaultV2');
    const merged = readFileSync(file, 'utf8');
    expect(merged).toContain('/* we know better */ "kind": "uups"');
    expect(merged).toContain('"rewards": {');
    expect(merged).not.toMatch(/^\s*"RewardsV1": \{/m); // matched by its reference under the new name
    expect(merged).toContain('"VaultV2": { "kind": "transparent", "reference": "src/VaultV2.sol:VaultV2" }');
    // The entry before it keeps its one line: nothing the team wrote is reformatted.
    expect(merged).toContain('"VaultV2UninitializedGuard": { "kind": "transparent"');
    expect(merged.startsWith(edited.slice(0, edited.indexOf('"contracts"')))).toBe(true);

    const forced = summaryOf(init(dir, '--yes', '--force', '--format', 'json'));
    expect(forced.differences).toEqual([
      { path: 'contracts.VaultV1.kind', yours: 'uups', found: 'transparent' },
    ]);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('/* we know better */');
    expect(after).toMatch(/"VaultV1": \{[^}]*"kind": "transparent"/);
  });

  it('finds a Foundry project’s implementations through remappings and lib/, the deploy code included', async () => {
    const dir = foundryCopy();
    const s = summaryOf(init(dir, '--yes', '--format', 'json'));
    const found = Object.fromEntries(s.contracts.map((c) => [c.reference, c.kind]));
    expect(found).toEqual({
      'src/Box.sol:Box': 'transparent',
      'src/Box.sol:Gadget': 'beacon',
      'src/Counter.sol:Counter': 'uups',
    });
    expect(s.contracts.find((c) => c.name === 'Box')?.reasons).toEqual([
      'deployed behind TransparentUpgradeableProxy in src/Deployer.sol',
    ]);
    expect(s.contracts.find((c) => c.name === 'Counter')?.reasons).toEqual([
      'inherits UUPSUpgradeable',
      'initialize() is an initializer',
      'its constructor calls _disableInitializers()',
    ]);
    const text = readFileSync(join(dir, 'patchgate.config.json'), 'utf8');
    expect(text).toContain('// The Solidity project (foundry), relative to this file.');
    const { config } = await loadConfig({ searchDir: dir });
    expect(config.contracts.Gadget).toEqual({ kind: 'beacon', reference: 'src/Box.sol:Gadget' });
  });

  it('finds a Hardhat project’s implementation in contracts/', async () => {
    const dir = hardhatCopy();
    // No --yes and no terminal (a pipe, CI): init asks nothing and writes.
    const s = summaryOf(init(dir, '--format', 'json'));
    expect(s.written).toBe(true);
    expect(s.contracts.map((c) => [c.reference, c.kind])).toEqual([
      ['contracts/Widget.sol:Widget', 'transparent'],
    ]);
    const { config } = await loadConfig({ searchDir: dir });
    expect(config.contracts.Widget?.reference).toBe('contracts/Widget.sol:Widget');
  });

  it('refuses a malformed config with its line and column, and leaves it as it was', () => {
    const dir = exampleCopy();
    const file = join(dir, 'patchgate.config.json');
    const broken = '{\n  // ours\n  "contracts": {\n    "vault" { }\n  }\n}\n';
    writeFileSync(file, broken);
    const r = init(dir, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} is not valid JSON at line 4, column 13: a colon is expected`);
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });

  it('keeps a symlinked config a symlink: the file it points to is what gets merged', () => {
    const dir = exampleCopy();
    const file = join(dir, 'patchgate.config.json');
    expect(init(dir, '--yes').code).toBe(0);
    const shared = join(dir, 'shared.config.json');
    renameSync(file, shared);
    const edited = readFileSync(shared, 'utf8')
      .replace('"contracts": {', '"contracts": { // ours')
      .replace('"VaultV1": { "kind": "transparent"', '"VaultV1": { "kind": "uups"');
    writeFileSync(shared, edited);
    symlinkSync('shared.config.json', file);
    const r = init(dir, '--yes', '--force'); // replaces the kind: the file is written
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    const merged = readFileSync(shared, 'utf8');
    expect(merged).toContain('"contracts": { // ours');
    expect(merged).toContain('"VaultV1": { "kind": "transparent"');
  });

  it('will not shadow a config module with a JSON file', () => {
    const dir = exampleCopy();
    writeFileSync(join(dir, 'patchgate.config.mjs'), 'export default { contracts: {} };\n');
    const r = init(dir, '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/patchgate\.config\.mjs exists: init writes patchgate\.config\.json/);
    expect(existsSync(join(dir, 'patchgate.config.json'))).toBe(false);
  });

  it('exits 2 for a malformed --address and 3 when the node does not answer', () => {
    const dir = exampleCopy();
    const bad = init(dir, '--rpc', 'http://127.0.0.1:9', '--address', 'vault=0x1234');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--address vault "0x1234" is not an address');
    const noName = init(
      dir,
      '--rpc',
      'http://127.0.0.1:9',
      '--address',
      '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    );
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/is not NAME=ADDRESS/);
    const twice = init(
      dir,
      '--rpc',
      'http://127.0.0.1:9',
      '--address',
      'vault=0x5FbDB2315678afecb367f032d93F642f64180aa3',
      '--address',
      'vault=0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    );
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--address vault is given twice');
    const noRpc = init(dir, '--yes', '--address', 'vault=0x5FbDB2315678afecb367f032d93F642f64180aa3');
    expect(noRpc.code).toBe(2);
    expect(noRpc.stderr).toContain('--address needs --rpc');
    const down = init(
      dir,
      '--yes',
      '--rpc',
      'http://127.0.0.1:9',
      '--address',
      'vault=0x5FbDB2315678afecb367f032d93F642f64180aa3',
    );
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/127\.0\.0\.1:9/);
    const json = init(dir, '--yes', '--format', 'json', '--rpc', 'http://127.0.0.1:9');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).verdict).toBe('error');
  });
});
