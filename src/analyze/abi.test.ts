import { toEventSelector, toFunctionSelector, toFunctionSignature } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  type AbiItem,
  isDynamic,
  keccakBytesHex,
  keccakHex,
  outputsExtended,
  selectorOf,
  signatureOf,
} from './abi.js';

const fn = {
  type: 'function',
  name: 'settle',
  stateMutability: 'nonpayable',
  inputs: [
    {
      name: 'orders',
      type: 'tuple[]',
      components: [
        { name: 'a', type: 'address' },
        { name: 'b', type: 'tuple', components: [{ name: 'x', type: 'uint8[2]' }] },
      ],
    },
    { name: 'data', type: 'bytes' },
  ],
  outputs: [],
} as const;

describe('ABI signatures without viem', () => {
  it('agree with viem on signatures and selectors, tuples included', () => {
    expect(signatureOf(fn)).toBe(toFunctionSignature(fn));
    expect(selectorOf(signatureOf(fn))).toBe(toFunctionSelector(fn));
    expect(selectorOf('upgradeToAndCall(address,bytes)')).toBe('0x4f1ef286');
    const ev = {
      type: 'event',
      name: 'Transfer',
      inputs: [
        { type: 'address', indexed: true, name: 'from' },
        { type: 'address', indexed: true, name: 'to' },
        { type: 'uint256', indexed: false, name: 'v' },
      ],
    } as const;
    expect(keccakHex(signatureOf(ev))).toBe(toEventSelector(ev));
  });

  it('hashes bytes like keccak256', () => {
    expect(keccakBytesHex('0x')).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });
});

describe('outputsExtended', () => {
  const fn = (...types: string[]): AbiItem => ({
    type: 'function',
    outputs: types.map((type) => ({ type })),
  });

  it('accepts static old outputs followed by new ones (a struct getter that gained a trailing member)', () => {
    expect(outputsExtended(fn('uint256', 'address'), fn('uint256', 'address', 'bool'))).toBe(true);
    expect(outputsExtended(fn('uint256', 'address'), fn('uint256', 'address', 'string'))).toBe(true);
    expect(outputsExtended(fn('uint256[2]'), fn('uint256[2]', 'bool'))).toBe(true);
  });

  it('refuses a change inside the old words, a removal, or any old dynamic output', () => {
    expect(outputsExtended(fn('uint256', 'address'), fn('uint256', 'bool', 'address'))).toBe(false);
    expect(outputsExtended(fn('uint256', 'address'), fn('uint256'))).toBe(false);
    expect(outputsExtended(fn('uint256', 'address'), fn('uint256', 'address'))).toBe(false);
    expect(outputsExtended(fn('uint256', 'string'), fn('uint256', 'string', 'bool'))).toBe(false);
    expect(outputsExtended(fn('uint256[]'), fn('uint256[]', 'bool'))).toBe(false);
    expect(outputsExtended(fn('string[2]'), fn('string[2]', 'bool'))).toBe(false);
  });

  it('sees a tuple as dynamic when one of its components is', () => {
    expect(isDynamic({ type: 'tuple', components: [{ type: 'uint256' }, { type: 'bytes' }] })).toBe(true);
    expect(isDynamic({ type: 'tuple[3]', components: [{ type: 'uint256' }] })).toBe(false);
    expect(isDynamic({ type: 'tuple[]', components: [{ type: 'uint256' }] })).toBe(true);
  });
});
