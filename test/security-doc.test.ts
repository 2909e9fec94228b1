/**
 * docs/security.md is the table of attacks tried and held: every attack in test/adversarial/ (one test each,
 * named after the attack) must be on it, so the page cannot fall behind the suite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = new URL('./adversarial/', import.meta.url);
const DOC = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');

/** The literal titles of `it('…')` in a test file (templated and `it.each` titles are covered by hand). */
function titles(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\bit\(\s*(['"])((?:\\.|(?!\1)[^\\])*)\1/g)) {
    out.push((m[2] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

describe('docs/security.md', () => {
  it('lists every attack of the adversarial suite by its test name', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    const missing: string[] = [];
    let count = 0;
    for (const file of files) {
      expect(DOC, file).toContain(`test/adversarial/${file}`);
      for (const title of titles(readFileSync(new URL(file, DIR), 'utf8'))) {
        count++;
        if (!DOC.includes(title)) missing.push(`${file}: ${title}`);
      }
    }
    expect(count).toBeGreaterThan(60);
    expect(missing).toEqual([]);
  });
});
