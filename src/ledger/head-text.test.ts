/** A head file in either form: the text `patchgate log head` prints reads back to the same head as its JSON. */
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { signHead } from './head.js';
import { headLines, readHead } from './head-text.js';
import { ROOTS } from './vectors.fixture.js';

const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'; // anvil's first test key
const head = {
  origin: 'example.com/patchgate',
  size: 8,
  root: `0x${ROOTS[7]}` as Hex,
  timestamp: '2026-11-02T10:00:00.000Z',
};
const frontier = [`0x${ROOTS[7]}` as Hex];

describe('head files', () => {
  it('reads the text form back to exactly the signed head, frontier included', async () => {
    const signed = await signHead(head, privateKeyToAccount(KEY), frontier);
    const text = `${headLines(signed).join('\n')}\n`;
    expect(readHead(text, 'head.txt')).toEqual(signed);
    expect(readHead(text.replace(/\n/g, '\r\n'), 'head.txt')).toEqual(signed);
    expect(readHead(JSON.stringify(signed), 'head.json')).toEqual(signed);
  });

  it('reads an UNSIGNED text head as unsigned', () => {
    const text = headLines({ ...head, signed: false }).join('\n');
    expect(readHead(text, 'h')).toEqual({ ...head, signed: false });
  });

  it('refuses anything else with one line naming the file (exit 2)', async () => {
    const signed = await signHead(head, privateKeyToAccount(KEY));
    const lines = headLines(signed);
    for (const [text, why] of [
      ['\u0000\u0001garbage\n', /line 1 is not/],
      [[...lines, lines[0]].join('\n'), /line 7 repeats "origin"/],
      [lines.join('\n').replace('size       8', 'size       -8'), /size/],
      [lines.slice(1).join('\n'), /origin/],
      ['{"origin": "x", ', /starts like JSON but does not parse/],
      ['', /origin/],
    ] as const) {
      const e = await errorOf(() => readHead(text, 'head.json'));
      expect([e.code, e.exitCode]).toEqual(['bad-log-head', 2]);
      expect(e.shortMessage).toMatch(/^head\.json is not a patchgate log head: /);
      expect(e.shortMessage).toMatch(why);
      expect(e.shortMessage).not.toContain('\n');
    }
  });
});
