/**
 * Error codes are a contract with scripts: every code patchgate can raise is typed with its exit status in
 * src/core/error-codes.ts, documented in docs/errors.md with the same exit status, and raised somewhere in the
 * code (a code nothing raises is a stale promise in the docs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/error-codes.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `([a-z0-9-]+)` *\| ([123]) *\|/gm)].map((m) => [m[1] as string, Number(m[2])]),
);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('error-codes.ts') ? [p] : [];
  });
}
const code = sources(join(root, 'src'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

/** commander's own parse errors, named the way cli/main.ts turns `commander.unknownOption` into a code. */
const commander = readFileSync(join(root, 'node_modules/commander/lib/command.js'), 'utf8');
const commanderCodes = new Set(
  [...commander.matchAll(/'commander\.([a-zA-Z]+)'/g)].map((m) =>
    (m[1] as string).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
  ),
);

describe('error codes', () => {
  it('documents every typed code in docs/errors.md with the same exit status', () => {
    for (const [name, exit] of Object.entries(ERROR_CODES)) {
      expect(documented.get(name), `${name} in docs/errors.md`).toBe(exit);
    }
  });

  it('types every code docs/errors.md documents', () => {
    for (const name of documented.keys()) expect(Object.keys(ERROR_CODES), name).toContain(name);
    expect(documented.size).toBe(Object.keys(ERROR_CODES).length);
  });

  it('raises every code somewhere (or gets it from commander)', () => {
    for (const name of Object.keys(ERROR_CODES)) {
      const raised = code.includes(`'${name}'`) || commanderCodes.has(name);
      expect(raised, `${name} is typed but nothing raises it`).toBe(true);
    }
  });
});
