/**
 * The scan corpus's labels (test/fixtures/scan): the comment lines above each contract that say what the scan
 * must report in it. Read by bench/scan.mjs and, through test/helpers/scan-corpus.ts, by the corpus test.
 *
 *   // expect: scan-tx-origin@withdrawAll, scan-unchecked-call@ping     (or `// expect: none`)
 *   // miss: scan-reentrancy@claim -- why the detector cannot see it     (a real bug it knowingly misses)
 *   // false-alarm: scan-unbounded-loop@sweep -- why this one is safe    (a report it knowingly makes)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

function labelsOf(line, tag) {
  const m = new RegExp(`^//\\s*${tag}:\\s*(.*)$`).exec(line.trim());
  if (!m) return undefined;
  const body = (m[1] ?? '').split(' -- ')[0]?.trim() ?? '';
  return body === 'none' || body === '' ? [] : body.split(',').map((s) => s.trim());
}

function solFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solFiles(join(dir, e.name)) : e.name.endsWith('.sol') ? [join(dir, e.name)] : [],
  );
}

/** Every labelled contract under `root`/src, in file order. */
export function labelledContracts(root) {
  const out = [];
  for (const path of solFiles(join(root, 'src')).sort()) {
    const file = relative(root, path);
    let pending;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const expect = labelsOf(line, 'expect');
      if (expect) pending = { expect, miss: [], falseAlarm: [] };
      const miss = labelsOf(line, 'miss');
      if (miss && pending) pending.miss.push(...miss);
      const fa = labelsOf(line, 'false-alarm');
      if (fa && pending) pending.falseAlarm.push(...fa);
      const contract = /^\s*(?:abstract\s+)?contract\s+([A-Za-z_$][\w$]*)/.exec(line);
      if (contract && pending) {
        const name = contract[1];
        out.push({ fullyQualifiedName: `${file}:${name}`, name, file, ...pending });
        pending = undefined;
      }
    }
  }
  return out;
}

/** Fixtures of the scan's own mechanics (suppression): labelled like the rest, but no detector's corpus. */
export const isProbe = (c) => c.file.startsWith('src/suppress/');
