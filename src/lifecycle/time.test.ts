import { describe, expect, it } from 'vitest';
import { unixTime } from './time.js';

describe('unixTime', () => {
  it('renders any stored or chain time without throwing', () => {
    expect(unixTime(1_764_000_000n)).toBe('2025-11-24T16:00:00.000Z');
    expect(unixTime('8640000000000')).toBe('+275760-09-13T00:00:00.000Z');
    expect(unixTime(8_640_000_000_001n)).toBe('unix 8640000000001');
    expect(unixTime((2n ** 256n - 1n).toString())).toBe(`unix ${2n ** 256n - 1n}`);
    expect(unixTime('not a number')).toBe('unix not a number');
  });
});
