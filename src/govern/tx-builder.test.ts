import { describe, expect, it } from 'vitest';
import { executeCall, operation, scheduleCall } from './timelock.js';
import { batchChecksum, canonicalBatchJson, txBuilderBatch } from './tx-builder.js';

const timelock = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9';
const safe = '0x8817194E008eE063B1673ce1f2B2CFd6095FFDa7';
const op = operation('0x3B02fF1e626Ed7a8fd6eC5299e2C54e1421B626B', '0x9623609d');

describe('Safe Transaction Builder batches', () => {
  const schedule = txBuilderBatch({
    chainId: 1,
    safe,
    name: 'patchgate: schedule fix-flash-deposit',
    description: 'digest 0x…',
    transactions: [{ to: timelock, data: scheduleCall(op, 172800n) }],
    createdAt: 1_700_000_000_000,
  });

  it('serializes objects as their sorted key list followed by their values', () => {
    expect(canonicalBatchJson({ b: 1, a: [true, null], c: undefined })).toBe(
      '{["a","b","c"][true,null],1,null,}',
    );
  });

  it('carries the timelock call for the Safe, with a checksum the builder can verify', () => {
    expect(schedule).toMatchObject({ version: '1.0', chainId: '1', meta: { createdFromSafeAddress: safe } });
    expect(schedule.transactions).toEqual([
      {
        to: timelock,
        value: '0',
        data: scheduleCall(op, 172800n),
        contractMethod: null,
        contractInputsValues: null,
      },
    ]);
    expect(schedule.meta.checksum).toBe(batchChecksum(schedule));
    expect(schedule.meta.checksum).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('keeps the checksum when the batch is renamed, and changes it when a call changes', () => {
    const renamed = { ...schedule, meta: { ...schedule.meta, name: 'another name' } };
    expect(batchChecksum(renamed)).toBe(schedule.meta.checksum);
    const execute = txBuilderBatch({
      chainId: 1,
      safe,
      name: 'x',
      description: 'digest 0x…',
      transactions: [{ to: timelock, data: executeCall(op) }],
      createdAt: 1_700_000_000_000,
    });
    expect(execute.meta.checksum).not.toBe(schedule.meta.checksum);
  });
});
