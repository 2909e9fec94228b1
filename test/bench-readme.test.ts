import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BenchResult,
  blockProblems,
  formatRatio,
  formatValue,
  parseBlocks,
  renderBlock,
  replaceBlock,
  table,
} from '../bench/lib/readme.mjs';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

const sample: BenchResult = {
  bench: 'ledger',
  date: '2026-12-02T10:00:00.000Z',
  machine: {
    cpu: 'Some CPU @ 2.00GHz',
    cores: 2,
    ramGiB: 23,
    node: 'v20.19.4',
    os: 'linux x64',
    load: [6.1, 9.9],
  },
  runs: 7,
  figures: [
    {
      label: 'inclusion | proof',
      value: 0.093,
      unit: 'ms',
      runs: 1000,
      baseline: { label: 'naive', value: 935 },
      ratio: 0.093 / 935,
    },
    { label: 'appends', value: 5117.4, unit: 'entries/s', runs: 1 },
  ],
  notes: ['a note'],
};

describe('bench blocks in README.md and docs/bench.md', () => {
  for (const [file, names] of [
    ['README.md', ['demo', 'ledger', 'simulate', 'check', 'precision', 'watch']],
    ['docs/bench.md', ['anvil', 'cli', 'scan', 'fuzz', 'watch', 'server']],
  ] as const) {
    it(`${file} holds well-formed blocks ${names.join(', ')}, each stamped with date, machine and runs`, () => {
      const blocks = parseBlocks(read(file));
      expect(blocks.map((b) => b.name).sort()).toEqual([...names].sort());
      for (const b of blocks)
        expect({ block: b.name, problems: blockProblems(b.body) }).toEqual({ block: b.name, problems: [] });
    });
  }

  it('a rendered result carries its stamp and table, and replaceBlock puts it between the markers', () => {
    const body = renderBlock(sample);
    expect(blockProblems(body)).toEqual([]);
    expect(body).toContain(
      'Date: 2026-12-02 · Machine: Some CPU @ 2.00GHz, 2 cores, 23 GiB RAM, Node v20.19.4',
    );
    const rows = body.split('\n').filter((l) => l.startsWith('| '));
    const cells = (l: string | undefined) =>
      l
        ?.slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.trim());
    expect(cells(rows[0])).toEqual(['figure', 'measured', 'baseline (same run)', 'ratio', 'runs']);
    expect(cells(rows[2])).toEqual(['inclusion \\| proof', '93.0 µs', 'naive: 935 ms', '1/10,054', '1000']);
    expect(cells(rows[3])).toEqual(['appends', '5,117 entries/s', '—', '—', '1']);
    const text = 'before\n<!-- bench:ledger -->\nold\n<!-- /bench:ledger -->\nafter\n';
    const out = replaceBlock(text, 'ledger', body);
    expect(out.startsWith('before\n<!-- bench:ledger -->\n')).toBe(true);
    expect(out.endsWith('<!-- /bench:ledger -->\nafter\n')).toBe(true);
    expect(parseBlocks(out)[0]?.body.trim()).toBe(body);
    expect(() => replaceBlock(text, 'simulate', body)).toThrow(/no <!-- bench:simulate --> block/);
  });

  it('pads every column of a table to one width, as the formatter writes it', () => {
    expect(table(['a', 'long header'], [['wide cell µ', 'x']])).toEqual([
      '| a           | long header |',
      '| ----------- | ----------- |',
      '| wide cell µ | x           |',
    ]);
  });

  it('names what an unstamped block lacks', () => {
    expect(blockProblems('| a | b |')).toEqual([
      'no "Date: YYYY-MM-DD"',
      'no "Machine: <cpu>, N cores, N GiB RAM, Node vX"',
      'no "Runs: N"',
    ]);
    expect(
      blockProblems('Date: 2026-12-02 · Machine: x, 2 cores, 8 GiB RAM, Node v20.1.0 · Runs: 3'),
    ).toEqual(['no table of figures']);
  });

  it('refuses unclosed, nested, repeated and stray markers', () => {
    const open = (n: string) => `<!-- bench:${n} -->`;
    const close = (n: string) => `<!-- /bench:${n} -->`;
    expect(() => parseBlocks(`${open('a')} x`)).toThrow(/"a" is never closed/);
    expect(() => parseBlocks(`${open('a')}${open('b')}${close('b')}${close('a')}`)).toThrow(
      /not closed before "b"/,
    );
    expect(() => parseBlocks(`${open('a')}${close('a')}${open('a')}${close('a')}`)).toThrow(/appears twice/);
    expect(() => parseBlocks(`x ${close('a')}`)).toThrow(/closing marker of "a" without its opening/);
    expect(() => parseBlocks(`${open('a')}${close('b')}`)).toThrow(/closing marker of "b"/);
  });

  it('formats values and ratios for a person', () => {
    expect(formatValue(0.0931, 'ms')).toBe('93.1 µs');
    expect(formatValue(3.456, 'ms')).toBe('3.46 ms');
    expect(formatValue(412.4, 'ms')).toBe('412 ms');
    expect(formatValue(3406, 'ms')).toBe('3.41 s');
    expect(formatValue(15_400, 'ms')).toBe('15.4 s');
    expect(formatValue(0, 'pairs')).toBe('0 pairs');
    expect(formatRatio(2.567)).toBe('×2.57');
    expect(formatRatio(0)).toBe('×0');
    expect(formatRatio(1 / 111_000)).toBe('1/111,000');
  });
});
