import { toEventSelector, toFunctionSelector, toFunctionSignature } from 'viem';
import { describe, expect, it } from 'vitest';
import { keccakBytesHex, keccakHex, selectorOf, signatureOf } from './abi.js';

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
