import { readFileSync } from 'node:fs';
// `errorKinds` (the run-time list of kinds) is not exported by upgrades-core's package entry.
import { errorKinds } from '@openzeppelin/upgrades-core/dist/validate/run.js';
import { describe, expect, it } from 'vitest';
import { isPatchgateError } from '../core/errors.js';
import { FINDING_IDS, isFindingId } from '../core/finding-ids.js';
import { CATALOG, catalogEntry, makeFinding } from './catalog.js';

const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');

/** docs/findings.md split into `### \`id\`` sections. */
const sections = new Map(
  [...doc.matchAll(/^### `([^`]+)`\n([\s\S]*?)(?=^#{2,3} |(?![\s\S]))/gm)].map((m) => [m[1], m[2] ?? '']),
);

describe('finding catalogue', () => {
  it('has an id and an entry for every error kind of the installed upgrades-core', () => {
    for (const kind of errorKinds) {
      const id = `upgrade-unsafe-${kind}`;
      expect(isFindingId(id) && CATALOG[id], kind).toMatchObject({ id });
    }
  });

  it('has exactly one entry per id of FINDING_IDS, and no other', () => {
    expect(Object.keys(CATALOG)).toEqual([...FINDING_IDS]);
    expect(new Set(FINDING_IDS).size).toBe(FINDING_IDS.length);
    for (const id of FINDING_IDS) expect(CATALOG[id].id).toBe(id);
    expect(isFindingId('access-control-removed')).toBe(true);
    expect(isFindingId('acess-control-removed')).toBe(false);
  });

  it('follows upgrades-core on what blocks: its warnings (incorrect-initializer-order) do not', () => {
    expect(CATALOG['upgrade-unsafe-incorrect-initializer-order']).toMatchObject({
      severity: 'medium',
      blocking: false,
    });
    for (const kind of ['delegatecall', 'selfdestruct', 'missing-public-upgradeto'] as const) {
      expect(CATALOG[`upgrade-unsafe-${kind}`]).toMatchObject({ severity: 'critical', blocking: true });
    }
  });

  it('has the ids the detectors and the gate rely on', () => {
    for (const [id, severity, blocking] of [
      ['storage-layout-incompatible', 'critical', true],
      ['access-control-removed', 'critical', true],
      ['access-control-missing', 'high', true],
      ['implementation-initializable', 'critical', true],
      ['uups-unprotected-upgrade', 'critical', true],
      ['function-removed', 'high', true],
      ['function-changed', 'high', true],
      ['function-returns-extended', 'low', false],
      ['namespace-conflict', 'critical', true],
      ['layout-clash', 'critical', true],
      ['no-initializer', 'info', false],
      ['event-removed', 'medium', true],
      ['function-added', 'info', false],
      ['selector-clash', 'critical', true],
      ['state-uninitialized', 'high', true],
      ['initializer-not-rerunnable', 'medium', false],
      ['bytecode-selfdestruct', 'high', true],
      ['bytecode-delegatecall', 'high', true],
      ['bytecode-callcode', 'high', true],
      ['namespaces-unchecked', 'high', true],
      ['not-upgradeable', 'high', true],
    ] as const) {
      expect(CATALOG[id], id).toMatchObject({ id, severity, blocking });
    }
  });

  it('gives every entry a kebab-case id, a title, a summary, a one-sentence fix and an example', () => {
    for (const [id, e] of Object.entries(CATALOG)) {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(e.id).toBe(id);
      expect(e.title.length, id).toBeGreaterThan(5);
      expect(e.summary.length, id).toBeGreaterThan(20);
      expect(e.fix, id).toMatch(/[.!]$/);
      expect(e.example.trim().length, id).toBeGreaterThan(5);
    }
  });

  it('is documented in docs/findings.md: one section per id, no section without an id', () => {
    for (const id of Object.keys(CATALOG))
      expect(doc, `docs/findings.md lacks ${id}`).toContain(`### \`${id}\``);
    expect([...sections.keys()].sort()).toEqual(Object.keys(CATALOG).sort());
  });

  it('documents the same severity and blocking as the catalogue, with an example and the fix', () => {
    for (const [id, e] of Object.entries(CATALOG)) {
      const section = sections.get(id) ?? '';
      expect(section, id).toContain(
        `severity \`${e.severity}\`, ${e.blocking ? 'blocking' : 'not blocking'}`,
      );
      expect(section, `${id}: example`).toMatch(/```/);
      expect(section, `${id}: fix`).toContain('**Fix:**');
    }
  });

  it('fills a finding from the catalogue, letting the detector override severity and blocking', () => {
    const f = makeFinding('bytecode-delegatecall', {
      message: 'DELEGATECALL in VaultV2.exec',
      severity: 'info',
      blocking: false,
      key: 'DELEGATECALL',
    });
    expect(f).toMatchObject({
      id: 'bytecode-delegatecall',
      severity: 'info',
      blocking: false,
      title: CATALOG['bytecode-delegatecall']?.title,
      hint: CATALOG['bytecode-delegatecall']?.fix,
      key: 'DELEGATECALL',
    });
    expect(f).not.toHaveProperty('location');
    const located = makeFinding('uups-unprotected-upgrade', {
      message: 'anyone can upgrade',
      location: { file: 'src/V.sol', line: 9, contract: 'V', function: '_authorizeUpgrade' },
      status: 'introduced',
      hint: 'use onlyOwner',
    });
    expect(located).toMatchObject({
      severity: 'critical',
      blocking: true,
      status: 'introduced',
      hint: 'use onlyOwner',
    });
  });

  it('treats an unknown id as a programming error', () => {
    // A typed caller cannot name it; a JavaScript caller (or a cast) gets an internal error.
    // @ts-expect-error not a FindingId
    expect(() => makeFinding('no-such-id', { message: 'm' })).toThrow(/no-such-id/);
    let error: unknown;
    try {
      // @ts-expect-error not a FindingId
      catalogEntry('no-such-id');
    } catch (e) {
      error = e;
    }
    expect(isPatchgateError(error) && error.code).toBe('internal');
  });
});
