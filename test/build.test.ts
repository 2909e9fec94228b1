/**
 * Building a project: plain sources, Foundry and Hardhat build-info (made here from the real compiler),
 * the content-addressed cache, ERC-7201 namespaces, and every kind of bad input.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/analyze/run-check.js';
import { findContract, loadProject } from '../src/build/index.js';
import type { CompilationUnit, Project } from '../src/build/types.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { EXAMPLE_DIR, loadExample, TEST_STATE_DIR } from './helpers/example.js';

const SMALL = fileURLToPath(new URL('./fixtures/small/', import.meta.url));
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `pg-${name}-`));

/** A Foundry or Hardhat project whose build-info holds exactly this compiler run. */
function projectFrom(
  unit: CompilationUnit,
  layout: 'foundry' | 'hardhat',
  solcVersion = unit.solcVersion,
): string {
  const dir = tmp(layout);
  const common = {
    solcVersion,
    solcLongVersion: unit.solcLongVersion,
    input: unit.input,
    output: unit.output,
  };
  if (layout === 'foundry') {
    writeFileSync(join(dir, 'foundry.toml'), '[profile.default]\nsrc = "src"\nout = "build"\n');
    mkdirSync(join(dir, 'build/build-info'), { recursive: true });
    const info = {
      id: 'f1',
      source_id_to_path: {},
      language: 'Solidity',
      _format: 'ethers-rs-sol-build-info-1',
      ...common,
    };
    writeFileSync(join(dir, 'build/build-info/f1.json'), JSON.stringify(info));
  } else {
    writeFileSync(join(dir, 'hardhat.config.js'), 'module.exports = { solidity: "0.8.30" };\n');
    mkdirSync(join(dir, 'artifacts/build-info'), { recursive: true });
    const info = { _format: 'hh-sol-build-info-1', id: 'h1', ...common };
    writeFileSync(join(dir, 'artifacts/build-info/h1.json'), JSON.stringify(info));
  }
  return dir;
}

let example: Project;
beforeAll(async () => {
  example = await loadExample();
});

describe('plain sources', () => {
  it('puts every imported source in the compiler input and lays out ERC-7201 namespaces', async () => {
    const unit = example.units[0] as CompilationUnit;
    expect(example.layout).toBe('sources');
    expect(Object.keys(unit.input.sources)).toContain('src/VaultV1.sol');
    expect(Object.keys(unit.input.sources)).toContain(
      '@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC4626Upgradeable.sol',
    );
    expect(unit.hasNamespaces).toBe(true);
  });

  it('is served from the content-addressed cache when nothing changed, and recompiles after a one-byte change', async () => {
    const dir = tmp('cache');
    cpSync(SMALL, dir, { recursive: true });
    // Resolve @openzeppelin from this repository's node_modules through a remapping.
    writeFileSync(
      join(dir, 'remappings.txt'),
      `@openzeppelin/=${fileURLToPath(new URL('../node_modules/@openzeppelin/', import.meta.url))}\n`,
    );
    const state = join(dir, '.pg');
    const first = await loadProject({ dir, stateDir: state });
    expect(first.cached).toBe(false);
    const second = await loadProject({ dir, stateDir: state });
    expect(second.cached).toBe(true);
    expect(second.units[0]?.key).toBe(first.units[0]?.key);

    const file = join(dir, 'src/Box.sol');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    const third = await loadProject({ dir, stateDir: state });
    expect(third.cached).toBe(false);
    expect(third.units[0]?.key).not.toBe(first.units[0]?.key);

    // A truncated cache entry is a miss, not an error.
    const cacheDir = join(state, 'cache/solc');
    for (const f of readdirSync(cacheDir))
      writeFileSync(join(cacheDir, f), '{"format": "patchgate-unit-1", "inp');
    const fourth = await loadProject({ dir, stateDir: state });
    expect(fourth.cached).toBe(false);
    expect(findContract(fourth, 'BoxV2').name).toBe('BoxV2');
  });

  it('resolves Foundry-style lib/ dependencies and relative imports, naming them as forge does', async () => {
    const dir = tmp('lib');
    mkdirSync(join(dir, 'lib/dep/src/utils'), { recursive: true });
    mkdirSync(join(dir, 'src/sub'), { recursive: true });
    writeFileSync(
      join(dir, 'lib/dep/src/Base.sol'),
      'pragma solidity ^0.8.0;\nimport "./utils/Math.sol";\ncontract Base { uint256 internal x; }\n',
    );
    writeFileSync(
      join(dir, 'lib/dep/src/utils/Math.sol'),
      'pragma solidity ^0.8.0;\nlibrary M { function one() internal pure returns (uint256) { return 1; } }\n',
    );
    writeFileSync(join(dir, 'src/sub/Helper.sol'), 'pragma solidity ^0.8.0;\ncontract Helper {}\n');
    writeFileSync(
      join(dir, 'src/App.sol'),
      'pragma solidity ^0.8.0;\nimport {Base} from "dep/Base.sol";\nimport {Helper} from "./sub/Helper.sol";\ncontract App is Base { Helper h; }\n',
    );
    const project = await loadProject({ dir, stateDir: join(dir, '.pg') });
    expect(Object.keys(project.units[0]?.input.sources ?? {}).sort()).toEqual([
      'lib/dep/src/Base.sol',
      'lib/dep/src/utils/Math.sol',
      'src/App.sol',
      'src/sub/Helper.sol',
    ]);
    expect(findContract(project, 'App').sourceName).toBe('src/App.sol');
  });

  it('sees an ERC-7201 namespace layout break', async () => {
    const report = await runCheck({
      projectDir: SMALL,
      stateDir: TEST_STATE_DIR,
      reference: 'Box',
      candidate: 'BoxV2',
      cache: false,
    });
    expect(report.verdict).toBe('fail');
    const storage = report.findings.filter((f) => f.id === 'storage-layout-incompatible');
    expect(storage.map((f) => f.message).join('\n')).toMatch(/Inserted `label`/);
    expect(storage[0]?.location).toMatchObject({ file: 'src/BoxV2.sol', line: 10 });
  });
});

