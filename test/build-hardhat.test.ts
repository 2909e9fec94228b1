/**
 * A Hardhat project with two compiler versions (0.8.20 by override, 0.8.30), whose build-infos a real
 * Hardhat 2.29.1 run wrote (committed: Hardhat is not a dependency, see the fixture's README). The check
 * reads one build-info per version and must say what it says when patchgate compiles the sources itself.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { findContract, loadProject } from '../src/build/index.js';
import { checkJson, verdictAndFindings } from './helpers/forge.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/hardhat/multi-version/', import.meta.url));

let built: string;
let plain: string;
beforeAll(() => {
  built = mkdtempSync(join(tmpdir(), 'pg-hardhat-'));
  cpSync(FIXTURE, built, { recursive: true });
  // The same sources without the build: patchgate compiles them with its one solc (0.8.30), so BoxV1's
  // exact `pragma solidity 0.8.20` is relaxed to `^0.8.20`.
  plain = mkdtempSync(join(tmpdir(), 'pg-hardhat-plain-'));
  cpSync(FIXTURE, plain, { recursive: true });
  rmSync(join(plain, 'artifacts'), { recursive: true });
  const v1 = join(plain, 'contracts/BoxV1.sol');
  writeFileSync(v1, readFileSync(v1, 'utf8').replace('pragma solidity 0.8.20;', 'pragma solidity ^0.8.20;'));
});

describe('Hardhat build with several compiler versions', () => {
  it('reads one build-info per compiler version (hh-sol-build-info-1)', async () => {
    const project = await loadProject({ dir: built, stateDir: join(built, '.patchgate') });
    expect(project.layout).toBe('hardhat');
    expect(project.units.map((u) => u.solcLongVersion).sort()).toEqual([
      '0.8.20+commit.a1b79de6',
      '0.8.30+commit.73712a01',
    ]);
    expect(findContract(project, 'BoxV1').unit.solcVersion).toBe('0.8.20');
    expect(findContract(project, 'BoxV2').unit.solcVersion).toBe('0.8.30');
  });

  it.each([
    ['BoxV2', 0, 'pass'],
    ['BoxV2Unsafe', 1, 'fail'],
  ])(
    'check BoxV1 (0.8.20) → %s (0.8.30): same verdict and findings as our own compile',
    (candidate, code, verdict) => {
      const fromHardhat = checkJson(built, 'BoxV1', candidate);
      const fromSources = checkJson(plain, 'BoxV1', candidate);
      expect(fromHardhat.code, fromHardhat.result.stderr).toBe(code);
      expect(fromSources.code, fromSources.result.stderr).toBe(code);
      expect(fromHardhat.report.verdict).toBe(verdict);
      expect(verdictAndFindings(fromHardhat.report)).toEqual(verdictAndFindings(fromSources.report));
      const ids = (fromHardhat.report.findings as { id: string }[]).map((f) => f.id);
      if (verdict === 'fail') expect(ids).toContain('storage-layout-incompatible');
    },
    60_000,
  );
});
