/**
 * One `forge build` (real forge, pinned solc-js) that writes several build-infos: via_ir = true for the
 * project, and a compilation restriction that compiles CounterV1.sol through a second compiler profile
 * without it, so Base.sol is in both build-infos. Reference and candidate come from different build-infos;
 * the check must say what it says when patchgate compiles the same sources itself.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findContract, loadProject } from '../src/build/index.js';
import { checkJson, type StagedFixture, stageFoundry, verdictAndFindings } from './helpers/forge.js';

let fixture: StagedFixture;
beforeAll(() => {
  fixture = stageFoundry('profiles');
}, 240_000);

describe('forge build with compiler profiles and via_ir', () => {
  it('reads every build-info: the via_ir one and the legacy one, with the shared base in both', async () => {
    expect(readdirSync(join(fixture.built, 'out/build-info'))).toHaveLength(2);
    const project = await loadProject({ dir: fixture.built, stateDir: join(fixture.built, '.patchgate') });
    expect(project.units).toHaveLength(2);
    for (const unit of project.units) expect(Object.keys(unit.output.contracts)).toContain('src/Base.sol');
    const v1 = findContract(project, 'CounterV1');
    const v2 = findContract(project, 'CounterV2');
    expect(v1.unit).not.toBe(v2.unit);
    expect((v1.unit.input.settings as { viaIR?: boolean }).viaIR).toBe(false);
    expect((v2.unit.input.settings as { viaIR?: boolean }).viaIR).toBe(true);
  });

  it.each([
    ['CounterV2', 0, 'pass'],
    ['CounterV2Unsafe', 1, 'fail'],
  ])(
    'check CounterV1 → %s across build-infos: same verdict and findings as our own compile',
    (candidate, code, verdict) => {
      const fromForge = checkJson(fixture.built, 'CounterV1', candidate);
      const fromSources = checkJson(fixture.plain, 'CounterV1', candidate);
      expect(fromForge.code, fromForge.result.stderr).toBe(code);
      expect(fromSources.code, fromSources.result.stderr).toBe(code);
      expect(fromForge.report.verdict).toBe(verdict);
      expect(verdictAndFindings(fromForge.report)).toEqual(verdictAndFindings(fromSources.report));
      if (verdict === 'fail') {
        const ids = (fromForge.report.findings as { id: string }[]).map((f) => f.id);
        expect(ids).toEqual(
          expect.arrayContaining(['storage-layout-incompatible', 'access-control-missing']),
        );
      }
    },
    120_000,
  );
});
