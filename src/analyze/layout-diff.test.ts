import type { StorageLayout } from '@openzeppelin/upgrades-core';
import { describe, expect, it } from 'vitest';
import { layoutDiff } from './layout-diff.js';

const TYPES = {
  t_uint256: { label: 'uint256', numberOfBytes: '32' },
  t_address: { label: 'address', numberOfBytes: '20' },
  t_bool: { label: 'bool', numberOfBytes: '1' },
  t_uint128: { label: 'uint128', numberOfBytes: '16' },
};

const item = (contract: string, label: string, type: keyof typeof TYPES, slot: number, offset = 0) => ({
  contract,
  label,
  type,
  src: `src/${contract}.sol:1`,
  slot: String(slot),
  offset,
});

const layout = (
  storage: StorageLayout['storage'],
  namespaces?: StorageLayout['namespaces'],
): StorageLayout => ({
  storage,
  types: TYPES,
  ...(namespaces ? { namespaces } : {}),
});

describe('layoutDiff', () => {
  it('is empty when both versions lay out the same variables at the same places', () => {
    const v = layout([item('V1', 'a', 't_uint256', 0), item('V1', 'b', 't_address', 1)]);
    const w = layout([item('V2', 'a', 't_uint256', 0), item('V2', 'b', 't_address', 1)]);
    expect(layoutDiff(v, w)).toEqual([]);
  });

  it('shows an inserted variable as a different variable at every position it shifts, and the tail as added', () => {
    const v = layout([item('V1', 'a', 't_uint256', 0), item('V1', 'b', 't_address', 1)]);
    const w = layout([
      item('V2', 'limit', 't_uint256', 0),
      item('V2', 'a', 't_uint256', 1),
      item('V2', 'b', 't_address', 2),
    ]);
    expect(layoutDiff(v, w).map((r) => [r.slot, r.reference?.label, r.candidate?.label, r.change])).toEqual([
      ['0', 'a', 'limit', 'replaced'],
      ['1', 'b', 'a', 'replaced'],
      ['2', undefined, 'b', 'added'],
    ]);
  });

  it('tells a rename, a type change and a removal apart, by slot and offset', () => {
    const v = layout([
      item('V1', 'fee', 't_uint256', 0),
      item('V1', 'owner', 't_address', 1),
      item('V1', 'paused', 't_bool', 1, 20),
      item('V1', 'old', 't_uint256', 2),
    ]);
    const w = layout([
      item('V2', 'feeBps', 't_uint256', 0),
      item('V2', 'owner', 't_uint128', 1),
      item('V2', 'paused', 't_bool', 1, 20),
    ]);
    expect(layoutDiff(v, w)).toEqual([
      {
        slot: '0',
        offset: 0,
        reference: { label: 'fee', type: 'uint256', contract: 'V1' },
        candidate: { label: 'feeBps', type: 'uint256', contract: 'V2' },
        change: 'renamed',
      },
      {
        slot: '1',
        offset: 0,
        reference: { label: 'owner', type: 'address', contract: 'V1' },
        candidate: { label: 'owner', type: 'uint128', contract: 'V2' },
        change: 'retyped',
      },
      {
        slot: '2',
        offset: 0,
        reference: { label: 'old', type: 'uint256', contract: 'V1' },
        change: 'removed',
      },
    ]);
  });

  it('diffs ERC-7201 namespaces apart from the contract storage, after it', () => {
    const ns = 'erc7201:vault.main';
    const v = layout([item('V1', 'a', 't_uint256', 0)], { [ns]: [item('V1', 'total', 't_uint256', 0)] });
    const w = layout([item('V2', 'a', 't_uint256', 0), item('V2', 'z', 't_bool', 1)], {
      [ns]: [item('V2', 'total', 't_uint256', 0), item('V2', 'cap', 't_uint256', 1)],
    });
    expect(layoutDiff(v, w).map((r) => [r.namespace, r.slot, r.candidate?.label, r.change])).toEqual([
      [undefined, '1', 'z', 'added'],
      [ns, '1', 'cap', 'added'],
    ]);
  });
});