describe('Foundry and Hardhat build-info', () => {
  const cases: Array<[string, string]> = [
    ['VaultV1', 'VaultV2'],
    ['VaultV1', 'VaultV2AccessDropped'],
    ['VaultV1', 'VaultV2StorageCollision'],
    ['RewardsV1', 'RewardsV2UnprotectedUpgrade'],
  ];
  const summary = (r: Awaited<ReturnType<typeof runCheck>>) => ({
    verdict: r.verdict,
    findings: r.findings.map((f) => [
      f.id,
      f.status,
      f.location?.file,
      f.location?.line,
      f.location?.function,
    ]),
  });

  for (const layout of ['foundry', 'hardhat'] as const) {
    it(`gives the same verdicts and findings from ${layout} build-info as from plain sources`, async () => {
      const dir = projectFrom(example.units[0] as CompilationUnit, layout);
      const state = join(dir, '.pg');
      const project = await loadProject({ dir, stateDir: state });
      expect(project.layout).toBe(layout);
      for (const [reference, candidate] of cases) {
        const fromSources = await runCheck({
          projectDir: EXAMPLE_DIR,
          stateDir: TEST_STATE_DIR,
          project: example,
          reference,
          candidate,
          cache: false,
        });
        const fromBuildInfo = await runCheck({
          projectDir: dir,
          stateDir: state,
          project,
          reference,
          candidate,
          cache: false,
        });
        expect(summary(fromBuildInfo), `${layout} ${candidate}`).toEqual(summary(fromSources));
      }
    });
  }

  it('fails closed when changed namespaces cannot be laid out (build-info from a solc patchgate does not ship)', async () => {
    const small = await loadProject({ dir: SMALL, stateDir: TEST_STATE_DIR });
    const dir = projectFrom(small.units[0] as CompilationUnit, 'hardhat', '0.8.26');
    const report = await runCheck({
      projectDir: dir,
      stateDir: join(dir, '.pg'),
      reference: 'Box',
      candidate: 'BoxV2',
      cache: false,
    });
    expect(report.verdict).toBe('fail');
    expect(report.findings.find((f) => f.id === 'namespaces-unchecked')?.blocking).toBe(true);
    // Namespaces that did not change need no slot-level layout, whatever compiled them.
    const old = projectFrom(example.units[0] as CompilationUnit, 'hardhat', '0.8.26');
    const same = await runCheck({
      projectDir: old,
      stateDir: join(old, '.pg'),
      reference: 'VaultV1',
      candidate: 'VaultV2',
      cache: false,
    });
    expect(same.findings.some((f) => f.id === 'namespaces-unchecked')).toBe(false);
    expect(same.verdict).toBe('pass');
  });

  it('computes the namespaced layout only for a check whose namespaces differ, and caches it', async () => {
    const dir = projectFrom(example.units[0] as CompilationUnit, 'hardhat');
    const state = join(dir, '.pg');
    await runCheck({
      projectDir: dir,
      stateDir: state,
      reference: 'VaultV1',
      candidate: 'VaultV2',
      cache: false,
    });
    expect((await loadProject({ dir, stateDir: state })).units[0]?.namespacedOutput).toBeUndefined();
    const small = projectFrom(
      (await loadProject({ dir: SMALL, stateDir: TEST_STATE_DIR })).units[0] as CompilationUnit,
      'foundry',
    );
    const smallState = join(small, '.pg');
    const report = await runCheck({
      projectDir: small,
      stateDir: smallState,
      reference: 'Box',
      candidate: 'BoxV2',
      cache: false,
    });
    expect(report.findings.some((f) => f.id === 'storage-layout-incompatible')).toBe(true);
    const again = await loadProject({ dir: small, stateDir: smallState });
    expect(again.cached).toBe(true);
    expect(again.units[0]?.namespacedOutput).toBeDefined();
  });
});

