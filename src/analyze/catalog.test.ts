import { readFileSync } from 'node:fs';
import { errorKinds } from '@openzeppelin/upgrades-core/dist/validate/run.js';
import { describe, expect, it } from 'vitest';
import { CATALOG, makeFinding, UPGRADES_CORE_ERROR_KINDS } from './catalog.js';

const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');

describe('finding catalogue', () => {
  it('lists exactly the error kinds of the installed upgrades-core', () => {
    expect([...UPGRADES_CORE_ERROR_KINDS].sort()).toEqual([...errorKinds].sort());
    for (const kind of errorKinds) expect(CATALOG[`upgrade-unsafe-${kind}`]).toBeDefined();
  });

  it('has the ids the issue requires', () => {
    for (const id of [
      'storage-layout-incompatible',
      'upgrade-unsafe-delegatecall',
      'upgrade-unsafe-selfdestruct',
      'upgrade-unsafe-missing-public-upgradeto',
      'access-control-removed',
      'implementation-initializable',
      'uups-unprotected-upgrade',
      'function-removed',
      'selector-clash',
      'state-uninitialized',
    ]) {
      expect(CATALOG[id], id).toBeDefined();
    }
  });

  it('uses stable kebab-case ids, each documented in docs/findings.md', () => {
    for (const id of Object.keys(CATALOG)) {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(doc, `docs/findings.md lacks ${id}`).toContain(`### \`${id}\``);
    }
  });

  it('documents no id the catalogue does not have', () => {
    const documented = [...doc.matchAll(/^### `([^`]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(CATALOG).sort());
  });

  it('fills a finding from the catalogue, letting the detector override severity and blocking', () => {
    const f = makeFinding('bytecode-delegatecall', {
      message: 'm',
      severity: 'info',
      blocking: false,
      key: 'DELEGATECALL',
    });
    expect(f).toMatchObject({
      id: 'bytecode-delegatecall',
      severity: 'info',
      blocking: false,
      title: expect.any(String),
    });
    expect(f.hint).toBe(CATALOG['bytecode-delegatecall']?.fix);
    expect(() => makeFinding('no-such-id', { message: 'm' })).toThrow(/no-such-id/);
  });
});
