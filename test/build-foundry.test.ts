/**
 * A Foundry project built by real forge (npm `@foundry-rs/forge`, compiling with the pinned solc-js):
 * remappings in foundry.toml and remappings.txt, OpenZeppelin as lib/ submodules, a custom `out` dir, an
 * external library to link, and incremental rebuilds that leave several build-infos. `patchgate check` on
 * the forge build must say what it says when patchgate compiles the same sources itself.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findContract, loadProject } from '../src/build/index.js';
import { checkJson, forge, type StagedFixture, stageFoundry, verdictAndFindings } from './helpers/forge.js';

let fixture: StagedFixture;
beforeAll(() => {
  fixture = stageFoundry('remapped', { oz: true });
}, 240_000);

const copyOf = (dir: string) => {
  const to = mkdtempSync(join(tmpdir(), 'pg-forge-'));
  cpSync(dir, to, { recursive: true });
  return to;
};

describe('forge build with remappings, lib/ submodules and a linked library', () => {
  it('reads the build-info forge 1.x writes, in the out dir foundry.toml names, with lib/ source names', async () => {
    const infos = readdirSync(join(fixture.built, 'build/build-info'));
    expect(infos).toHaveLength(1);
    const raw = JSON.parse(readFileSync(join(fixture.built, 'build/build-info', infos[0] as string), 'utf8'));
    expect(raw._format).toBe('ethers-rs-sol-build-info-1');
    const project = await loadProject({ dir: fixture.built, stateDir: join(fixture.built, '.patchgate') });
    expect(project.layout).toBe('foundry');
    expect(project.units).toHaveLength(1);
    expect(project.units[0]?.origin).toContain('build/build-info/');
    const sources = Object.keys(project.units[0]?.input.sources ?? {});
    expect(sources).toContain(
      'lib/openzeppelin-contracts-upgradeable/contracts/proxy/utils/Initializable.sol',
    );
    expect(sources).toContain(
      'lib/openzeppelin-contracts-upgradeable/lib/openzeppelin-contracts/contracts/proxy/utils/UUPSUpgradeable.sol',
    );
    expect(sources).toContain('lib/feemath/src/FeeMath.sol');
    // VaultV1 calls FeeMath.fee (external): its bytecode has a link reference to the library.
    const v1 = findContract(project, 'VaultV1');
    const contracts = v1.unit.output.contracts[v1.sourceName] as Record<string, unknown>;
    const { linkReferences } = (contracts.VaultV1 as { evm: { bytecode: { linkReferences: object } } }).evm
      .bytecode as { linkReferences: Record<string, Record<string, unknown>> };
    expect(Object.keys(linkReferences)).toEqual(['lib/feemath/src/FeeMath.sol']);
    expect(Object.keys(linkReferences['lib/feemath/src/FeeMath.sol'] ?? {})).toEqual(['FeeMath']);
  });

  it('patchgate compiles the same sources itself with the same source names (foundry.toml remappings read)', async () => {
    const project = await loadProject({ dir: fixture.plain, stateDir: join(fixture.plain, '.patchgate') });
    expect(project.units[0]?.origin).toBe('solc-js');
    const own = Object.keys(project.units[0]?.input.sources ?? {}).sort();
    const built = await loadProject({ dir: fixture.built, stateDir: join(fixture.built, '.patchgate') });
    expect(own).toEqual(Object.keys(built.units[0]?.input.sources ?? {}).sort());
  }, 120_000);

  it.each([
    ['VaultV2', 0, 'pass'],
    ['VaultV2Unsafe', 1, 'fail'],
  ])(
    'check VaultV1 → %s: the forge build gives the verdict and findings of our own compile',
    (candidate, code, verdict) => {
      const fromForge = checkJson(fixture.built, 'VaultV1', candidate);
      const fromSources = checkJson(fixture.plain, 'VaultV1', candidate);
      expect(fromForge.code, fromForge.result.stderr).toBe(code);
      expect(fromSources.code, fromSources.result.stderr).toBe(code);
      expect(fromForge.report.verdict).toBe(verdict);
      expect(verdictAndFindings(fromForge.report)).toEqual(verdictAndFindings(fromSources.report));
      const ids = (fromForge.report.findings as { id: string }[]).map((f) => f.id);
      if (verdict === 'fail') expect(ids).toContain('storage-layout-incompatible');
      else expect(ids).not.toContain('storage-layout-incompatible');
    },
    120_000,
  );
});

describe('several build-infos from incremental forge builds', () => {
  it('uses the build-info that compiled the file as it is now; a contract edited since the last build is refused', async () => {
    const dir = copyOf(fixture.built);
    // Edit VaultV2 into an unsafe upgrade and rebuild: forge writes a second build-info and keeps the
    // first, so VaultV2 (and the libraries) are in both; only the new one is the source on disk.
    const file = join(dir, 'src/VaultV2.sol');
    const safe = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      safe.replace('    IERC20 public asset;\n', '    uint256 public inserted;\n    IERC20 public asset;\n'),
    );
    const rebuilt = forge(dir, ['build']);
    expect(rebuilt.code, rebuilt.output).toBe(0);
    expect(readdirSync(join(dir, 'build/build-info'))).toHaveLength(2);
    const project = await loadProject({ dir, stateDir: join(dir, '.patchgate') });
    const holders = project.units.filter((u) => u.output.contracts['src/VaultV2.sol']?.VaultV2);
    expect(holders).toHaveLength(2);
    const now = checkJson(dir, 'VaultV1', 'VaultV2');
    expect(now.code, now.result.stderr).toBe(1);
    expect((now.report.findings as { id: string }[]).map((f) => f.id)).toContain(
      'storage-layout-incompatible',
    );

    // Back to the first version: the first build-info holds the file as it is again.
    writeFileSync(file, safe);
    const back = checkJson(dir, 'VaultV1', 'VaultV2');
    expect(back.code, back.result.stderr).toBe(0);

    // Edited but not rebuilt: no build-info holds the file as it is, so check refuses (exit 2).
    writeFileSync(file, `${safe}\n// edited after the build\n`);
    const stale = checkJson(dir, 'VaultV1', 'VaultV2');
    expect(stale.code).toBe(2);
    expect((stale.report.error as { code: string }).code).toBe('build-info-stale');
    expect((stale.report.error as { message: string }).message).toContain('src/VaultV2.sol changed since');
  }, 180_000);

  it('refuses a build-info without the storage layout (forge leaves it out unless extra_output asks)', () => {
    const dir = copyOf(fixture.built);
    const infoDir = join(dir, 'build/build-info');
    const infoFile = join(infoDir, readdirSync(infoDir)[0] as string);
    const info = JSON.parse(readFileSync(infoFile, 'utf8'));
    // As `forge build` without extra_output = ["storageLayout"] writes it.
    for (const contracts of Object.values(info.output.contracts) as Record<
      string,
      Record<string, unknown>
    >[]) {
      for (const c of Object.values(contracts)) delete c.storageLayout;
    }
    writeFileSync(infoFile, JSON.stringify(info));
    const r = checkJson(dir, 'VaultV1', 'VaultV2');
    expect(r.code).toBe(2);
    expect((r.report.error as { code: string }).code).toBe('build-info-incomplete');
    expect((r.report.error as { hint: string }).hint).toContain('extra_output = ["storageLayout"]');
  });
});
