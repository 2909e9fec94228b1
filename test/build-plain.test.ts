/**
 * loadProject on the plain-source fixture (test/fixtures/build/plain) and on Foundry / Hardhat projects whose
 * build-info this file writes from the same real solc-js run; the cache; compile and build-info errors.
 */

import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureNamespaced, findContract, loadProject } from '../src/build/index.js';
import { solcLoaded } from '../src/build/solc.js';
import type { CompilationUnit, Project } from '../src/build/types.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { EXAMPLE_DIR, loadExample, REPO_ROOT, TEST_STATE_DIR } from './helpers/example.js';

const PLAIN = fileURLToPath(new URL('./fixtures/build/plain/', import.meta.url));
const OWN = ['CounterV1', 'VaultV1', 'VaultV2'];
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `pg-build-${name}-`));

/** A copy of the fixture in a temp dir that still resolves @openzeppelin from this repo's node_modules. */
function copyOfPlain(): string {
  const dir = tmp('copy');
  cpSync(join(PLAIN, 'src'), join(dir, 'src'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function contract(unit: CompilationUnit, sourceName: string, name: string) {
  return unit.output.contracts[sourceName]?.[name] as
    | { abi: unknown; storageLayout?: { storage: { label: string }[]; types: unknown } }
    | undefined;
}

let plain: Project;
let state: string;

/**
 * Whether loading the example from the shared cache (global-setup compiled it) loads soljson, asked of a process
 * of its own: test files may share a worker, where another file already loaded the compiler.
 */
function solcLoadedByCachedExample(): string {
  const dist = (f: string) => JSON.stringify(new URL(`../dist/build/${f}`, import.meta.url).href);
  const script = `const { loadProject } = await import(${dist('index.js')});
const { ${solcLoaded.name} } = await import(${dist('solc.js')});
await loadProject({ dir: ${JSON.stringify(EXAMPLE_DIR)}, stateDir: ${JSON.stringify(TEST_STATE_DIR)} });
process.stdout.write(String(${solcLoaded.name}()));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

beforeAll(async () => {
  await loadExample();
  state = tmp('state');
  plain = await loadProject({ dir: PLAIN, stateDir: state });
});

describe('plain sources', () => {
  it('compiles the fixture with every imported OpenZeppelin source in the input', () => {
    expect(plain.layout).toBe('sources');
    expect(plain.cached).toBe(false);
    const unit = plain.units[0] as CompilationUnit;
    const names = Object.keys(unit.input.sources);
    expect(names).toEqual(
      expect.arrayContaining([
        'src/Counter.sol',
        'src/vault/VaultV1.sol',
        'src/vault/VaultV2.sol',
        '@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol',
      ]),
    );
    for (const source of Object.values(unit.input.sources)) expect(source.content).toBeTypeOf('string');
    expect(unit.solcLongVersion).toMatch(/^0\.8\.30\+commit\.[0-9a-f]{8}$/);
    expect(unit.key).toMatch(/^[0-9a-f]{64}$/);
    expect(findContract(plain, 'VaultV1').fullyQualifiedName).toBe('src/vault/VaultV1.sol:VaultV1');
  });

  it('lays out the ERC-7201 namespace in a second compilation, only on demand', async () => {
    const unit = structuredClone(plain.units[0]) as CompilationUnit;
    expect(unit.hasNamespaces).toBe(true);
    expect(unit.namespacedOutput).toBeUndefined();
    expect(await ensureNamespaced(unit, state)).toBe(true);
    const layout = contract(
      { ...unit, output: unit.namespacedOutput } as CompilationUnit,
      'src/vault/VaultV1.sol',
      'VaultV1',
    )?.storageLayout;
    // upgrades-core adds one state variable per namespaced struct (`$VaultStorage_<random>`).
    expect(layout?.storage.some((v) => v.label.startsWith('$VaultStorage_'))).toBe(true);
    expect(JSON.stringify(layout?.types)).toContain('"label":"balances"');
    // Stored beside the unit: the next load brings it along.
    const again = await loadProject({ dir: PLAIN, stateDir: state });
    expect(again.cached).toBe(true);
    expect(again.units[0]?.namespacedOutput).toEqual(unit.namespacedOutput);
  });

  it('has no namespaces to lay out in a project without them', async () => {
    const dir = tmp('nons');
    mkdirSync(join(dir, 'contracts'));
    writeFileSync(join(dir, 'contracts/P.sol'), 'pragma solidity ^0.8.0;\ncontract P { uint256 x; }\n');
    const unit = (await loadProject({ dir, stateDir: tmp('s') })).units[0] as CompilationUnit;
    expect(unit.hasNamespaces).toBe(false);
    expect(await ensureNamespaced(unit)).toBe(true);
    expect(unit.namespacedOutput).toBeUndefined();
  });

  it('follows imports written every way, and not commented-out ones', async () => {
    const dir = tmp('imports');
    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    writeFileSync(join(dir, 'src/lib/A.sol'), 'pragma solidity ^0.8.0;\ncontract A {}\n');
    writeFileSync(join(dir, 'src/lib/B.sol'), 'pragma solidity ^0.8.0;\ncontract B {}\n');
    writeFileSync(join(dir, 'src/lib/C.sol'), 'pragma solidity ^0.8.0;\ncontract C {}\n');
    writeFileSync(
      join(dir, 'src/Main.sol'),
      [
        'pragma solidity ^0.8.0;',
        'import {A} from "./lib/A.sol";',
        "import * as Bs from './lib/B.sol';",
        'import {',
        '  C',
        '} from "src/lib/C.sol";',
        '// import "./missing/Gone.sol";',
        '/* import "./missing/AlsoGone.sol"; */',
        'contract Main is A, Bs.B, C {}',
      ].join('\n'),
    );
    const project = await loadProject({ dir, stateDir: tmp('s') });
    expect(Object.keys(project.units[0]?.input.sources ?? {})).toEqual([
      'src/Main.sol',
      'src/lib/A.sol',
      'src/lib/B.sol',
      'src/lib/C.sol',
    ]);
  });
  it('names a remapped project file by its path, so it is one source unit however it is imported', async () => {
    const dir = tmp('remap');
    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    writeFileSync(join(dir, 'remappings.txt'), '# app-local alias\n@app/=src/lib/\n');
    writeFileSync(join(dir, 'src/lib/Math.sol'), 'pragma solidity ^0.8.0;\ncontract Math {}\n');
    writeFileSync(
      join(dir, 'src/A.sol'),
      'pragma solidity ^0.8.0;\nimport {Math} from "@app/Math.sol";\nimport {B} from "./B.sol";\ncontract A is Math, B {}\n',
    );
    writeFileSync(
      join(dir, 'src/B.sol'),
      'pragma solidity ^0.8.0;\nimport {Math} from "src/lib/Math.sol";\ncontract B {}\n',
    );
    const project = await loadProject({ dir, stateDir: tmp('s') });
    expect(Object.keys(project.units[0]?.input.sources ?? {})).toEqual([
      'src/A.sol',
      'src/B.sol',
      'src/lib/Math.sol',
    ]);
    expect(findContract(project, 'Math').fullyQualifiedName).toBe('src/lib/Math.sol:Math');
  });
});

describe('the content-addressed cache', () => {
  // Behaviour, not wall-clock time (bench/ measures speed): a cached load never loads the compiler.
  it('serves an unchanged project without loading solc-js', async () => {
    expect(solcLoadedByCachedExample()).toBe('false');
    const again = await loadProject({ dir: PLAIN, stateDir: state });
    expect(again.cached).toBe(true);
    expect(again.units[0]?.key).toBe(plain.units[0]?.key);
    expect(again.units[0]?.output).toEqual(plain.units[0]?.output);
  });

  it('recompiles after a one-byte change and after a truncated cache entry', async () => {
    const dir = copyOfPlain();
    const s = join(dir, '.pg');
    const first = await loadProject({ dir, stateDir: s });
    expect(first.units[0]?.key).toBe(plain.units[0]?.key);

    const file = join(dir, 'src/Counter.sol');
    writeFileSync(file, readFileSync(file, 'utf8').replace('count += 1', 'count += 2'));
    const changed = await loadProject({ dir, stateDir: s });
    expect(changed.cached).toBe(false);
    expect(changed.units[0]?.key).not.toBe(first.units[0]?.key);

    const entry = join(s, 'cache/solc', `${changed.units[0]?.key}.json`);
    writeFileSync(entry, readFileSync(entry, 'utf8').slice(0, 1000));
    const afterTruncation = await loadProject({ dir, stateDir: s });
    expect(afterTruncation.cached).toBe(false);
    expect(afterTruncation.units[0]?.output).toEqual(changed.units[0]?.output);
    expect((await loadProject({ dir, stateDir: s })).cached).toBe(true);
    expect(readdirSync(join(s, 'cache/solc')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('Foundry and Hardhat build-info', () => {
  function expectSameContracts(project: Project) {
    const from = plain.units[0] as CompilationUnit;
    const unit = project.units[0] as CompilationUnit;
    for (const name of OWN) {
      const { sourceName } = findContract(project, name);
      expect(sourceName).toBe(findContract(plain, name).sourceName);
      const got = contract(unit, sourceName, name);
      const want = contract(from, sourceName, name);
      expect(got?.abi, name).toEqual(want?.abi);
      expect(got?.storageLayout, name).toEqual(want?.storageLayout);
    }
  }

  it('reads a Foundry build-info from the out dir foundry.toml names (older forge: long solcVersion)', async () => {
    const unit = plain.units[0] as CompilationUnit;
    const dir = tmp('foundry');
    writeFileSync(
      join(dir, 'foundry.toml'),
      '[profile.default]\nsrc = "src"\nout = "build" # not the default\n\n[profile.ci]\nout = "ci-out"\n',
    );
    mkdirSync(join(dir, 'build/build-info'), { recursive: true });
    const info = {
      id: 'f00d',
      source_id_to_path: {},
      language: 'Solidity',
      _format: 'ethers-rs-sol-build-info-1',
      solcVersion: unit.solcLongVersion,
      solcLongVersion: unit.solcLongVersion,
      input: unit.input,
      output: unit.output,
    };
    writeFileSync(join(dir, 'build/build-info/f00d.json'), JSON.stringify(info));
    const project = await loadProject({ dir, stateDir: tmp('s') });
    expect(project.layout).toBe('foundry');
    expect(project.cached).toBe(true);
    expect(project.units[0]?.solcVersion).toBe('0.8.30');
    expect(project.units[0]?.origin).toBe(join(dir, 'build/build-info/f00d.json'));
    expectSameContracts(project);
    expect(await ensureNamespaced(project.units[0] as CompilationUnit)).toBe(true);
  });

  it('reads a Hardhat 3 build-info whose output sits in a sibling .output.json', async () => {
    const unit = plain.units[0] as CompilationUnit;
    const dir = tmp('hardhat');
    writeFileSync(join(dir, 'hardhat.config.ts'), 'export default {};\n');
    mkdirSync(join(dir, 'artifacts/build-info'), { recursive: true });
    const { solcVersion, solcLongVersion, input, output } = unit;
    writeFileSync(
      join(dir, 'artifacts/build-info/h1.json'),
      JSON.stringify({ _format: 'hh3-sol-build-info-1', id: 'h1', solcVersion, solcLongVersion, input }),
    );
    writeFileSync(
      join(dir, 'artifacts/build-info/h1.output.json'),
      JSON.stringify({ _format: 'hh3-sol-build-info-output-1', id: 'h1', output }),
    );
    const project = await loadProject({ dir, stateDir: tmp('s') });
    expect(project.layout).toBe('hardhat');
    expect(project.units).toHaveLength(1);
    expectSameContracts(project);
  });

  it('cannot lay out namespaces for a build-info from a solc it does not ship (and does not download one)', async () => {
    const unit = plain.units[0] as CompilationUnit;
    const dir = tmp('old');
    mkdirSync(join(dir, 'artifacts/build-info'), { recursive: true });
    const info = { _format: 'hh-sol-build-info-1', ...unit, solcVersion: '0.8.26' };
    writeFileSync(join(dir, 'artifacts/build-info/o.json'), JSON.stringify(info));
    const project = await loadProject({ dir, stateDir: tmp('s') });
    const loaded = project.units[0] as CompilationUnit;
    expect(loaded.hasNamespaces).toBe(true);
    expect(await ensureNamespaced(loaded)).toBe(false);
    expect(loaded.namespacedOutput).toBeUndefined();
  });
});

describe('bad input', () => {
  it('reports a syntax error with solc’s own message (exit 2)', async () => {
    const dir = tmp('syntax');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/Bad.sol'), 'pragma solidity ^0.8.0;\ncontract Bad {\n  uint256 x\n}\n');
    const e = await errorOf(loadProject({ dir, stateDir: tmp('s') }));
    expect([e.code, e.exitCode]).toEqual(['compile-failed', 2]);
    // The first line names the first error and where it is; solc's formatted message follows.
    expect(e.shortMessage).toBe("compilation failed: src/Bad.sol:4:1: ParserError: Expected ';' but got '}'");
    expect(e.details.join('\n')).toContain(' --> src/Bad.sol:4:1:');
  });

  it('names a build-info that lacks the AST', async () => {
    const unit = plain.units[0] as CompilationUnit;
    const dir = tmp('noast');
    writeFileSync(join(dir, 'foundry.toml'), '[profile.default]\n');
    mkdirSync(join(dir, 'out/build-info'), { recursive: true });
    const sources = Object.fromEntries(Object.keys(unit.input.sources).map((k) => [k, { id: 0 }]));
    const info = { ...unit, output: { ...unit.output, sources } };
    writeFileSync(join(dir, 'out/build-info/n.json'), JSON.stringify(info));
    const e = await errorOf(loadProject({ dir, stateDir: tmp('s') }));
    expect(e.code).toBe('build-info-corrupt');
    expect(e.shortMessage).toMatch(/n\.json has no AST for /);
  });

  it('suggests only close names for an unknown contract, and lists the project’s otherwise', async () => {
    let e = await errorOf(() => findContract(plain, 'VaultV3'));
    expect([e.code, e.hint]).toEqual(['unknown-contract', 'did you mean: VaultV1, VaultV2?']);
    e = await errorOf(() => findContract(plain, 'Zzz'));
    expect(e.hint).toBe('contracts in the project: CounterV1, VaultV1, VaultV2');
  });

  it('accepts path:Name relative to the project dir, to the cwd, or absolute', () => {
    const fromCwd = relative(process.cwd(), join(PLAIN, 'src/vault/VaultV2.sol'));
    for (const ref of [
      'src/vault/VaultV2.sol:VaultV2',
      './src/vault/VaultV2.sol:VaultV2',
      `${fromCwd}:VaultV2`,
      `${join(PLAIN, 'src/vault/VaultV2.sol')}:VaultV2`,
    ]) {
      expect(findContract(plain, ref).fullyQualifiedName, ref).toBe('src/vault/VaultV2.sol:VaultV2');
    }
    expect(() => findContract(plain, 'src/Counter.sol:VaultV2')).toThrow(/it exists as/);
  });
});
