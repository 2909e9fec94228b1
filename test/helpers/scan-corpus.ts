/**
 * The scan's labelled corpus (test/fixtures/scan): contracts written in the shapes real incidents had, each with
 * the comment line above it that says what the scan must find in it —
 *
 *   // expect: scan-tx-origin@withdrawAll, scan-unchecked-call@ping     (or `// expect: none`)
 *   // miss: scan-reentrancy@claim -- why the detector cannot see it     (a real bug it knowingly misses)
 *   // false-alarm: scan-unbounded-loop@sweep -- why this one is safe    (a report it knowingly makes)
 *
 * `X` and `XFixed` are a bug and its fix: the scan of the patch X → XFixed must report X's findings as fixed.
 * Shared by test/scan-corpus.test.ts and bench/scan.mjs (which reads the same labels from the sources).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCAN_CORPUS = fileURLToPath(new URL('../fixtures/scan/', import.meta.url));

export interface Labelled {
  /** `src/tx-origin/OriginWallet.sol:OriginWallet`. */
  fullyQualifiedName: string;
  name: string;
  file: string;
  /** `id@function` the scan must report. */
  expect: string[];
  /** `id@function` it knowingly misses (real bugs, counted as false negatives by the bench). */
  miss: string[];
  /** `id@function` it knowingly reports on safe code (counted as false positives by the bench). */
  falseAlarm: string[];
}

function labelsOf(line: string, tag: string): string[] | undefined {
  const m = new RegExp(`^//\\s*${tag}:\\s*(.*)$`).exec(line.trim());
  if (!m) return undefined;
  const body = (m[1] ?? '').split(' -- ')[0]?.trim() ?? '';
  return body === 'none' || body === '' ? [] : body.split(',').map((s) => s.trim());
}

function solFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solFiles(join(dir, e.name)) : e.name.endsWith('.sol') ? [join(dir, e.name)] : [],
  );
}

/** Fixtures of the scan's own mechanics (suppression), labelled like the rest but no detector's corpus. */
export const isProbe = (c: Labelled) => c.file.startsWith('src/suppress/');

/** Every labelled contract of the corpus, in file order. */
export function labelledContracts(root = SCAN_CORPUS): Labelled[] {
  const out: Labelled[] = [];
  for (const path of solFiles(join(root, 'src')).sort()) {
    const file = relative(root, path);
    const lines = readFileSync(path, 'utf8').split('\n');
    let pending: Omit<Labelled, 'fullyQualifiedName' | 'name' | 'file'> | undefined;
    for (const line of lines) {
      const expect = labelsOf(line, 'expect');
      if (expect) pending = { expect, miss: [], falseAlarm: [] };
      const miss = labelsOf(line, 'miss');
      if (miss && pending) pending.miss.push(...miss);
      const fa = labelsOf(line, 'false-alarm');
      if (fa && pending) pending.falseAlarm.push(...fa);
      const contract = /^\s*(?:abstract\s+)?contract\s+([A-Za-z_$][\w$]*)/.exec(line);
      if (contract && pending) {
        const name = contract[1] as string;
        out.push({ fullyQualifiedName: `${file}:${name}`, name, file, ...pending });
        pending = undefined;
      }
    }
  }
  return out;
}