describe('bad input', () => {
  it('names a missing project directory', async () => {
    const e = await errorOf(loadProject({ dir: '/nonexistent/project', stateDir: tmp('s') }));
    expect([e.code, e.exitCode]).toEqual(['project-not-found', 2]);
    expect(e.shortMessage).toContain('/nonexistent/project');
  });

  it('rejects a file passed as the project', async () => {
    const e = await errorOf(loadProject({ dir: join(SMALL, 'src/Box.sol'), stateDir: tmp('s') }));
    expect(e.code).toBe('project-not-found');
  });

  it('rejects a project with no sources and no build-info', async () => {
    const e = await errorOf(loadProject({ dir: tmp('empty'), stateDir: tmp('s') }));
    expect(e.code).toBe('project-empty');
  });

  it('names a corrupt build-info file and one missing its output', async () => {
    const dir = tmp('corrupt');
    writeFileSync(join(dir, 'foundry.toml'), '[profile.default]\n');
    mkdirSync(join(dir, 'out/build-info'), { recursive: true });
    writeFileSync(join(dir, 'out/build-info/a.json'), '{ not json');
    let e = await errorOf(loadProject({ dir, stateDir: tmp('s') }));
    expect(e.code).toBe('build-info-corrupt');
    expect(e.shortMessage).toContain('a.json');
    writeFileSync(
      join(dir, 'out/build-info/a.json'),
      JSON.stringify({ solcVersion: '0.8.30', input: { sources: {} } }),
    );
    e = await errorOf(loadProject({ dir, stateDir: tmp('s') }));
    expect(e.shortMessage).toMatch(/a\.json has no "output"/);
  });

  it('names the file and the import that cannot be resolved', async () => {
    const dir = tmp('import');
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src/A.sol'),
      'pragma solidity ^0.8.0;\nimport {X} from "@nowhere/x/X.sol";\ncontract A {}\n',
    );
    const e = await errorOf(loadProject({ dir, stateDir: tmp('s') }));
    expect(e.code).toBe('import-not-found');
    expect(e.shortMessage).toBe('src/A.sol imports "@nowhere/x/X.sol", which cannot be found');
  });

  it('suggests close names for an unknown contract and asks for a path when a name is ambiguous', async () => {
    let e = await errorOf(() => findContract(example, 'VaultV3'));
    expect(e.code).toBe('unknown-contract');
    expect(e.hint).toMatch(/VaultV1|VaultV2/);
    const dir = tmp('ambiguous');
    mkdirSync(join(dir, 'src/a'), { recursive: true });
    mkdirSync(join(dir, 'src/b'), { recursive: true });
    writeFileSync(join(dir, 'src/a/T.sol'), 'pragma solidity ^0.8.0;\ncontract T {}\n');
    writeFileSync(join(dir, 'src/b/T.sol'), 'pragma solidity ^0.8.0;\ncontract T { uint x; }\n');
    const project = await loadProject({ dir, stateDir: tmp('s') });
    e = await errorOf(() => findContract(project, 'T'));
    expect(e.code).toBe('ambiguous-contract');
    expect(e.hint).toContain('src/a/T.sol:T');
    expect(findContract(project, 'src/b/T.sol:T').sourceName).toBe('src/b/T.sol');
  });
});
