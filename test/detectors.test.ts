/**
 * patchgate's own detectors on a purpose-built pair (test/fixtures/detectors): every guard form the
 * access-control diff must recognise, what is not a guard, ABI changes, new-state initialization,
 * status "fixed", selector clashes and kind-dependent upgrades-core errors.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckReport, runCheck } from '../src/analyze/run-check.js';
import { loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import type { Finding } from '../src/core/finding.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const DIR = fileURLToPath(new URL('./fixtures/detectors/', import.meta.url));
let project: Project;
let report: CheckReport;

const check = (reference: string, candidate: string, kind?: 'transparent' | 'uups') =>
  runCheck({ projectDir: DIR, stateDir: TEST_STATE_DIR, project, reference, candidate, kind, cache: false });
const named = (id: string) => report.findings.filter((f) => f.id === id);
const fns = (fs: Finding[]) => fs.map((f) => f.location?.function).sort();

beforeAll(async () => {
  project = await loadProject({ dir: DIR, stateDir: TEST_STATE_DIR });
  report = await check('GuardsV1', 'GuardsV2');
});

describe('access-control diff', () => {
  it('recognises onlyOwner, onlyRole, require/if-revert on msg.sender or tx.origin, and checks in helpers or modifiers', () => {
    expect(fns(named('access-control-removed'))).toEqual(
      ['byHelper', 'byIfRevert', 'byModifierOnHelper', 'byOwner', 'byRequire', 'byRole', 'byTxOrigin'].sort(),
    );
    for (const f of named('access-control-removed')) {
      expect(f).toMatchObject({ severity: 'critical', blocking: true, status: 'introduced' });
      expect(f.location?.file).toBe('src/GuardsV2.sol');
    }
    expect(named('access-control-removed').find((f) => f.location?.function === 'byRole')?.message).toMatch(
      /onlyRole/,
    );
  });

  it('does not count a pause check or a non-reverting caller comparison as a guard', () => {
    const flagged = fns(named('access-control-removed'));
    expect(flagged).not.toContain('paused_');
    expect(flagged).not.toContain('callerBranch');
  });

  it('flags a new unguarded state-changing function but not a new reinitializer', () => {
    expect(fns(named('access-control-missing'))).toEqual(['sweep']);
  });
});

describe('ABI diff', () => {
  it('reports removed functions and events at their place in the reference, and a changed function', () => {
    expect(named('function-removed')).toEqual([
      expect.objectContaining({
        location: expect.objectContaining({ file: 'src/GuardsV1.sol', function: 'legacy' }),
      }),
    ]);
    expect(named('event-removed')[0]?.message).toMatch(/ValueSet\(uint256\)/);
    expect(named('function-changed')[0]?.message).toMatch(
      /returns \(uint256\) → \(uint256,uint256\); view → nonpayable/,
    );
    expect(fns(named('function-added'))).toContain('initializeV2');
  });
});

describe('state-uninitialized', () => {
  it('flags new read state that only `initializer` sets, not state a newer reinitializer sets, nor unread state or mappings', () => {
    const messages = named('state-uninitialized').map((f) => f.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/GuardsV2\.setOnlyByInit .*\(initializeV2@2\)/);
  });
});

describe('statuses', () => {
  it('marks a finding of the live version that the patch removes as fixed, not blocking the verdict', () => {
    const fixed = named('implementation-initializable');
    expect(fixed).toEqual([
      expect.objectContaining({
        status: 'fixed',
        blocking: false,
        location: expect.objectContaining({ file: 'src/GuardsV1.sol' }),
      }),
    ]);
  });
});

describe('proxy kind', () => {
  it('finds the selector clash of a UUPS implementation put behind a transparent proxy', async () => {
    const r = await check('GuardsV1', 'UupsImpl', 'transparent');
    const clash = r.findings.find((f) => f.id === 'selector-clash');
    expect(clash).toMatchObject({
      status: 'introduced',
      location: { file: 'src/GuardsV2.sol', function: 'upgradeToAndCall' },
    });
    expect(clash?.message).toMatch(/0x4f1ef286/);
  });

  it('asks upgrades-core for UUPS rules when told --kind uups (no upgrade function → locked proxy)', async () => {
    const r = await check('GuardsV1', 'GuardsV2', 'uups');
    expect(r.findings.some((f) => f.id === 'upgrade-unsafe-missing-public-upgradeto' && f.blocking)).toBe(
      true,
    );
    expect(r.kind).toBe('uups');
  });
});
