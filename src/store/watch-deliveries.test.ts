/** A sink's delivery position on both backends: starts at 0, moves only from where it is, one per sink and log. */
import { describe, expect, it } from 'vitest';
import { BACKENDS, backendWithSchema } from './backends.fixture.js';
import { deliveryPosition } from './watch-deliveries.js';

describe.each(BACKENDS)('delivery position on %s', (_name, open) => {
  const db = backendWithSchema(open);

  it('starts at 0 and moves only from where it is (compare-and-set), past 2^32', async () => {
    const at = deliveryPosition(db(), { sink: 'ops', origin: 'a.example/log' });
    expect(await at.load()).toBe(0);
    expect(await at.advance(0, 3)).toBe(true);
    expect(await at.load()).toBe(3);
    // A second process that read 0 before the first moved it: refused, nothing changes.
    expect(await at.advance(0, 5)).toBe(false);
    expect(await at.load()).toBe(3);
    expect(await at.advance(3, 2 ** 40)).toBe(true);
    expect(await at.load()).toBe(2 ** 40);
  });

  it('keeps one position per sink and per log origin', async () => {
    await deliveryPosition(db(), { sink: 'slack', origin: 'a.example/log' }).advance(0, 7);
    await deliveryPosition(db(), { sink: 'slack', origin: 'b.example/log' }).advance(0, 2);
    expect(await deliveryPosition(db(), { sink: 'slack', origin: 'a.example/log' }).load()).toBe(7);
    expect(await deliveryPosition(db(), { sink: 'slack', origin: 'b.example/log' }).load()).toBe(2);
    expect(await deliveryPosition(db(), { sink: 'pager', origin: 'a.example/log' }).load()).toBe(0);
  });

  it('of two racing moves from the same position, exactly one wins', async () => {
    const key = { sink: 'race', origin: 'a.example/log' };
    await deliveryPosition(db(), key).advance(0, 1);
    const wins = await Promise.all([
      deliveryPosition(db(), key).advance(1, 4),
      deliveryPosition(db(), key).advance(1, 9),
    ]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect([4, 9]).toContain(await deliveryPosition(db(), key).load());
  });
});
