import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest.js';

describe('did you mean', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('candiate', 'candidate')).toBe(1);
    expect(editDistance('acess', 'access')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest known word and nothing when all are far', () => {
    expect(closest('candiate', ['contract', 'candidate', 'name'])).toBe('candidate');
    expect(closest('polcy', ['policy', 'project', 'patches'])).toBe('policy');
    expect(closest('zzzzzz', ['policy', 'project'])).toBeUndefined();
    expect(didYouMean('candiate', ['candidate'])).toBe(' (did you mean `candidate`?)');
    expect(didYouMean('x', ['policy'])).toBe('');
  });
});
