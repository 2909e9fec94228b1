/** Suppression directives count in a `//` comment only: not in a string literal, not after a block comment opens. */
import { describe, expect, it } from 'vitest';
import { lineComment, suppressionAt } from './suppress.js';

const ID = 'scan-tx-origin';

describe('suppression in source', () => {
  it('suppresses with a reason from the same line or the comment lines above', () => {
    const src = [
      'contract C {',
      '  // patchgate-disable-next-line scan-tx-origin -- cold EOA by design',
      '  function f() { require(tx.origin == owner); }',
      '  function g() { require(tx.origin == owner); } // patchgate-disable-line scan-tx-origin -- same',
      '}',
    ].join('\n');
    expect(suppressionAt(src, 3, ID)).toMatchObject({ kind: 'suppressed', suppression: { line: 2 } });
    expect(suppressionAt(src, 4, ID)).toMatchObject({ kind: 'suppressed', suppression: { reason: 'same' } });
  });

  it('a directive written inside a string literal is code, not a comment: it suppresses nothing', () => {
    const src = [
      'contract C {',
      '  function f() { require(tx.origin == fee, "// patchgate-disable-line scan-tx-origin -- ops sweep"); }',
      "  function g() { emit Log('// patchgate-disable-line scan-tx-origin -- x'); require(tx.origin == a); }",
      '  function h() { require(tx.origin == a, "\\" // patchgate-disable-line scan-tx-origin -- x"); }',
      '}',
    ].join('\n');
    for (const line of [2, 3, 4])
      expect(suppressionAt(src, line, ID), `line ${line}`).toEqual({ kind: 'none' });
  });

  it('reads the comment past strings and closed block comments, and not inside an open one', () => {
    expect(lineComment('a("//x"); /* "y" */ // real')).toBe('// real');
    expect(lineComment("a('it''s'); // c")).toBe('// c');
    expect(lineComment('x; /* open // not a line comment')).toBeUndefined();
    expect(lineComment('x = "no comment";')).toBeUndefined();
  });
});
