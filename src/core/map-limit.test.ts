/** mapLimit: order kept, never more than the limit in flight. */
import { expect, it } from 'vitest';
import { mapLimit } from './map-limit.js';

it('maps in order with at most `limit` calls in flight', async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (x, i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, x));
    running--;
    return x * 10 + i;
  });
  expect(out).toEqual([50, 11, 42, 23, 34, 5, 66]);
  expect(most).toBe(3);
  expect(await mapLimit([], 4, async () => 1)).toEqual([]);
});
