/**
 * The scan on its labelled corpus (test/fixtures/scan, see test/helpers/scan-corpus.ts): every contract gets
 * exactly the findings its labels say (its known false alarms included, its known misses excluded), and every
 * bug → fix pair X → XFixed reports X's findings as fixed and introduces nothing that blocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { contractView } from '../src/analyze/ast.js';
import { DETECTORS } from '../src/analyze/scan/registry.js';
import { scanContract, scanDiff } from '../src/analyze/scan/run.js';
import { findContract, loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import type { Finding } from '../src/core/finding.js';
import { TEST_STATE_DIR } from './helpers/example.js';
import { isProbe, labelledContracts, SCAN_CORPUS } from './helpers/scan-corpus.js';

let project: Project;
const corpus = labelledContracts();
const label = (f: Finding) => `${f.id}@${f.location?.function ?? ''}`;
const view = (fqn: string) => contractView(findContract(project, fqn));

beforeAll(async () => {
  project = await loadProject({ dir: SCAN_CORPUS, stateDir: TEST_STATE_DIR });
}, 240_000);

describe('scan corpus', () => {
  it('is labelled: at least three vulnerable contracts and their fixes per detector', () => {
    const detectors = corpus.filter((c) => !isProbe(c));
    const ids = new Set(detectors.flatMap((c) => c.expect.map((l) => l.split('@')[0])));
    for (const d of DETECTORS)
      expect(ids.has(d.id), `${d.id} has no vulnerable contract in the corpus`).toBe(true);
    for (const id of ids) {
      const vulnerable = detectors.filter((c) => c.expect.some((l) => l.startsWith(`${id}@`)));
      expect(vulnerable.length, id).toBeGreaterThanOrEqual(3);
      // A fix may keep another detector's finding (a reentrancy fix leaves the share math as it was): only a
      // contract that is not itself a fix needs one.
      for (const c of vulnerable.filter((v) => !v.name.endsWith('Fixed'))) {
        expect(
          corpus.some((x) => x.name === `${c.name}Fixed`),
          `${c.fullyQualifiedName} has no ${c.name}Fixed`,
        ).toBe(true);
      }
    }
  });

  it.each(corpus.map((c) => [c.fullyQualifiedName, c] as const))('%s: finds what its labels say', (_, c) => {
    const found = scanContract(view(c.fullyQualifiedName)).map(label).sort();
    expect(found).toEqual([...c.expect, ...c.falseAlarm].sort());
  });

  it.each(
    corpus
      .filter((c) => c.name.endsWith('Fixed'))
      .map((fixed) => [fixed.name.slice(0, -'Fixed'.length), fixed] as const),
  )('%s → its fix: what the fix removes is fixed, nothing blocking introduced', (name, fixed) => {
    const bug = corpus.find((c) => c.name === name);
    if (!bug) throw new Error(`${fixed.fullyQualifiedName} fixes no labelled ${name}`);
    const diff = scanDiff(view(bug.fullyQualifiedName), view(fixed.fullyQualifiedName));
    const kept = new Set([...fixed.expect, ...fixed.falseAlarm]);
    const gone = [...bug.expect, ...bug.falseAlarm].filter((l) => !kept.has(l));
    expect(
      diff
        .filter((f) => f.status === 'fixed')
        .map(label)
        .sort(),
    ).toEqual(gone.sort());
    expect(diff.filter((f) => f.status === 'introduced' && f.blocking)).toEqual([]);
  });

  it('suppresses in source only with a reason, and only the ids the comment names', () => {
    const byFn = new Map(
      scanContract(view('src/suppress/Suppressed.sol:Suppressed')).map((f) => [f.location?.function, f]),
    );
    expect(byFn.get('withReason')).toMatchObject({
      acknowledged: true,
      acknowledgedReason:
        'src/suppress/Suppressed.sol:12: the owner is a cold EOA that calls nothing else (audit §4)',
    });
    expect(byFn.get('sameLine')).toMatchObject({
      acknowledged: true,
      acknowledgedReason: 'src/suppress/Suppressed.sol:18: kiosk account',
    });
    expect(byFn.get('withoutReason')?.acknowledged).toBeUndefined();
    expect(byFn.get('withoutReason')?.message).toMatch(
      /patchgate-disable comment at src\/suppress\/Suppressed.sol:23 gives no reason/,
    );
    expect(byFn.get('otherId')?.acknowledged).toBeUndefined();
    expect(byFn.get('otherId')?.blocking).toBe(true);
  });

  it('fingerprints the normalised source: comments, spacing and line moves do not make a finding new', () => {
    const keys = (fqn: string) => scanContract(view(fqn)).map((f) => f.key);
    const [withReason, sameLine] = keys('src/suppress/Suppressed.sol:Suppressed');
    expect(withReason).toMatch(/^withReason:[0-9a-f]{16}$/);
    // The same statement in another function is another finding.
    expect(sameLine?.split(':')[1]).toBe(withReason?.split(':')[1]);
    expect(sameLine).not.toBe(withReason);
  });
});
