import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, evidenceDigest } from './digest.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes big integers as decimal strings', () => {
    expect(canonicalJson({ b: 1, a: { d: [2n, 'x'], c: null } })).toBe(
      '{"a":{"c":null,"d":["2","x"]},"b":1}',
    );
  });

  it('is valid JSON that parses to what JSON.stringify keeps, undefined included (null in arrays, left out in objects)', () => {
    const value = { list: [true, undefined, () => 1], gone: undefined, n: 1 };
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('gives every JSON value text that parses back to it, whatever its key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(evidenceDigest(JSON.parse(text))).toBe(evidenceDigest(v));
      }),
    );
  });
});
