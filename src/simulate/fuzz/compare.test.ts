import { describe, expect, it } from 'vitest';
import { differenceOf } from './compare.js';
import type { Observed } from './observe.js';

const IMPL_BEFORE = '5fbdb2315678afecb367f032d93f642f64180aa3';
const IMPL_AFTER = 'e7f1725e7734ce288f8367e1bb143e90bb3f0512';
const word = (hex: string) => `0x${hex.padStart(64, '0')}` as const;
const seen = (over: Partial<Observed> = {}): Observed => ({
  status: 'success',
  output: word('01'),
  events: [],
  writes: [],
  ...over,
});
const masked = [[IMPL_BEFORE, IMPL_AFTER]] as const;

describe('differenceOf', () => {
  it('does not report the implementation address, which differs after any upgrade by construction', () => {
    expect(
      differenceOf(seen({ output: word(IMPL_BEFORE) }), seen({ output: word(IMPL_AFTER) }), masked),
    ).toBe(undefined);
    // Another address in its place is a difference.
    expect(differenceOf(seen({ output: word(IMPL_BEFORE) }), seen({ output: word('dead') }), masked)).toBe(
      'return',
    );
  });

  it('names the first aspect that differs: status, then return or revert data, events, storage', () => {
    expect(differenceOf(seen(), seen({ status: 'reverted', output: '0x' }), masked)).toBe('status');
    expect(
      differenceOf(
        seen({ status: 'reverted', output: '0x01' }),
        seen({ status: 'reverted', output: '0x02' }),
        masked,
      ),
    ).toBe('revert');
    expect(differenceOf(seen({ events: ['a'] }), seen({ events: ['b'] }), masked)).toBe('events');
    const write = { account: '0x01', slot: word('00'), before: word('05'), after: word('01') } as const;
    expect(
      differenceOf(seen({ writes: [write] }), seen({ writes: [{ ...write, after: word('02') }] }), masked),
    ).toBe('storage');
  });

  it('compares the value a write leaves, not the value it found (that is state, not behaviour)', () => {
    const write = { account: '0x01', slot: word('00'), before: word('05'), after: word('01') } as const;
    expect(
      differenceOf(seen({ writes: [write] }), seen({ writes: [{ ...write, before: word('64') }] }), masked),
    ).toBe(undefined);
  });
});
