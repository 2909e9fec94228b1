import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { loadConfig, parseConfig } from './load.js';

const good = {
  contracts: { vault: { kind: 'transparent', reference: 'VaultV1' } },
  patches: [{ name: 'fix', contract: 'vault', candidate: 'VaultV2' }],
  acknowledge: [{ id: 'function-added', contract: 'VaultV2', reason: 'new view' }],
};

describe('config', () => {
  it('accepts a valid config and fills defaults', async () => {
    const cfg = await parseConfig(JSON.stringify(good), 'patchgate.config.json');
    expect(cfg.project).toBe('.');
    expect(cfg.patches[0]?.candidate).toBe('VaultV2');
  });

  it('names the misspelled key', async () => {
    const e = await errorOf(() => parseConfig(JSON.stringify({ ...good, patchez: [] }), 'p.json'));
    expect(e.exitCode).toBe(2);
    expect(e.shortMessage).toBe('p.json: unknown key `patchez` (did you mean `patches`?)');
  });

  it('names a misspelled nested key first, not the key it made missing', async () => {
    const bad = { ...good, patches: [{ name: 'fix', contract: 'vault', candiate: 'VaultV2' }] };
    const e = await errorOf(() => parseConfig(JSON.stringify(bad), 'p.json'));
    expect(e.shortMessage).toBe('p.json: patches[0]: unknown key `candiate` (did you mean `candidate`?)');
    expect(e.details).toEqual(['patches[0].candidate: Invalid input: expected string, received undefined']);
    const lane = { ...good, policy: { lanes: { standrd: {} } } };
    expect((await errorOf(() => parseConfig(JSON.stringify(lane), 'p.json'))).shortMessage).toBe(
      'p.json: policy.lanes: unknown key `standrd` (did you mean `standard`?)',
    );
    const far = await errorOf(() => parseConfig(JSON.stringify({ ...good, zzzzzz: 1 }), 'p.json'));
    expect(far.shortMessage).toBe('p.json: unknown key `zzzzzz`');
  });

  it('names the bad value of a nested key', async () => {
    const bad = { ...good, contracts: { vault: { kind: 'diamond', reference: 'VaultV1' } } };
    const e = await errorOf(() => parseConfig(JSON.stringify(bad), 'p.json'));
    expect(e.shortMessage).toMatch(/contracts\.vault\.kind/);
  });

  it('rejects a patch for an undeclared contract', async () => {
    const bad = { ...good, patches: [{ name: 'x', contract: 'vualt', candidate: 'VaultV2' }] };
    const e = await errorOf(() => parseConfig(JSON.stringify(bad), 'p.json'));
    expect(e.shortMessage).toMatch(/patches\[0\]\.contract: unknown contract "vualt"/);
  });

  it('rejects malformed JSON with the file name', async () => {
    const e = await errorOf(() => parseConfig('{"contracts": ', 'broken.json'));
    expect(e.code).toBe('config-invalid');
    expect(e.shortMessage).toMatch(/broken\.json is not valid JSON/);
  });

  it('accepts comments and trailing commas (JSONC, as `patchgate init` writes it)', async () => {
    const text = `// written by patchgate init
{
  /* the contracts */
  "contracts": { "vault": { "kind": "transparent", "reference": "VaultV1", }, },
  // a patch
  "patches": [{ "name": "fix", "contract": "vault", "candidate": "VaultV2" },],
}
`;
    const cfg = await parseConfig(text, 'patchgate.config.json');
    expect(cfg.contracts.vault?.reference).toBe('VaultV1');
    expect(cfg.patches[0]?.candidate).toBe('VaultV2');
  });

  it('names the line and column of a syntax error', async () => {
    const e = await errorOf(() =>
      parseConfig('{\n  // ok\n  "contracts": {\n    "vault" {}\n  }\n}\n', 'c.json'),
    );
    expect(e.exitCode).toBe(2);
    expect(e.shortMessage).toBe('c.json is not valid JSON at line 4, column 13: a colon is expected');
    expect(e.hint).toMatch(/c\.json:4:13/);
    const unclosed = await errorOf(() => parseConfig('{ /* open', 'c.json'));
    expect(unclosed.shortMessage).toMatch(/line 1, column 3: a comment is not closed/);
  });

  it('fails for a missing --config file but not for a missing default one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-config-'));
    const missing = await errorOf(() => loadConfig({ file: join(dir, 'nope.json'), searchDir: dir }));
    expect(missing.code).toBe('config-not-found');
    expect((await loadConfig({ searchDir: dir })).path).toBeUndefined();
    writeFileSync(join(dir, 'patchgate.config.json'), JSON.stringify({ ...good, project: 'sub' }));
    expect((await loadConfig({ searchDir: dir })).projectDir).toBe(join(dir, 'sub'));
  });

  it('loads patchgate.config.ts (transpiled) and .mjs, preferring .ts, and names a bad key in them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-config-ts-'));
    writeFileSync(
      join(dir, 'patchgate.config.ts'),
      `const kind: 'transparent' = 'transparent';\nexport default { contracts: { vault: { kind, reference: 'VaultV1' } } };\n`,
    );
    writeFileSync(join(dir, 'patchgate.config.mjs'), 'export default { contracts: {} };\n');
    const loaded = await loadConfig({ searchDir: dir });
    expect(loaded.path).toBe(join(dir, 'patchgate.config.ts'));
    expect(loaded.config.contracts.vault?.kind).toBe('transparent');
    const mjs = await loadConfig({ file: join(dir, 'patchgate.config.mjs'), searchDir: dir });
    expect(mjs.config.contracts).toEqual({});
    writeFileSync(join(dir, 'patchgate.config.ts'), 'export default { contracts: {}, patchez: [] };\n');
    const e = await errorOf(() => loadConfig({ searchDir: dir }));
    expect(e.shortMessage).toMatch(/patchgate\.config\.ts: .*patchez/);
  });
});
