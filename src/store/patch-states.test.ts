/**
 * Patch states are defined once (src/core/patch-states.ts): the schema's CHECK, docs/store.md and the store's
 * transitions all follow that table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PATCH_STATES, PATCH_TRANSITIONS } from '../core/patch-states.js';
import { schemaStatements } from './schema.js';

const doc = readFileSync(new URL('../../docs/store.md', import.meta.url), 'utf8');

/** docs/store.md's "Patch states" table: state → the states it moves to. */
function documented(): Map<string, string[]> {
  const section = doc.split(/^## Patch states\n/m)[1]?.split(/^## /m)[0] ?? '';
  return new Map(
    [...section.matchAll(/^\| `([a-z]+)` +\| (.+?) +\|$/gm)].map((m) => [
      m[1] as string,
      [...(m[2] as string).matchAll(/`([a-z]+)`/g)].map((t) => t[1] as string),
    ]),
  );
}

describe('patch states', () => {
  it('the CHECK constraint on patches.state allows exactly PATCH_STATES', () => {
    const patches = schemaStatements().find((s) => s.startsWith('create table if not exists patches'));
    const check = /state text not null check \(state in \(([^)]*)\)\)/.exec(patches ?? '');
    expect(check, 'patches.state CHECK').not.toBeNull();
    const allowed = [...(check?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(allowed).toEqual([...PATCH_STATES]);
  });

  it('docs/store.md lists every state, in order, with exactly the moves of PATCH_TRANSITIONS', () => {
    const docs = documented();
    expect([...docs.keys()]).toEqual([...PATCH_STATES]);
    for (const state of PATCH_STATES) expect(docs.get(state), state).toEqual([...PATCH_TRANSITIONS[state]]);
  });

  it('every move leads to a state of the table, and only final states have none', () => {
    for (const state of PATCH_STATES) {
      for (const to of PATCH_TRANSITIONS[state]) expect(PATCH_STATES).toContain(to);
    }
    const finals = PATCH_STATES.filter((s) => PATCH_TRANSITIONS[s].length === 0);
    expect(finals).toEqual(['verified', 'cancelled', 'expired']);
  });
});
